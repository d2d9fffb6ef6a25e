//! The store-backed subcommands: `init`, `token`, `list`, `create`, `delete`,
//! `rotate` and `claim`. Each builds a [`Client`] (a core session on this
//! machine), runs one job and prints the result (human text or `--json`).
//! The demo is in `demo.rs`.

use crate::args::{InitArgs, Knobs, RotateArgs};
use crate::client::Client;
use crate::crash::CrashPoint;
use crate::driver::Event;
use crate::failure::{Failure, as_flag};
use crate::output::{Out, candidates_json, candidates_text, report_json, report_text};
use crate::system::System;
use mapsindoors_auth::response::is_b64token;
use mapsindoors_auth::token_file::{token_file_json, token_from_file};
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, PersistReason, SecretInfo, SeedOptions, Session,
    Settings, StoreErrorKind, StoreRecord, Token,
};
use mapsindoors_auth_store::{FileStore, StoreLock, TokenCacheFile};
use serde_json::json;
use std::cell::{Cell, RefCell};
use std::io::Read;
use zeroize::Zeroize;

/// The environment variable `init` reads the secret from.
pub(crate) const SECRET_ENV: &str = "MAPSINDOORS_CLIENT_SECRET";

fn read_secret() -> Result<ClientSecret, Error> {
    if let Ok(mut value) = std::env::var(SECRET_ENV) {
        tracing::debug!("reading the client secret from {SECRET_ENV}");
        let secret = ClientSecret::new(value.trim());
        value.zeroize();
        return Ok(secret);
    }
    tracing::debug!("reading the client secret from stdin");
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| Error::InvalidInput {
            field: "client_secret".into(),
            reason: format!("cannot read stdin: {e}"),
        })?;
    let secret = ClientSecret::new(text.lines().next().unwrap_or_default().trim());
    text.zeroize();
    if secret.is_empty() {
        return Err(Error::InvalidInput {
            field: "client_secret".into(),
            reason: format!("none given: set {SECRET_ENV} or pipe the secret on stdin"),
        });
    }
    Ok(secret)
}

/// A client of the store's current secret (the record as loaded now).
pub(crate) fn client<'a>(
    store: &FileStore,
    settings: Settings,
    progress: impl Fn(&Event<'_>) + 'a,
) -> Result<Client<System<'a>>, Error> {
    let session = Session::from_record(&store.load()?, settings)?;
    let system = System::new(store.clone(), &session.settings(), progress);
    Ok(Client::new(session, system))
}

/// What the store knows about the secret handed in, and what a rotation will
/// do with it, in one sentence.
fn seeded_advice(record: &StoreRecord) -> String {
    let current = &record.current;
    match (&current.id, current.candidates.as_slice()) {
        (Some(id), _) if current.owned => format!(
            "secret {id} is claimed as this store's own: the first rotation deletes it once replaced"
        ),
        (Some(id), _) => format!(
            "identified the secret handed in as {id} (the client's only secret). It is kept (never deleted) after rotations, as another job or installation may use it. If nothing else uses it, claim it: `mapsindoors-auth claim {id}` (the next rotation then deletes it)"
        ),
        (None, []) => format!(
            "the server lists no secret for client {}: the secret handed in is of unknown id and is kept (never deleted) after rotations; delete it by hand once nothing uses it",
            record.client_id
        ),
        (None, candidates) => format!(
            "the client has {} secrets; the one handed in is one of: {}. It is kept (never deleted) after rotations. If nothing else uses it, claim the right one: `mapsindoors-auth claim ID` (or init with --secret-id ID)",
            candidates.len(),
            candidates_text(candidates)
        ),
    }
}

/// `init`: seeds a new store (mode 0600) through the core's seed job: log in
/// with the secret, list the client's secrets, save generation 1 before any
/// remote change. Never overwrites a store.
pub(crate) fn init(
    store: &FileStore,
    knobs: &Knobs,
    args: &InitArgs,
    out: &Out,
) -> Result<(), Error> {
    // Errors name the flags the user typed, not the core's fields.
    let config = Config::new(&args.auth_url)
        .map_err(|e| as_flag(e, "base_url", "--auth-url"))?
        .with_customer_id(&args.customer_id)
        .map_err(|e| as_flag(e, "customer_id", "--customer-id"))?;
    let at = store.path().display();
    let exists = || {
        Error::store(
            StoreErrorKind::Io,
            format!("a store already exists at {at}; it was left untouched"),
        )
    };
    // Refuse before any request.
    if std::fs::symlink_metadata(store.path()).is_ok() {
        return Err(exists());
    }
    let settings = knobs.settings(args.description.as_deref())?;
    let credentials = Credentials::client(&args.client_id, read_secret()?)
        .map_err(|e| as_flag(e, "client_id", "--client-id"))?;
    let seeded_here = Cell::new(false);
    let system = System::new(store.clone(), &settings, |event| {
        crate::progress::log(event);
        if let Event::Persisted {
            reason: PersistReason::Seed,
            ..
        } = event
        {
            seeded_here.set(true);
        }
    });
    let client = Client::new(Session::new(config, credentials, settings)?, system);
    let options = SeedOptions {
        secret_id: args.secret_id.clone(),
        claim: args.claim,
        ..SeedOptions::default()
    };
    let record = client.seed(options)?;
    // Another writer created the store meanwhile: the seed kept theirs.
    if !seeded_here.get() {
        return Err(exists());
    }
    let lineage = &record.lineage;
    tracing::info!(store = %at, %lineage, "store created");
    let advice = seeded_advice(&record);
    out.value(
        &json!({
            "store": store.path(),
            "lineage": lineage,
            "generation": record.generation,
            "client_id": record.client_id,
            "secret_id": record.current.id,
            "owned": record.current.owned,
            "candidates": candidates_json(&record.current.candidates),
            "advice": advice,
        }),
        || {
            format!(
                "created {at} (client {}, lineage {lineage})\n{advice}",
                record.client_id
            )
        },
    )
}

/// The store's lock, taken only once the store is known to exist: a missing
/// store (or folder) is reported as missing ("run init first"), and no lock
/// file is left beside a store that is not there.
pub(crate) fn lock_existing(store: &FileStore) -> Result<StoreLock, Error> {
    store.load()?;
    store.lock()
}

/// `claim ID`: under the store lock, claims a kept secret (or the current
/// one) as the store's own; the core saves the next generation (compare-and-swap).
pub(crate) fn claim(store: &FileStore, knobs: &Knobs, id: &str, out: &Out) -> Result<(), Error> {
    let _lock = lock_existing(store)?;
    let next = client(store, knobs.settings(None)?, crate::progress::log)?.claim(id)?;
    tracing::info!(generation = next.generation, id, "claimed");
    let what = if next.previous_id.as_deref() == Some(id) {
        format!("the next rotation deletes secret {id} (run `mapsindoors-auth rotate`)")
    } else {
        format!(
            "secret {id} is the current secret, now this store's own: the next rotation replaces it, then deletes it"
        )
    };
    out.value(
        &json!({"claimed": id, "generation": next.generation, "next_rotation": what}),
        || format!("claimed {id} as this store's own; {what}"),
    )
}

/// The access token to print, only if it is an RFC 6750 token (`b64token`:
/// letters, digits, `-._~+/`, then `=`): nothing else from the server (a CR, an
/// escape sequence) is ever written to the terminal. The core refuses such a
/// token already; this is the check at the point of printing.
fn printable(token: &Token) -> Result<&str, Error> {
    // EXPOSE: printing the token on stdout is what `token` is for.
    let access = token.access_token.expose_secret();
    if is_b64token(access) {
        return Ok(access);
    }
    Err(Error::UnexpectedResponse {
        status: 200,
        content_type: None,
        reason: "the access_token is not an RFC 6750 token (b64token): not printed".into(),
        excerpt: "(not shown)".into(),
    })
}

/// How long `token` waits for another process logging in for the cache;
/// then it logs in itself, without the cache.
const TOKEN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// `token`: prints an access token for the store's current secret: the
/// cached one beside the store while the core says it is fresh, else one
/// login under the cache's lock (so many processes at once make one login),
/// written to the cache (0600, atomic) for the next caller. A rotation saves
/// a new generation, which no cached token matches.
pub(crate) fn token(
    store: &FileStore,
    knobs: &Knobs,
    no_cache: bool,
    out: &Out,
) -> Result<(), Error> {
    let settings = knobs.settings(None)?;
    let print = |token: &Token| {
        let access = printable(token)?;
        out.value(&json!({"access_token": access, "token_type": token.token_type, "expires_in": token.expires_in}), || {
            access.to_owned()
        })
    };
    if no_cache {
        return print(&client(store, settings, crate::progress::log)?.token()?);
    }
    let cache = TokenCacheFile::beside(store);
    let cached = |record: &StoreRecord| {
        let mut text = cache.read()?;
        let token = token_from_file(&text, record, crate::system::now_ms());
        text.zeroize();
        token
    };
    if let Some(token) = cached(&store.load()?) {
        tracing::debug!(cache = %cache.path().display(), "token from the cache");
        return print(&token);
    }
    // Without the lock (a read-only folder, another user's lock file, a
    // holder stuck in a slow login) the cache only saves logins: log in
    // without it rather than fail.
    let lock = match cache.lock(TOKEN_LOCK_WAIT) {
        Ok(lock) => lock,
        Err(e) => {
            tracing::warn!("token cache not used: {e}");
            return print(&client(store, settings, crate::progress::log)?.token()?);
        }
    };
    // Another process may have logged in while this one waited.
    let record = store.load()?;
    if let Some(token) = cached(&record) {
        tracing::debug!(cache = %cache.path().display(), "token from the cache (after waiting for its lock)");
        return print(&token);
    }
    let session = Session::from_record(&record, settings)?;
    let system = System::new(store.clone(), &session.settings(), crate::progress::log);
    let obtained_at_ms = crate::system::now_ms();
    let token = Client::new(session, system).token()?;
    let mut text = token_file_json(&record, &token, obtained_at_ms);
    if let Err(e) = cache.write(&text) {
        tracing::warn!("token not cached: {e}");
    }
    text.zeroize();
    drop(lock);
    print(&token)
}

/// `list`: the customer's secrets (never the secrets themselves).
pub(crate) fn list(store: &FileStore, knobs: &Knobs, out: &Out) -> Result<(), Error> {
    let secrets = client(store, knobs.settings(None)?, crate::progress::log)?.list()?;
    let rows: Vec<_> = secrets
        .iter()
        .map(|s| json!({"id": s.id, "description": s.description, "client_id": s.client_id, "created_at": s.created_at.to_rfc3339()}))
        .collect();
    let line = |s: &SecretInfo| {
        let client = s.client_id.as_deref().unwrap_or("-");
        let description = s.description.as_deref().unwrap_or("");
        let created = s.created_at.to_rfc3339();
        format!("{}  {created}  {client}  {description}", s.id)
    };
    out.value(&json!(rows), || {
        secrets.iter().map(line).collect::<Vec<_>>().join("\n")
    })
}

/// `create`: a new secret, shown once. The store is not changed.
pub(crate) fn create(
    store: &FileStore,
    knobs: &Knobs,
    description: Option<String>,
    out: &Out,
) -> Result<(), Error> {
    let created =
        client(store, knobs.settings(None)?, crate::progress::log)?.create(description)?;
    // EXPOSE: `create` shows the new secret once, on stdout, by design.
    let secret = created.secret.expose_secret();
    out.value(
        &json!({"id": created.id, "description": created.description, "created_at": created.created_at.to_rfc3339(), "secret": secret}),
        || format!("id:     {}\nsecret: {secret}\n(shown once: store it now; the server keeps no copy)", created.id),
    )
}

/// `delete ID`: refuses the store's current or pending secret; a failure
/// names the id.
pub(crate) fn delete(store: &FileStore, knobs: &Knobs, id: &str, out: &Out) -> Result<(), Failure> {
    let record = store.load()?;
    if record.in_use(id) {
        return Err(Error::InvalidInput {
            field: "id".to_owned(),
            reason: format!("{id} is the store's current or pending secret: deleting it would lock the store out (rotate first)"),
        }
        .into());
    }
    let deleted = client(store, knobs.settings(None)?, crate::progress::log)?.delete(id);
    if let Err(e) = deleted {
        let what = match e {
            Error::NotFound { .. } => format!(
                "no secret with id {id} for customer {} (see `mapsindoors-auth list`)",
                record.customer_id
            ),
            _ => format!("cannot delete secret {id}"),
        };
        return Err(Failure::within(e, what));
    }
    out.value(&json!({"deleted": true, "id": id}), || {
        format!("deleted {id}")
    })?;
    Ok(())
}

/// `rotate`, and `token --rotate` (`print_token`: rotation at every login,
/// then the token the verify step got from the new secret is printed, at no
/// extra round trip). The store lock only spares a second process wasted
/// work: safety rests on the core's compare-and-swap saves (a stale run fails
/// its fence before it deletes anything). A failure prints the partial report.
pub(crate) fn rotate(
    store: &FileStore,
    knobs: &Knobs,
    args: &RotateArgs,
    print_token: bool,
    out: &Out,
) -> Result<(), Failure> {
    let crash = CrashPoint::from_env()?;
    let settings = knobs.settings(args.description.as_deref())?;
    let _lock = lock_existing(store)?;
    tracing::debug!("store locked");
    let client = client(store, settings, |event| {
        crate::progress::log(event);
        if let Some(point) = crash {
            point.observe(event);
        }
    })?;
    let partial = RefCell::new(None);
    let report = client
        .rotate(args.if_older_than, |report| {
            *partial.borrow_mut() = Some(report_json(report));
        })
        .map_err(|e| Failure::from(e).with_partial_report(partial.take()))?;
    if !print_token {
        return Ok(out.value(&report_json(&report), || report_text(&report))?);
    }
    tracing::info!(round_trips = report.round_trips, "rotated at login");
    let Some(token) = &report.token else {
        return Err(Error::InvalidInput {
            field: "token".into(),
            reason: "the rotation ended without a token from the current secret".into(),
        }
        .into());
    };
    let access = printable(token)?;
    Ok(out.value(
        &json!({"access_token": access, "token_type": token.token_type, "expires_in": token.expires_in,
                "rotation": report_json(&report)}),
        || access.to_owned(),
    )?)
}
