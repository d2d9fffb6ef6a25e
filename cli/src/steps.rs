//! Names for what a flow just did, for logs, the demo's narration and the
//! crash hook. The core says why (a rotation's `stage()` and
//! `persist_reason()`); this only turns that into labels and never changes
//! what the core decided. Ids may be logged, secrets never.

use mapsindoors_auth::request::TOKEN_PATH;
use mapsindoors_auth::{ApiCall, HttpRequest, Method, PersistReason, Rotation, Seed, TokenFlow};

/// What a flow says about its outstanding step.
pub(crate) trait Described {
    /// The flow's stage (a rotation's `stage()`), if it has stages.
    fn stage(&self) -> Option<&'static str> {
        None
    }
    /// Why the outstanding `Persist` saves a record.
    fn save(&self) -> Save {
        Save::Other
    }
}

impl Described for Rotation {
    fn stage(&self) -> Option<&'static str> {
        Some(Rotation::stage(self))
    }
    fn save(&self) -> Save {
        self.persist_reason().map_or(Save::Other, Save::Rotation)
    }
}

impl Described for Seed {
    fn save(&self) -> Save {
        Save::Seed
    }
}

impl Described for TokenFlow {}
impl Described for ApiCall {}

/// A request, named by its role.
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
    /// Deleting the replaced secret, provably this store's own.
    DeleteOld,
    /// Deleting the orphan of an interrupted rotation (a sweep).
    Sweep,
    /// Deleting a pending secret that was never accepted.
    Abandon,
    /// A fenced delete an earlier run saved but did not finish.
    DeleteResumed,
    /// An explicit delete (`delete ID`).
    Delete,
    /// Anything else.
    Other,
}

impl Call {
    /// Names a request from the flow's stage when it was sent and the stage
    /// at which this run saved its last fence (what the delete is for).
    pub(crate) fn of(request: &HttpRequest, stage: Option<&str>, fenced_at: Option<&str>) -> Self {
        let is_token = url::Url::parse(&request.url)
            .map(|u| u.path().ends_with(TOKEN_PATH))
            .unwrap_or(false);
        match (request.method, is_token) {
            (Method::Post, true) if stage == Some("verify") => Call::Verify,
            (Method::Post, true) => Call::Login,
            (Method::Post, false) => Call::Create,
            (Method::Get, _) => Call::List,
            (Method::Delete, _) => match (stage, fenced_at) {
                (None, _) => Call::Delete,
                (_, Some("delete_old")) => Call::DeleteOld,
                (_, Some("sweep")) => Call::Sweep,
                (_, Some("abandon_pending")) => Call::Abandon,
                _ => Call::DeleteResumed,
            },
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
            Call::Sweep => "delete (sweep an orphan)",
            Call::Abandon => "delete the never-accepted pending secret",
            Call::DeleteResumed => "delete (fenced by an earlier run)",
            Call::Delete => "delete a secret",
            Call::Other => "request",
        }
    }
}

/// A saved record, named by why it was saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Save {
    /// A rotation step, as the core names it.
    Rotation(PersistReason),
    /// The first record of a seeded store.
    Seed,
    /// Anything else (a `claim`).
    Other,
}

impl Save {
    /// A short human label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Save::Rotation(PersistReason::Intent) => {
                "intent recorded (a crash from here on is swept by the next run)"
            }
            Save::Rotation(PersistReason::IntentCleared) => {
                "intent cleared: the server refused the create"
            }
            Save::Rotation(PersistReason::Pending) => "new secret persisted as pending",
            Save::Rotation(PersistReason::Promote) => {
                "promoted: the new secret is current; the old one is to delete or kept"
            }
            Save::Rotation(PersistReason::Fence) => {
                "fence saved: the id about to be deleted is out of every role"
            }
            Save::Rotation(PersistReason::Deleted) => "delete done: fence cleared",
            Save::Rotation(PersistReason::Forget) => {
                "a started rotation whose secret never appeared is forgotten"
            }
            Save::Rotation(_) => "record saved",
            Save::Seed => "store seeded (generation 1, before any remote change)",
            Save::Other => "record saved",
        }
    }

    /// A stable name for logs and the crash hook.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Save::Rotation(why) => why.as_str(),
            Save::Seed => "seed",
            Save::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str) -> HttpRequest {
        HttpRequest {
            method,
            url: format!("http://127.0.0.1:1/{path}?customerId=c&id=x"),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn requests_are_named_by_the_stage_the_core_reports() {
        let token = request(Method::Post, TOKEN_PATH);
        let delete = request(Method::Delete, "api/clientcredentials");
        assert_eq!(Call::of(&token, Some("verify"), None), Call::Verify);
        assert_eq!(Call::of(&token, Some("delete"), None), Call::Login);
        assert_eq!(Call::of(&token, None, None), Call::Login);
        assert_eq!(
            Call::of(&delete, Some("delete"), Some("delete_old")),
            Call::DeleteOld
        );
        assert_eq!(
            Call::of(&delete, Some("delete"), Some("sweep")),
            Call::Sweep
        );
        assert_eq!(
            Call::of(&delete, Some("delete"), Some("delete")),
            Call::DeleteResumed
        );
        assert_eq!(Call::of(&delete, None, None), Call::Delete);
        assert_eq!(
            Save::Rotation(PersistReason::Fence).name(),
            "fence",
            "the core's names"
        );
    }
}
