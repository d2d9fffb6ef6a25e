//! The durable store record: one versioned JSON format shared by every store
//! (file, Python, JS, mobile), and the lineage tag that marks secrets a store
//! created. Serialisation only; saving is the caller's.

use crate::config::{Config, Credentials};
use crate::error::{Error, StoreErrorKind};
use crate::json::{self, Json, write_opt, write_string};
use crate::secret::ClientSecret;
use std::fmt::Write as _;

/// The `format` field of every record.
pub const RECORD_FORMAT: &str = "mapsindoors-auth/secret-store";
/// The record version this build reads and writes.
pub const RECORD_VERSION: u32 = 1;
const TAG_OPEN: &str = "[mia:";

/// What a store holds for one client: the secret in use, a pending one
/// mid-rotation, and what is left to clean up. `Debug` redacts secrets.
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
    /// The id of a replaced secret not yet deleted.
    pub previous_id: Option<String>,
    /// A replaced secret of unknown id is still to be identified and deleted.
    pub previous_unidentified: bool,
    /// A rotation that may have created a secret this record does not hold:
    /// its orphans must be swept.
    pub intent: Option<String>,
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
}

impl StoredSecret {
    fn from_value(v: &Json, name: &str) -> Result<Self, String> {
        if !matches!(v, Json::Object(_)) {
            return Err(format!("field `{name}` must be an object"));
        }
        let secret = v
            .get("secret")
            .and_then(Json::as_str)
            .ok_or_else(|| format!("field `{name}.secret` must be a string"))?;
        Ok(Self {
            id: opt_str(v, "id")?,
            secret: ClientSecret::new(secret),
            created_at: opt_str(v, "created_at")?,
            rotation: opt_str(v, "rotation")?,
        })
    }

    fn write(&self, out: &mut String) {
        out.push_str("{\"id\": ");
        write_opt(out, self.id.as_deref());
        out.push_str(", \"secret\": ");
        // EXPOSE: the store record must hold the secret itself to log in later.
        write_string(out, self.secret.expose_secret());
        out.push_str(", \"created_at\": ");
        write_opt(out, self.created_at.as_deref());
        out.push_str(", \"rotation\": ");
        write_opt(out, self.rotation.as_deref());
        out.push('}');
    }
}

fn req_str(v: &Json, key: &str) -> Result<String, String> {
    v.get(key)
        .and_then(Json::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("field `{key}` must be a string"))
}

fn opt_str(v: &Json, key: &str) -> Result<Option<String>, String> {
    match v.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("field `{key}` must be a string or null")),
    }
}

impl StoreRecord {
    /// A first record for a secret obtained outside any rotation.
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
        if lineage.is_empty()
            || !lineage
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::invalid_input(
                "lineage",
                "must be non-empty ASCII letters, digits or '-'",
            ));
        }
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
                id: secret_id.filter(|s| !s.is_empty()),
                secret,
                created_at: None,
                rotation: None,
            },
            pending: None,
            previous_id: None,
            previous_unidentified: false,
            intent: None,
        })
    }

    /// A first record for the secret these client credentials log in with.
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

    /// Whether an earlier rotation left work for the next: a pending secret, an
    /// old secret to delete, or orphans to sweep.
    #[must_use]
    pub fn has_unfinished_rotation(&self) -> bool {
        self.pending.is_some()
            || self.previous_id.is_some()
            || self.previous_unidentified
            || self.intent.is_some()
    }

    /// Parses a record, refusing anything but this format and version.
    ///
    /// # Errors
    /// [`Error::Store`] of kind [`StoreErrorKind::Corrupt`], saying what is wrong
    /// without echoing the content.
    pub fn from_json(text: &str) -> Result<Self, Error> {
        let corrupt = |reason: String| Error::store(StoreErrorKind::Corrupt, reason);
        if text.trim().is_empty() {
            return Err(corrupt("the record is empty (truncated?)".to_owned()));
        }
        let value = json::parse(text.as_bytes())
            .map_err(|e| corrupt(format!("not valid JSON ({e}; truncated?)")))?;
        if value.get("format").and_then(Json::as_str) != Some(RECORD_FORMAT) {
            return Err(corrupt(format!("not a {RECORD_FORMAT} record")));
        }
        match value.get("version").and_then(Json::as_u64) {
            Some(v) if v == u64::from(RECORD_VERSION) => {}
            Some(v) => {
                return Err(corrupt(format!(
                    "unknown record version {v}; this build reads version {RECORD_VERSION}"
                )));
            }
            None => return Err(corrupt("missing record version".to_owned())),
        }
        let record =
            Self::from_value(&value).map_err(|r| corrupt(format!("invalid record: {r}")))?;
        if record.current.secret.is_empty() {
            return Err(corrupt("the current secret is empty".to_owned()));
        }
        Ok(record)
    }

    fn from_value(v: &Json) -> Result<Self, String> {
        Ok(Self {
            format: RECORD_FORMAT.to_owned(),
            version: RECORD_VERSION,
            auth_url: req_str(v, "auth_url")?,
            customer_id: req_str(v, "customer_id")?,
            client_id: req_str(v, "client_id")?,
            lineage: req_str(v, "lineage")?,
            generation: v
                .get("generation")
                .and_then(Json::as_u64)
                .ok_or("field `generation` must be an integer")?,
            updated_at_ms: match v.get("updated_at_ms") {
                None | Some(Json::Null) => 0,
                Some(n) => n
                    .as_u64()
                    .ok_or("field `updated_at_ms` must be an integer")?,
            },
            description: opt_str(v, "description")?,
            current: StoredSecret::from_value(
                v.get("current").ok_or("missing field `current`")?,
                "current",
            )?,
            pending: match v.get("pending") {
                None | Some(Json::Null) => None,
                Some(p) => Some(StoredSecret::from_value(p, "pending")?),
            },
            previous_id: opt_str(v, "previous_id")?,
            previous_unidentified: match v.get("previous_unidentified") {
                None | Some(Json::Null) => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => return Err("field `previous_unidentified` must be a boolean".to_owned()),
            },
            intent: opt_str(v, "intent")?,
        })
    }

    /// The record as pretty JSON. It holds secrets: write it only to a store.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = String::from("{\n");
        let field = |out: &mut String, key: &str| {
            let _ = write!(out, "  \"{key}\": ");
        };
        for (key, value) in [
            ("format", Some(self.format.as_str())),
            ("auth_url", Some(self.auth_url.as_str())),
            ("customer_id", Some(self.customer_id.as_str())),
            ("client_id", Some(self.client_id.as_str())),
            ("lineage", Some(self.lineage.as_str())),
            ("description", self.description.as_deref()),
            ("previous_id", self.previous_id.as_deref()),
            ("intent", self.intent.as_deref()),
        ] {
            field(&mut out, key);
            write_opt(&mut out, value);
            out.push_str(",\n");
        }
        let _ = write!(
            out,
            "  \"version\": {},\n  \"generation\": {},\n  \"updated_at_ms\": {},\n  \"previous_unidentified\": {},\n",
            self.version, self.generation, self.updated_at_ms, self.previous_unidentified
        );
        field(&mut out, "current");
        self.current.write(&mut out);
        out.push_str(",\n");
        field(&mut out, "pending");
        match &self.pending {
            Some(p) => p.write(&mut out),
            None => out.push_str("null"),
        }
        out.push_str("\n}\n");
        out
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

    pub(crate) fn next(&self, now_ms: u64) -> Self {
        let mut next = self.clone();
        next.generation += 1;
        next.updated_at_ms = now_ms;
        next
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
        let future = json.replace("\"version\": 1,", "\"version\": 99,");
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
        let mut after = before.next(1);
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
