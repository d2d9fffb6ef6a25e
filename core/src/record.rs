//! The durable store record: one versioned JSON format shared by every store
//! (file, Python, JS, mobile), what it says about which secrets are provably
//! this store's own, and the lineage tag that marks secrets a store created.
//! Serialisation and pure record edits only; saving is the caller's.

use crate::config::{Config, Credentials};
use crate::error::{Error, StoreErrorKind};
use crate::record_json::{self, ReadError};
use crate::secret::ClientSecret;

/// The `format` field of every record.
pub const RECORD_FORMAT: &str = "mapsindoors-auth/secret-store";
/// The record version this build writes (it also reads version 1).
pub const RECORD_VERSION: u32 = 2;
const TAG_OPEN: &str = "[mia:";
/// At most this many started rotations of unknown outcome are remembered;
/// the oldest is forgotten first (its orphan, if any, is then left alone).
pub const MAX_OPEN_ROTATIONS: usize = 8;
/// At most this many kept secrets (and candidates per secret) are remembered.
pub const MAX_KEPT: usize = 16;

/// What a store holds for one client: the secret in use, a pending one
/// mid-rotation, and what is left to clean up. `Debug` redacts secrets.
///
/// Every save is a compare-and-swap: a record of generation `g` replaces
/// exactly the record of generation `g - 1`. Nothing else about the store is
/// assumed: no lock is needed for safety.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRecord {
    /// Always [`RECORD_FORMAT`].
    pub format: String,
    /// Always [`RECORD_VERSION`].
    pub version: u32,
    /// The auth server's base URL.
    pub auth_url: String,
    /// The customer whose secrets these are.
    pub customer_id: String,
    /// The client the secrets belong to.
    pub client_id: String,
    /// Names this store's line of secrets; created secrets carry it in a tag.
    pub lineage: String,
    /// Bumped by every save; a save must replace exactly the previous generation.
    pub generation: u64,
    /// When this generation was written, Unix milliseconds (as the caller said).
    pub updated_at_ms: u64,
    /// The user's description for secrets this store creates.
    pub description: Option<String>,
    /// The secret in use.
    pub current: StoredSecret,
    /// A secret created but not yet verified and promoted.
    pub pending: Option<StoredSecret>,
    /// The id of a replaced secret that is provably this store's own and is
    /// still to be deleted.
    pub previous_id: Option<String>,
    /// Replaced secrets that are not provably this store's own (handed in,
    /// shared, or of unknown id): never deleted by a rotation; reported, and
    /// deleted only once the user claims one ([`StoreRecord::claim`]).
    pub kept: Vec<KeptSecret>,
    /// The fence of a delete: the id a run is about to delete, saved (by a
    /// compare-and-swap) before the DELETE is sent.
    pub deleting: Option<String>,
    /// Rotations that were started (their intent saved) but whose created
    /// secret is not known by id: a crash or a lost answer. Their orphans are
    /// the only secrets a sweep may delete.
    pub rotations: Vec<StartedRotation>,
}

/// A secret kept in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    /// The secret's id, when known (not for one handed out by MapsPeople).
    pub id: Option<String>,
    /// The secret itself.
    pub secret: ClientSecret,
    /// When the server created it.
    pub created_at: Option<String>,
    /// The rotation that created it.
    pub rotation: Option<String>,
    /// Whether it is provably this store's own: created by its rotation, or
    /// claimed by the user (named at seeding, or [`StoreRecord::claim`]).
    /// Only an owned secret of known id is ever deleted once replaced.
    pub owned: bool,
    /// For a seeded secret of unknown id: the client's secrets it may be.
    pub candidates: Vec<Candidate>,
}

/// A secret a kept entry may be, as listed when the store was seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its id.
    pub id: String,
    /// When it was created, as the server said.
    pub created_at: Option<String>,
}

/// A secret the rotation will not delete, and why. Kept in the record and in
/// the report, with the commands to delete it by hand.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeptSecret {
    /// The secret's id, when it could be named.
    pub id: Option<String>,
    /// When it was created, if known.
    pub created_at: Option<String>,
    /// For a secret of unknown id: the secrets it may be.
    pub candidates: Vec<Candidate>,
    /// Why it was left.
    pub reason: String,
}

impl KeptSecret {
    /// A kept secret with just an id and a reason.
    #[must_use]
    pub fn new(id: Option<String>, reason: impl Into<String>) -> Self {
        Self {
            id,
            created_at: None,
            candidates: Vec::new(),
            reason: reason.into(),
        }
    }

    /// What the user can do about it, in one sentence.
    #[must_use]
    pub fn advice(&self) -> String {
        match (&self.id, self.candidates.as_slice()) {
            (Some(id), _) => format!(
                "if no other job or installation uses secret {id}, delete it by hand (`mapsindoors-auth delete {id}`), or claim it (`mapsindoors-auth claim {id}`) and the next rotation deletes it"
            ),
            (None, []) => "its id is unknown: find it in the list of secrets and delete it by hand once nothing uses it".to_owned(),
            (None, c) => format!(
                "its id is unknown; it is one of: {}; claim the right one (`mapsindoors-auth claim ID`) or delete it by hand once nothing uses it",
                c.iter().map(|c| c.id.as_str()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// A rotation whose intent was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedRotation {
    /// The rotation's id (it is in the tag of the secret it creates).
    pub id: String,
    /// When its intent was saved, Unix milliseconds (the caller's clock).
    pub started_ms: u64,
}

impl StoredSecret {
    /// A secret this store has not (yet) proved its own.
    #[must_use]
    pub fn unowned(id: Option<String>, secret: ClientSecret) -> Self {
        Self {
            id,
            secret,
            created_at: None,
            rotation: None,
            owned: false,
            candidates: Vec::new(),
        }
    }
}

fn lineage_ok(lineage: &str) -> bool {
    !lineage.is_empty()
        && lineage.len() <= 64
        && lineage
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A new store lineage from fresh randomness: `l-` and 16 hex digits.
#[must_use]
pub fn mint_lineage(nonce: [u8; 8]) -> String {
    random_id("l-", &nonce)
}

impl StoreRecord {
    /// A first record (generation 1) for a secret obtained outside any
    /// rotation. Naming its id claims it as this store's own (the first
    /// rotation deletes it); without an id it is kept forever. Prefer
    /// [`crate::Seed`], which identifies the secret on the server first.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a bad URL, customer id or credentials.
    pub fn new(
        config: &Config,
        client_id: &str,
        secret: ClientSecret,
        secret_id: Option<String>,
        lineage: &str,
    ) -> Result<Self, Error> {
        let customer_id = config.require_customer_id()?.to_owned();
        Credentials::client(client_id, secret.clone())?;
        if !lineage_ok(lineage) {
            return Err(Error::invalid_input(
                "lineage",
                "must be 1 to 64 ASCII letters, digits or '-'",
            ));
        }
        let id = secret_id.filter(|s| !s.is_empty());
        Ok(Self {
            format: RECORD_FORMAT.to_owned(),
            version: RECORD_VERSION,
            auth_url: config.base_url().trim_end_matches('/').to_owned(),
            customer_id,
            client_id: client_id.to_owned(),
            lineage: lineage.to_owned(),
            generation: 1,
            updated_at_ms: 0,
            description: None,
            current: StoredSecret {
                owned: id.is_some(),
                ..StoredSecret::unowned(id, secret)
            },
            pending: None,
            previous_id: None,
            kept: Vec::new(),
            deleting: None,
            rotations: Vec::new(),
        })
    }

    /// A first record for the secret these client credentials log in with,
    /// not claimed (it is kept after rotations). Prefer [`crate::Seed`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for password credentials (a store holds a client
    /// secret) or an unusable config or lineage.
    pub fn from_credentials(
        config: &Config,
        credentials: &Credentials,
        lineage: &str,
    ) -> Result<Self, Error> {
        match credentials {
            Credentials::Client { client_id, secret } => {
                Self::new(config, client_id, secret.clone(), None, lineage)
            }
            Credentials::Password { .. } => Err(Error::invalid_input(
                "store",
                "a store holds a client secret: create its first record from client credentials",
            )),
        }
    }

    /// Whether an earlier rotation left work for the next: a pending secret,
    /// an owned old secret to delete, a delete under way, or started
    /// rotations whose orphans may need a sweep. Kept secrets do not count:
    /// no run acts on them.
    #[must_use]
    pub fn has_unfinished_rotation(&self) -> bool {
        self.unfinished_stage().is_some()
    }

    /// The unfinished work's stage, if any: `deleting`, `verify` (a pending
    /// secret), `delete_old` or `sweep`.
    #[must_use]
    pub fn unfinished_stage(&self) -> Option<&'static str> {
        if self.deleting.is_some() {
            Some("deleting")
        } else if self.pending.is_some() {
            Some("verify")
        } else if self.previous_id.is_some() {
            Some("delete_old")
        } else if !self.rotations.is_empty() {
            Some("sweep")
        } else {
            None
        }
    }

    /// Claims a kept secret (or the current one) as this store's own: the
    /// next rotation deletes a claimed kept secret, and the first rotation
    /// deletes a claimed current one once replaced. `id` must be a kept
    /// secret's id or candidate, or the current secret's id or candidate.
    /// Returns the next record to save (compare-and-swap, as always).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `id` is not one of those, or an owned old
    /// secret is still to be deleted (run a rotation first).
    pub fn claim(&self, id: &str, now_ms: u64) -> Result<Self, Error> {
        let mut next = self.next(now_ms)?;
        let named =
            |k: &KeptSecret| k.id.as_deref() == Some(id) || k.candidates.iter().any(|c| c.id == id);
        let current_may_be = self.current.id.as_deref() == Some(id)
            || (self.current.id.is_none() && self.current.candidates.iter().any(|c| c.id == id));
        if current_may_be {
            next.current.id = Some(id.to_owned());
            next.current.owned = true;
            next.current.candidates.clear();
            return Ok(next);
        }
        if self.pending.as_ref().and_then(|p| p.id.as_deref()) == Some(id) {
            return Err(Error::invalid_input(
                "id",
                "that is the pending secret, already this store's own",
            ));
        }
        if !self.kept.iter().any(named) {
            return Err(Error::invalid_input(
                "id",
                "not a secret this store keeps: only a kept secret (or the current one) can be claimed; delete others by hand",
            ));
        }
        if self.previous_id.is_some() || self.deleting.is_some() || self.pending.is_some() {
            return Err(Error::invalid_input(
                "id",
                "a rotation is unfinished: run a rotation first, then claim",
            ));
        }
        next.kept.retain(|k| !named(k));
        next.previous_id = Some(id.to_owned());
        Ok(next)
    }

    /// Parses a record, refusing anything but this format and versions 1 and 2.
    ///
    /// # Errors
    /// [`Error::Store`] of kind [`StoreErrorKind::Corrupt`], saying what is wrong
    /// without echoing the content.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let corrupt = |reason: String| Error::store(StoreErrorKind::Corrupt, reason);
        if text.trim().is_empty() {
            return Err(corrupt("the record is empty (truncated?)".to_owned()));
        }
        let record = record_json::read(text).map_err(|e| match e {
            ReadError::Syntax(reason) => corrupt(format!("not valid JSON ({reason}; truncated?)")),
            ReadError::NotARecord => corrupt(format!("not a {RECORD_FORMAT} record")),
            ReadError::Version(Some(v)) => corrupt(format!(
                "unknown record version {v}; this build reads versions 1 and {RECORD_VERSION}"
            )),
            ReadError::Version(None) => corrupt("missing record version".to_owned()),
            ReadError::Invalid(reason) => corrupt(format!("invalid record: {reason}")),
        })?;
        if record.current.secret.is_empty() {
            return Err(corrupt("the current secret is empty".to_owned()));
        }
        record.check_roles()?;
        if !lineage_ok(&record.lineage) {
            return Err(corrupt(
                "field `lineage` must be 1 to 64 ASCII letters, digits or '-'".to_owned(),
            ));
        }
        if record.generation == u64::MAX {
            return Err(corrupt(
                "field `generation` is at its largest value: no save could follow".to_owned(),
            ));
        }
        Ok(record)
    }

    /// The record as pretty JSON. It holds secrets: write it only to a store.
    #[must_use]
    pub fn to_json(&self) -> String {
        record_json::write(self)
    }

    /// The config this record talks to.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] if the stored URL or customer id is unusable.
    pub fn config(&self) -> Result<Config, Error> {
        Config::new(&self.auth_url)?.with_customer_id(&self.customer_id)
    }

    /// Credentials for the current secret.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty client id.
    pub fn current_credentials(&self) -> Result<Credentials, Error> {
        Credentials::client(&self.client_id, self.current.secret.clone())
    }

    /// Whether `id` is the secret in use: the current or the pending one.
    #[must_use]
    pub fn in_use(&self, id: &str) -> bool {
        self.current.id.as_deref() == Some(id)
            || self.pending.as_ref().and_then(|p| p.id.as_deref()) == Some(id)
    }

    /// Refuses a record whose cleanup (`previous_id`, `deleting`) names the
    /// current or pending secret: following it would delete a secret in use.
    ///
    /// # Errors
    /// [`Error::Store`] (corrupt).
    pub fn check_roles(&self) -> Result<(), Error> {
        let in_use = [
            self.current.id.as_deref(),
            self.pending.as_ref().and_then(|p| p.id.as_deref()),
        ];
        for (field, id) in [
            ("previous_id", self.previous_id.as_deref()),
            ("deleting", self.deleting.as_deref()),
        ] {
            if id.is_some() && in_use.contains(&id) {
                return Err(Error::store(
                    StoreErrorKind::Corrupt,
                    format!(
                        "field `{field}` names the current or pending secret; the record was left untouched"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The record that replaces this one: the next generation, stamped `now_ms`.
    ///
    /// # Errors
    /// [`Error::Store`] (corrupt) if the generation cannot grow.
    pub fn next(&self, now_ms: u64) -> Result<Self, Error> {
        let mut next = self.clone();
        next.generation = self.generation.checked_add(1).ok_or_else(|| {
            Error::store(
                StoreErrorKind::Corrupt,
                "the record's generation is at its largest value",
            )
        })?;
        next.updated_at_ms = now_ms;
        Ok(next)
    }
}

/// A secret description's lineage tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The store lineage that created the secret.
    pub lineage: String,
    /// The rotation that created it.
    pub rotation: String,
}

impl Tag {
    /// The description a rotation gives a new secret: the user's text, then the tag.
    #[must_use]
    pub fn describe(description: Option<&str>, lineage: &str, rotation: &str) -> String {
        match description.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => format!("{d} {TAG_OPEN}{lineage}:{rotation}]"),
            None => format!("{TAG_OPEN}{lineage}:{rotation}]"),
        }
    }

    /// Finds the tag in a description, if it has one.
    #[must_use]
    pub fn parse(description: &str) -> Option<Self> {
        let start = description.rfind(TAG_OPEN)? + TAG_OPEN.len();
        let rest = description.get(start..)?;
        let inner = rest.strip_suffix(']')?;
        let (lineage, rotation) = inner.split_once(':')?;
        let ok =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        (ok(lineage) && ok(rotation)).then(|| Self {
            lineage: lineage.to_owned(),
            rotation: rotation.to_owned(),
        })
    }
}

/// Hex for ids made from caller-supplied random bytes (lineages, rotations).
#[must_use]
pub fn random_id(prefix: &str, bytes: &[u8]) -> String {
    let mut s = String::from(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn record() -> StoreRecord {
        let config = Config::new("http://127.0.0.1:1")
            .unwrap()
            .with_customer_id("c")
            .unwrap();
        StoreRecord::new(
            &config,
            "client",
            ClientSecret::new("CANARY-secret-record"),
            None,
            "l-01",
        )
        .unwrap()
    }

    #[test]
    fn round_trips_and_debug_redacts() {
        let r = record();
        assert_eq!(StoreRecord::from_json(&r.to_json()).unwrap(), r);
        assert!(!format!("{r:?}").contains("CANARY"));
        assert!(r.to_json().contains("CANARY-secret-record"));
    }

    #[test]
    fn refuses_corrupt_truncated_and_unknown_versions_without_echo() {
        let json = record().to_json();
        let truncated = json.get(..json.len() / 2).unwrap();
        let future = json.replace("\"version\": 2,", "\"version\": 99,");
        for bad in ["", "{", "[]", truncated, &future, "{\"format\":\"x\"}"] {
            let e = StoreRecord::from_json(bad).unwrap_err();
            assert_eq!(e.kind().as_str(), "store", "{bad}");
            assert!(!e.to_string().contains("CANARY"), "{e}");
        }
        assert!(
            StoreRecord::from_json(&future)
                .unwrap_err()
                .to_string()
                .contains("unknown record version 99")
        );
    }

    #[test]
    fn adopting_the_new_secret_after_a_rotation() {
        let before = record();
        let mut after = before.next(1).unwrap();
        after.current.secret = ClientSecret::new("new-secret");
        let own = before.current_credentials().unwrap();
        let adopted = own.after_rotation(&before, &after).unwrap();
        assert_eq!(adopted, after.current_credentials().unwrap());
        // Another script's secret of the same client, or another client, is left alone.
        let sibling = Credentials::client("client", ClientSecret::new("sibling")).unwrap();
        assert!(sibling.after_rotation(&before, &after).is_none());
        let other =
            Credentials::client("other", ClientSecret::new("CANARY-secret-record")).unwrap();
        assert!(other.after_rotation(&before, &after).is_none());
        assert!(
            own.after_rotation(&before, &before).is_none(),
            "nothing changed"
        );
        let config = before.config().unwrap();
        assert_eq!(
            StoreRecord::from_credentials(&config, &own, "l-01").unwrap(),
            before
        );
        let user = Credentials::password("u", crate::Password::new("p")).unwrap();
        assert!(StoreRecord::from_credentials(&config, &user, "l-01").is_err());
        assert!(!before.has_unfinished_rotation());
    }

    #[test]
    fn the_largest_generation_is_corrupt_not_a_panic() {
        let json = record().to_json().replace(
            "\"generation\": 1,",
            "\"generation\": 18446744073709551615,",
        );
        let e = StoreRecord::from_json(&json).unwrap_err();
        assert!(e.to_string().contains("largest"), "{e}");
        let mut r = record();
        r.generation = u64::MAX;
        assert_eq!(r.next(1).unwrap_err().kind().as_str(), "store");
    }

    #[test]
    fn reads_version_1_records() {
        let v1 = r#"{"format": "mapsindoors-auth/secret-store", "version": 1, "auth_url": "http://127.0.0.1:1",
            "customer_id": "c", "client_id": "client", "lineage": "l-01", "generation": 4, "updated_at_ms": 77,
            "previous_id": null, "intent": "r-9", "previous_unidentified": true,
            "current": {"id": "s2", "secret": "x", "created_at": null, "rotation": "r-8"}, "pending": null}"#;
        let r = StoreRecord::from_json(v1).unwrap();
        assert_eq!(r.version, RECORD_VERSION);
        assert!(r.current.owned);
        assert_eq!(
            r.rotations,
            vec![StartedRotation {
                id: "r-9".into(),
                started_ms: 77
            }]
        );
        assert_eq!(r.kept.len(), 1);
        assert_eq!(StoreRecord::from_json(&r.to_json()).unwrap(), r);
    }

    #[test]
    fn claiming_only_what_the_store_keeps() {
        let mut r = record();
        r.current.candidates = vec![
            Candidate {
                id: "a".into(),
                created_at: None,
            },
            Candidate {
                id: "b".into(),
                created_at: None,
            },
        ];
        assert!(r.claim("zzz", 5).is_err(), "not a candidate");
        let claimed = r.claim("b", 5).unwrap();
        assert_eq!(claimed.current.id.as_deref(), Some("b"));
        assert!(claimed.current.owned && claimed.generation == 2);
        let mut k = record();
        k.kept
            .push(KeptSecret::new(Some("old".into()), "handed in"));
        let c = k.claim("old", 1).unwrap();
        assert_eq!(c.previous_id.as_deref(), Some("old"));
        assert!(c.kept.is_empty());
        assert!(k.kept[0].advice().contains("mapsindoors-auth claim old"));
        assert_eq!(StoreRecord::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn tags_round_trip() {
        let d = Tag::describe(Some("nightly job"), "l-ab12", "r-ff00");
        assert_eq!(d, "nightly job [mia:l-ab12:r-ff00]");
        assert_eq!(
            Tag::parse(&d),
            Some(Tag {
                lineage: "l-ab12".into(),
                rotation: "r-ff00".into()
            })
        );
        assert_eq!(
            Tag::parse(&Tag::describe(None, "a", "b")).unwrap().rotation,
            "b"
        );
        for none in [
            "",
            "MyNewKey",
            "[mia:]",
            "[mia:a]",
            "[mia:a:b] trailing",
            "[mia:a b:c]",
        ] {
            assert_eq!(Tag::parse(none), None, "{none}");
        }
    }
}
