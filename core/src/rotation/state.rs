//! The rotation's state, typed: where the run is ([`Stage`]), what it holds
//! in hand ([`Control`] around one [`Action`]), and the propagation wait so
//! far ([`Waited`]).
//!
//! Two levels. `Rotation::plan` picks the next stage from the **store record**
//! alone plus what this run has learnt, so a run that starts from any crash
//! point resumes where the record says (first matching row wins):
//!
//! | record / run knows | stage | asks for | on success | on failure |
//! |---|---|---|---|---|
//! | `deleting = id` | `delete` | fence saved by this run? else `Persist(Fence)` again; then `DELETE` (`delete_old`, `delete_orphan`, `delete_abandoned`) | `Persist(Deleted)` clears `deleting` | 404 = gone; 401 on a cached token: log in, again; a refusal for good: kept, `Persist(Deleted)`; else fail |
//! | `pending`, no token of it | `verify` | `Send(Verify)`: log in with the pending secret | token kept | `invalid_client`: `Sleep(Propagation)` while the wait lasts; then, pending from an earlier run: `abandon_pending` (fence + delete it, rotate again); else fail |
//! | `pending`, its token held | `promote` | `Persist(Promote)`: current = new; old to `previous_id` if owned, else to `kept` | | fail |
//! | `previous_id = id` | `delete_old` | current token (cache or `Send(Login)`), then `Persist(Fence)` | → `delete` | fail |
//! | a started rotation not yet looked for | `sweep` | token, `Send(List)`, then fence its orphan, `Persist(Forget)` the intent past the grace, or keep ambiguous copies | → `delete` or next | fail |
//! | a new rotation still wanted | `login` → `create` | token, `Persist(Intent)`, `Send(Create)` (never retried) | `persist_pending`: `Persist(Pending)` → `verify` | a 4xx: `CreateRefused`, `Persist(IntentCleared)`, then fail with it; ambiguous: fail (the next sweep reconciles) |
//! | nothing left | | `Done(report)` | | |
//!
//! [`Control`] moves one step at a time, the only place `poll`,
//! `on_response` and `on_persisted` look:
//!
//! ```text
//! Plan ──plan()──▶ Ready(action) ──poll: Send / Persist──▶ Awaiting(action)
//!   ▲  └─nothing left──▶ Done            │ poll: retry backoff Sleep (stays Ready)
//!   │                                      ▼
//!   ├──── answer handled ◀──── on_response / on_persisted ──▶ Ready (retry) | Sleep(ms) | Failed(e)
//!   └──── Sleep(ms) ──poll: Sleep(Propagation)──┘                    Failed(e) ──poll──▶ Done(Err e)
//! ```

use crate::error::Error;
use crate::exchange::Exchange;
use crate::model::{CreatedSecret, SecretInfo, Token};
use crate::record::StoreRecord;
use crate::step::PersistReason;

/// Which secret a login uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Current,
    Pending,
}

/// What a fenced delete removes, for the report and the request's purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    /// The replaced secret, provably this store's own.
    Old,
    /// The secret of a rotation whose answer was never saved.
    Orphan,
    /// A pending secret the server never accepted.
    Abandoned,
}

/// Where the run is (the table in the module doc); named in
/// `rotation_incomplete` errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stage {
    Login,
    Create,
    /// The server refused the create (a 4xx): clearing the intent, then
    /// failing with this error.
    CreateRefused(Box<Error>),
    PersistPending,
    Verify,
    Promote,
    DeleteOld,
    Delete,
    Sweep,
    AbandonPending,
}

impl Stage {
    /// The stable name in errors and reports.
    pub(super) fn as_str(&self) -> &'static str {
        match self {
            Stage::Login => "login",
            Stage::Create | Stage::CreateRefused(_) => "create",
            Stage::PersistPending => "persist_pending",
            Stage::Verify => "verify",
            Stage::Promote => "promote",
            Stage::DeleteOld => "delete_old",
            Stage::Delete => "delete",
            Stage::Sweep => "sweep",
            Stage::AbandonPending => "abandon_pending",
        }
    }
}

/// One step in hand: a request (with its retry state) or a save.
#[derive(Clone)]
pub(super) enum Action {
    Login(Source, Exchange<Token>),
    Create(Exchange<CreatedSecret>),
    Delete(String, Exchange<()>),
    List(Exchange<Vec<SecretInfo>>),
    Persist(Box<StoreRecord>, PersistReason),
}

/// The step-level state (the diagram in the module doc).
#[derive(Clone)]
pub(super) enum Control {
    /// Nothing in hand: plan the next action from the record.
    Plan,
    /// An action to hand out (again, after a retry's backoff).
    Ready(Action),
    /// Its step was handed out; waiting for the answer.
    Awaiting(Action),
    /// A propagation wait to hand out, then plan again.
    Sleep(u64),
    /// Stopped: this error is the outcome.
    Failed(Error),
    /// The outcome was handed out.
    Done,
}

/// The propagation wait so far (for a pending or just-promoted secret).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Waited {
    pub(super) failures: u32,
    pub(super) waited_ms: u64,
}
