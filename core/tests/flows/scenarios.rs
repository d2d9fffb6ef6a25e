//! The scenarios behind the flow vectors: each pins one row of the
//! `Session` decision table (see `core/src/session/mod.rs`).

use crate::record::{BASE_URL, CUSTOMER, START_MS};
use crate::sim::{CLIENT, Origin, Server};
use mapsindoors_auth::{
    ClientSecret, Config, HttpResponse, PersistReason, Purpose, Settings, StoreRecord,
};
use serde_json::{Value, json};

pub enum SessionSpec {
    /// Built from the store's record (its current secret).
    FromStore,
    /// The script's client secret.
    Client(&'static str),
    /// A user's password login.
    Password(&'static str, &'static str),
}

pub enum Call {
    Token,
    List,
    Create(Option<&'static str>),
    Delete(&'static str),
    Rotate,
    /// A rotation only when the current secret is at least this old (ms).
    RotateIfOlder(u64),
    /// The store's status: probe the server?, and the max age (ms) asked about.
    Status(bool, Option<u64>),
    Seed {
        secret_id: Option<&'static str>,
        claim: bool,
    },
    Claim(&'static str),
    Advance(u64),
    Concurrent(Vec<Call>),
    /// Prelude only: a rotation that crashes right after this save.
    RotateUntil(PersistReason),
}

impl Call {
    pub fn to_json(&self) -> Value {
        match self {
            Call::Token => json!({"call": "token"}),
            Call::List => json!({"call": "list"}),
            Call::Create(d) => json!({"call": "create", "description": d}),
            Call::Delete(id) => json!({"call": "delete", "id": id}),
            Call::Rotate | Call::RotateUntil(_) => json!({"call": "rotate"}),
            Call::RotateIfOlder(ms) => json!({"call": "rotate", "max_age_ms": ms}),
            Call::Status(probe, max_age) => {
                json!({"call": "status", "probe": probe, "max_age_ms": max_age})
            }
            Call::Seed { secret_id, claim } => {
                json!({"call": "seed", "secret_id": secret_id, "claim": claim})
            }
            Call::Claim(id) => json!({"call": "claim", "id": id}),
            Call::Advance(ms) => json!({"call": "advance", "ms": ms}),
            Call::Concurrent(_) => unreachable!("written by the recorder"),
        }
    }
}

#[derive(Clone)]
pub enum Fault {
    /// Answer the next request of this purpose with this response; the server sees nothing.
    Reply(Purpose, HttpResponse),
    /// The server handles the next request of this purpose; its answer is lost.
    Lose(Purpose),
    /// The next request of this purpose never reaches the server.
    Drop(Purpose),
    /// The next save for this reason meets a store another writer changed (to this record).
    Conflict(PersistReason, Option<Box<StoreRecord>>),
    /// While the next request of this purpose is out, another writer saves this record.
    StoreReplaced(Purpose, Box<StoreRecord>),
}

impl Fault {
    pub fn purpose(&self) -> Option<Purpose> {
        match self {
            Fault::Reply(p, _) | Fault::Lose(p) | Fault::Drop(p) => Some(*p),
            Fault::Conflict(..) | Fault::StoreReplaced(..) => None,
        }
    }
}

pub struct Scenario {
    pub name: &'static str,
    pub about: &'static str,
    pub pins: Vec<&'static str>,
    pub session: SessionSpec,
    pub settings: Settings,
    pub server: fn() -> Server,
    pub store: Option<StoreRecord>,
    pub prelude: Vec<Call>,
    pub calls: Vec<Call>,
    pub faults: Vec<Fault>,
    pub propagation: bool,
}

const OLD: &str = "s-old-secret";
const SIBLING: &str = "s-sibling-secret";
const LINEAGE: &str = "l-f10e5f10e5f10e5f";

fn config() -> Config {
    Config::new(BASE_URL)
        .unwrap()
        .with_customer_id(CUSTOMER)
        .unwrap()
}

/// The script's secret (id1) and a sibling script's (id2), same client.
fn server() -> Server {
    let mut s = Server::default();
    s.add(OLD, "ops script", CLIENT, Origin::HandedTo(LINEAGE.into()));
    s.add(SIBLING, "another script", CLIENT, Origin::Sibling);
    s
}

/// A store that owns id1.
fn owned_store() -> StoreRecord {
    StoreRecord::new(
        &config(),
        CLIENT,
        ClientSecret::new(OLD),
        Some("id1".into()),
        LINEAGE,
    )
    .unwrap()
}

fn json_response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse::new(
        status,
        headers
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect(),
        body.as_bytes().to_vec(),
    )
}

const CHALLENGE: &str =
    "Bearer error=\"invalid_token\", error_description=\"The token is not valid anymore\"";

fn revoked_with_body() -> HttpResponse {
    json_response(
        401,
        &[
            ("WWW-Authenticate", CHALLENGE),
            ("Content-Type", "application/json"),
        ],
        r#"{"error":"invalid_token"}"#,
    )
}

fn revoked_headers_only() -> HttpResponse {
    json_response(401, &[("WWW-Authenticate", CHALLENGE)], "")
}

fn base(name: &'static str, about: &'static str, pins: &[&'static str]) -> Scenario {
    Scenario {
        name,
        about,
        pins: pins.to_vec(),
        session: SessionSpec::FromStore,
        settings: Settings::default(),
        server,
        store: Some(owned_store()),
        prelude: Vec::new(),
        calls: Vec::new(),
        faults: Vec::new(),
        propagation: false,
    }
}

const CACHE: &str =
    "cache the rotation's token when the session now logs in with the store's current secret";
const SWITCH: &str =
    "after a rotation the session switches to the new secret if it used one the store knew";
const REUSE: &str = "a rotation reuses the cached token only when the session logs in as the store's current secret";
const SINGLE: &str = "token before an API call: the session's cache, one login in flight";
const RELOGIN: &str =
    "a 401 from the secrets endpoint, whatever its body: one new login, one more try";
const SEED: &str = "an empty store is seeded (login, list, generation 1) and saved, then rotated";
const RETRY: &str =
    "retries: transient failures of idempotent requests, `retries` times, backoff or Retry-After";
const PROPAGATION: &str =
    "propagation wait: a new secret refused at first is tried again, up to `propagation_wait_ms`";
const LOST_RACE: &str = "the store's current secret refused at a rotation's login, before the run saved anything: load the store once more: its secret replaced (another run rotated) → a store conflict, \"run again\"; the same → `invalid_client`";
const LINEAGE_PIN: &str = "the lineage is minted by the core from the caller's randomness";

pub fn all() -> Vec<Scenario> {
    let mut out = vec![
        Scenario {
            calls: vec![Call::Rotate, Call::Token, Call::List],
            ..base(
                "plain_rotation",
                "A rotation of an owned secret; afterwards token() and list() use the new token without another login.",
                &[CACHE, SWITCH],
            )
        },
        Scenario {
            calls: vec![Call::Token, Call::Rotate, Call::Token],
            ..base(
                "rotation_with_cached_token",
                "A session that already holds a token of the store's secret rotates without logging in first.",
                &[REUSE, CACHE],
            )
        },
        Scenario {
            session: SessionSpec::Client(SIBLING),
            calls: vec![Call::Token, Call::Rotate, Call::Token],
            ..base(
                "sibling_session_keeps_its_secret",
                "A session with a sibling script's secret of the same client rotates the store: no token reuse, no switch.",
                &[REUSE, SWITCH],
            )
        },
        Scenario {
            session: SessionSpec::Password("admin@example.test", "pw-admin"),
            calls: vec![Call::Rotate, Call::Token],
            ..base(
                "password_session_rotates_store",
                "A user's session rotates the store's client secret with the store's own logins and keeps its password login.",
                &[REUSE, SWITCH],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            store: None,
            calls: vec![
                Call::Rotate,
                Call::List,
                Call::Advance(3_600_000),
                Call::Token,
            ],
            ..base(
                "empty_store_is_seeded_then_rotated",
                "rotate() on an empty store seeds it (saving generation 1), rotates, and the session moves to the new secret.",
                &[SEED, LINEAGE_PIN, SWITCH, CACHE],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            store: None,
            calls: vec![Call::Rotate],
            faults: vec![Fault::Conflict(
                PersistReason::Seed,
                Some(Box::new(other_seed())),
            )],
            ..base(
                "seed_race_uses_the_winners_record",
                "Another writer seeds the empty store first: the rotation loads its record and rotates that, reusing the seed's login (same secret); the winner's unclaimed secret is kept.",
                &[SEED],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            store: None,
            calls: vec![
                Call::Seed {
                    secret_id: Some("id1"),
                    claim: false,
                },
                Call::Seed {
                    secret_id: None,
                    claim: false,
                },
            ],
            ..base(
                "seed_names_the_secret",
                "seed() with the secret's id claims it; seeding a store that holds a record leaves it as it is.",
                &[SEED, LINEAGE_PIN],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            store: None,
            prelude: vec![Call::Seed {
                secret_id: None,
                claim: false,
            }],
            calls: vec![Call::Rotate, Call::Claim("id1"), Call::Rotate],
            ..base(
                "claim_then_rotate",
                "With two secrets listed the seeded secret is only a candidate and is kept; once claimed, the next rotation deletes it.",
                &[SWITCH],
            )
        },
        Scenario {
            faults: vec![
                Fault::Reply(Purpose::Login, refused_secret()),
                Fault::StoreReplaced(Purpose::Login, Box::new(rotated_elsewhere())),
            ],
            calls: vec![Call::Rotate],
            ..base(
                "lost_race_is_a_conflict",
                "Another run rotated the store (and deleted its old secret) after this run loaded it: the refused login is reported as a store conflict, not as a refused secret.",
                &[LOST_RACE],
            )
        },
        Scenario {
            faults: vec![Fault::Reply(Purpose::Login, refused_secret())],
            calls: vec![Call::Rotate],
            ..base(
                "refused_secret_is_invalid_client",
                "The store's secret is refused and the store has not moved on: invalid_client, after one more load.",
                &[LOST_RACE],
            )
        },
        Scenario {
            session: SessionSpec::Password("admin@example.test", "pw-admin"),
            store: None,
            calls: vec![Call::Rotate],
            ..base(
                "empty_store_needs_a_client_secret",
                "A password session cannot seed an empty store: a typed error before any request.",
                &[SEED],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![
                Call::Token,
                Call::Create(Some("admin page")),
                Call::List,
                Call::Delete("id3"),
                Call::Delete("id3"),
            ],
            ..base(
                "secrets_api_calls",
                "token, create, list, delete, delete again (404): one login serves every call.",
                &[SINGLE],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![Call::Concurrent(vec![
                Call::Token,
                Call::Token,
                Call::List,
                Call::List,
            ])],
            ..base(
                "single_flight",
                "Four concurrent cold calls make one login.",
                &[SINGLE],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![Call::Token, Call::List, Call::List],
            faults: vec![Fault::Reply(Purpose::List, revoked_with_body())],
            ..base(
                "revoked_token_json_body",
                "A 401 with WWW-Authenticate invalid_token and a JSON {\"error\":\"invalid_token\"} body: one new login, then success; the new token is kept.",
                &[RELOGIN],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![Call::Token, Call::List],
            faults: vec![Fault::Reply(Purpose::List, revoked_headers_only())],
            ..base(
                "revoked_token_header_only",
                "A 401 with only the WWW-Authenticate challenge: one new login, then success.",
                &[RELOGIN],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![Call::List],
            faults: vec![
                Fault::Reply(Purpose::List, revoked_with_body()),
                Fault::Reply(Purpose::List, revoked_with_body()),
            ],
            ..base(
                "token_refused_twice",
                "Refused again after the new login: unauthorized, with the challenge's invalid_token kept.",
                &[RELOGIN],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            calls: vec![Call::Token],
            faults: vec![
                Fault::Reply(
                    Purpose::Login,
                    json_response(503, &[("Content-Type", "text/plain")], "busy"),
                ),
                Fault::Drop(Purpose::Login),
            ],
            ..base(
                "retry_503_and_transport",
                "A 503 and a refused connection on login are retried with backoff.",
                &[RETRY],
            )
        },
        Scenario {
            session: SessionSpec::Client(OLD),
            settings: Settings {
                retries: 1,
                ..Settings::default()
            },
            calls: vec![Call::Token, Call::List, Call::List],
            faults: vec![
                Fault::Reply(
                    Purpose::List,
                    json_response(429, &[("Retry-After", "2")], ""),
                ),
                Fault::Reply(Purpose::List, json_response(502, &[], "bad gateway")),
                Fault::Reply(Purpose::List, json_response(502, &[], "bad gateway")),
            ],
            ..base(
                "rate_limited_then_out_of_retries",
                "retries=1: a 429 with Retry-After: 2 waits 2 s, and the 502 after it ends the call in server_error; the next call's 502 is retried after a backoff and succeeds.",
                &[RETRY],
            )
        },
        Scenario {
            propagation: true,
            calls: vec![Call::Rotate],
            ..base(
                "propagation_wait",
                "The new secret is refused at first; the rotation waits and verifies it again.",
                &[PROPAGATION],
            )
        },
        Scenario {
            settings: Settings {
                propagation_wait_ms: 0,
                ..Settings::default()
            },
            propagation: true,
            calls: vec![
                Call::Rotate,
                Call::Advance(60_000),
                Call::Rotate,
                Call::Token,
            ],
            ..base(
                "propagation_gives_up_then_resumes",
                "With propagation_wait_ms=0 the rotation stops at verify (old secret kept, session unchanged); a minute later the next run verifies, promotes and deletes the old one.",
                &[PROPAGATION],
            )
        },
        Scenario {
            calls: vec![Call::Rotate, Call::Rotate],
            faults: vec![Fault::Lose(Purpose::Create)],
            ..base(
                "lost_create_then_sweep",
                "The create's answer is lost: the run stops; the next run finds the orphan by its tag, deletes it, and rotates.",
                &[],
            )
        },
    ];
    out.extend(due_scenarios());
    for (why, name, about) in [
        (
            PersistReason::Intent,
            "resume_after_intent",
            "A run crashed after saving its intent: the next run looks for its orphan, finds none young enough to forget, and rotates.",
        ),
        (
            PersistReason::Pending,
            "resume_after_pending",
            "A run crashed after saving the new secret as pending: the next run verifies, promotes and deletes the old one.",
        ),
        (
            PersistReason::Promote,
            "resume_after_promote",
            "A run crashed after promoting: the next run fences and deletes the old secret, without rotating again.",
        ),
        (
            PersistReason::Fence,
            "resume_after_fence",
            "A run crashed after fencing the delete: the next run saves the fence again and deletes.",
        ),
    ] {
        out.push(Scenario {
            prelude: vec![Call::RotateUntil(why)],
            calls: vec![Call::Rotate, Call::Token],
            ..base(name, about, &[CACHE, SWITCH])
        });
    }
    out
}

/// The token endpoint refusing the client's secret (RFC 6749 §5.2).
fn refused_secret() -> HttpResponse {
    json_response(
        400,
        &[("Content-Type", "application/json")],
        r#"{"error":"invalid_client"}"#,
    )
}

/// The store after another run rotated it: a new current secret, id1 deleted.
fn rotated_elsewhere() -> StoreRecord {
    let mut r = owned_store().next(START_MS).unwrap();
    r.current = mapsindoors_auth::StoredSecret {
        id: Some("id9".into()),
        secret: ClientSecret::new("s-winner-secret"),
        created_at: Some("2026-01-01T00:00:09.0000001Z".into()),
        rotation: Some("r-0909090909090909".into()),
        owned: true,
        candidates: Vec::new(),
    };
    r
}

/// What a concurrent writer seeded the store with.
fn other_seed() -> StoreRecord {
    let mut r = StoreRecord::new(
        &config(),
        CLIENT,
        ClientSecret::new(OLD),
        None,
        "l-0123456789abcdef",
    )
    .unwrap();
    r.current.id = Some("id1".into());
    r.current.created_at = Some("2026-01-01T00:00:01.0000001Z".into());
    r.current.owned = false;
    r
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const DUE: &str = "rotate with a max_age: unfinished work first, always; then a new secret only when the current one is due, its date from the store or one listing (unknown: rotate)";
const STATUS: &str = "status: from the record alone; a probe logs in once with the current secret (a refusal is critical, not an error) and lists once";

/// A store that owns id1 and knows its date (2026-01-01, 148 days before `START_MS`).
fn dated_store() -> StoreRecord {
    let mut r = owned_store();
    r.current.created_at = Some("2026-01-01T00:00:01.0000001Z".into());
    r
}

/// Rotation when due, and the status a monitor reads.
fn due_scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            calls: vec![Call::RotateIfOlder(365 * DAY_MS), Call::Token],
            store: Some(dated_store()),
            ..base(
                "rotate_if_older_not_due",
                "The current secret is 148 days old, the maximum 365: nothing is sent or saved; the report says not_due and when it will be due.",
                &[DUE],
            )
        },
        Scenario {
            calls: vec![Call::RotateIfOlder(30 * DAY_MS), Call::Token],
            store: Some(dated_store()),
            ..base(
                "rotate_if_older_due",
                "The current secret is 148 days old, the maximum 30: it is rotated as without a maximum; the report says due, and when the new secret will be (its createdAt plus 30 days).",
                &[DUE],
            )
        },
        Scenario {
            calls: vec![Call::RotateIfOlder(365 * DAY_MS)],
            ..base(
                "rotate_if_older_date_from_listing",
                "The store knows the current secret's id but not its date: one login and one listing tell it is not due.",
                &[DUE],
            )
        },
        Scenario {
            calls: vec![Call::RotateIfOlder(365 * DAY_MS)],
            store: Some(unidentified_store()),
            ..base(
                "rotate_if_older_age_unknown",
                "The store does not know which of the client's secrets it holds (so neither its date): it rotates, keeps the old secret, and the new one's date is known from then on.",
                &[DUE],
            )
        },
        Scenario {
            prelude: vec![Call::RotateUntil(PersistReason::Pending)],
            calls: vec![Call::RotateIfOlder(365 * DAY_MS)],
            store: Some(dated_store()),
            ..base(
                "rotate_if_older_unfinished_not_due",
                "A run crashed after saving its new secret as pending; the next run is not due but finishes the rotation first (verify, promote, delete the old one).",
                &[DUE],
            )
        },
        Scenario {
            prelude: vec![Call::RotateUntil(PersistReason::Pending)],
            calls: vec![Call::Status(false, Some(30 * DAY_MS))],
            store: Some(dated_store()),
            ..base(
                "status_unfinished",
                "The status of a store whose rotation stopped after saving its pending secret: read from the record alone (no request), unfinished at verify, due.",
                &[STATUS],
            )
        },
        Scenario {
            calls: vec![Call::Status(true, Some(365 * DAY_MS)), Call::Token],
            store: Some(dated_store()),
            ..base(
                "status_probe_ok",
                "A probe logs in with the current secret and lists: accepted, two secrets, not due; the probe's token serves the next call.",
                &[STATUS, CACHE],
            )
        },
        Scenario {
            calls: vec![Call::Status(true, None)],
            faults: vec![Fault::Reply(Purpose::Login, refused_secret())],
            store: Some(dated_store()),
            ..base(
                "status_probe_refused",
                "The server refuses the current secret: the status says so (critical), it is not an error.",
                &[STATUS],
            )
        },
    ]
}

/// A store seeded with a secret it could not identify among several.
fn unidentified_store() -> StoreRecord {
    let mut r = other_seed();
    r.lineage = LINEAGE.into();
    r.current.id = None;
    r.current.created_at = None;
    r
}
