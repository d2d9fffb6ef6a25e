//! Names for what a flow just did, read off the requests and records the
//! driver sees (for logs, the demo's narration and the crash hook). It only
//! observes: it never changes what the core decided.

use mapsindoors_auth::request::{SECRETS_PATH, TOKEN_PATH};
use mapsindoors_auth::{HttpRequest, Method, StoreRecord};

/// A request, named by its role in a rotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Call {
    /// A login with the current secret.
    Login,
    /// A login with the pending secret: the verify step.
    Verify,
    /// Creating a secret.
    Create,
    /// Listing secrets.
    List,
    /// Deleting the replaced secret (the record's `previous_id`).
    DeleteOld,
    /// Deleting any other secret: an orphan in a sweep, or an explicit delete.
    DeleteOther,
    /// Anything else.
    Other,
}

impl Call {
    /// Names a request given the record as last persisted.
    pub(crate) fn of(request: &HttpRequest, record: Option<&StoreRecord>) -> Self {
        let path = url::Url::parse(&request.url)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        if path.ends_with(TOKEN_PATH) {
            return if record.is_some_and(|r| r.pending.is_some()) {
                Call::Verify
            } else {
                Call::Login
            };
        }
        if !path.ends_with(SECRETS_PATH) {
            return Call::Other;
        }
        match request.method {
            Method::Get => Call::List,
            Method::Post => Call::Create,
            Method::Delete => {
                let id = query_id(&request.url);
                let previous = record.and_then(|r| r.previous_id.as_deref());
                if id.is_some() && id.as_deref() == previous {
                    Call::DeleteOld
                } else {
                    Call::DeleteOther
                }
            }
            _ => Call::Other,
        }
    }

    /// A short human label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Call::Login => "log in with the current secret",
            Call::Verify => "verify: log in with the pending secret",
            Call::Create => "create the new secret",
            Call::List => "list the client's secrets",
            Call::DeleteOld => "delete the old secret",
            Call::DeleteOther => "delete (sweep an orphan)",
            Call::Other => "request",
        }
    }
}

/// The `id` query parameter of a delete.
pub(crate) fn query_id(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("id"))
        .map(|(_, v)| v.into_owned())
}

/// A saved record, named by what changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Save {
    /// An intent to create was recorded.
    Intent,
    /// A new secret was saved as pending.
    Pending,
    /// The pending secret became current.
    Promote,
    /// The old secret is gone from the record.
    PreviousCleared,
    /// Orphans were swept: the intent was cleared.
    Swept,
    /// A pending secret that never worked was abandoned.
    Abandoned,
    /// Anything else.
    Other,
}

impl Save {
    /// Names the change from `before` to `after`.
    pub(crate) fn of(before: Option<&StoreRecord>, after: &StoreRecord) -> Self {
        let Some(before) = before else {
            return Save::Other;
        };
        match (&before.pending, &after.pending) {
            (None, Some(_)) => return Save::Pending,
            (Some(p), None) if after.current.id == p.id && after.current.id.is_some() => {
                return Save::Promote;
            }
            (Some(_), None) => return Save::Abandoned,
            _ => {}
        }
        if (before.previous_id.is_some() || before.previous_unidentified)
            && after.previous_id.is_none()
            && !after.previous_unidentified
        {
            return Save::PreviousCleared;
        }
        match (&before.intent, &after.intent) {
            (_, Some(_)) if before.intent != after.intent => Save::Intent,
            (Some(_), None) => Save::Swept,
            _ => Save::Other,
        }
    }

    /// A short human label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Save::Intent => "intent recorded (a crash from here on is swept by the next run)",
            Save::Pending => "new secret persisted as pending",
            Save::Promote => "promoted: the new secret is current, the old id kept as previous",
            Save::PreviousCleared => "old secret cleared from the record",
            Save::Swept => "intent cleared: nothing left to sweep",
            Save::Abandoned => "pending secret abandoned (never accepted)",
            Save::Other => "record saved",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapsindoors_auth::{ClientSecret, Config, StoredSecret};

    fn record() -> StoreRecord {
        let config = Config::new("http://127.0.0.1:1")
            .unwrap()
            .with_customer_id("c")
            .unwrap();
        StoreRecord::new(
            &config,
            "client",
            ClientSecret::new("s"),
            Some("old".into()),
            "l-1",
        )
        .unwrap()
    }

    #[test]
    fn saves_are_named_by_what_changed() {
        let r1 = record();
        let mut r2 = r1.clone();
        r2.intent = Some("r-1".into());
        assert_eq!(Save::of(Some(&r1), &r2), Save::Intent);
        let mut r3 = r2.clone();
        r3.intent = None;
        r3.pending = Some(StoredSecret {
            id: Some("new".into()),
            secret: ClientSecret::new("n"),
            created_at: None,
            rotation: None,
        });
        assert_eq!(Save::of(Some(&r2), &r3), Save::Pending);
        let mut r4 = r3.clone();
        r4.current = r4.pending.take().unwrap();
        r4.previous_id = Some("old".into());
        assert_eq!(Save::of(Some(&r3), &r4), Save::Promote);
        let mut r5 = r4.clone();
        r5.previous_id = None;
        assert_eq!(Save::of(Some(&r4), &r5), Save::PreviousCleared);
        assert_eq!(Save::of(Some(&r2), &r1), Save::Swept);
    }

    #[test]
    fn deletes_of_the_previous_id_are_the_old_secret() {
        let mut r = record();
        r.previous_id = Some("old".into());
        let request = |id: &str| HttpRequest {
            method: Method::Delete,
            url: format!("http://127.0.0.1:1/api/clientcredentials?customerId=c&id={id}"),
            headers: Vec::new(),
            body: Vec::new(),
        };
        assert_eq!(Call::of(&request("old"), Some(&r)), Call::DeleteOld);
        assert_eq!(Call::of(&request("orphan"), Some(&r)), Call::DeleteOther);
    }
}
