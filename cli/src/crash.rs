//! The crash-test hook: with `MIA_CRASH_AT=<point>` the process SIGKILLs
//! itself right after that rotation step (no destructors, no flushes), so
//! tests can prove every crash point is recoverable. Inert when unset. The
//! points are keyed on the core's [`Purpose`] and [`PersistReason`].

use crate::driver::Event;
use mapsindoors_auth::{PersistReason, Purpose};

/// The environment variable naming the crash point.
pub(crate) const ENV: &str = "MIA_CRASH_AT";

/// Where to die.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CrashPoint {
    /// The create response arrived; nothing persisted yet.
    AfterCreate,
    /// The new secret was saved as pending.
    AfterPersistPending,
    /// The pending secret logged in successfully.
    AfterVerify,
    /// The pending secret was saved as current.
    AfterPromote,
    /// The fence of a delete was saved (the id is out of every role, named in
    /// `deleting`); the DELETE is not sent yet.
    AfterFence,
    /// The old secret's delete was answered; the record still names it in `deleting`.
    AfterDelete,
    /// The first orphan delete of a sweep was answered.
    MidSweep,
}

impl CrashPoint {
    /// Every point, with its name.
    pub(crate) const ALL: [(&'static str, CrashPoint); 7] = [
        ("after_create", CrashPoint::AfterCreate),
        ("after_persist_pending", CrashPoint::AfterPersistPending),
        ("after_verify", CrashPoint::AfterVerify),
        ("after_promote", CrashPoint::AfterPromote),
        ("after_fence", CrashPoint::AfterFence),
        ("after_delete", CrashPoint::AfterDelete),
        ("mid_sweep", CrashPoint::MidSweep),
    ];

    /// The point named in the environment, if any.
    ///
    /// # Errors
    /// An unknown name, so a typo in a test cannot pass silently.
    pub(crate) fn from_env() -> Result<Option<Self>, String> {
        let Ok(name) = std::env::var(ENV) else {
            return Ok(None);
        };
        Self::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| Some(*p))
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|(n, _)| *n).collect();
                format!("{ENV}={name} is not one of {}", names.join(", "))
            })
    }

    /// Whether `event` is this point: read from the step's purpose or reason.
    fn reached(self, event: &Event<'_>) -> bool {
        match (self, event) {
            (
                point,
                Event::Received {
                    purpose,
                    response: Ok(r),
                    ..
                },
            ) => match point {
                CrashPoint::AfterCreate => *purpose == Purpose::Create && r.status / 100 == 2,
                CrashPoint::AfterVerify => *purpose == Purpose::Verify && r.status == 200,
                CrashPoint::AfterDelete => *purpose == Purpose::DeleteOld,
                CrashPoint::MidSweep => *purpose == Purpose::DeleteOrphan,
                _ => false,
            },
            (point, Event::Persisted { reason, .. }) => {
                let at = match point {
                    CrashPoint::AfterPersistPending => PersistReason::Pending,
                    CrashPoint::AfterPromote => PersistReason::Promote,
                    CrashPoint::AfterFence => PersistReason::Fence,
                    _ => return false,
                };
                *reason == at
            }
            _ => false,
        }
    }

    /// SIGKILLs this process if `event` is this crash point.
    pub(crate) fn observe(self, event: &Event<'_>) {
        if self.reached(event) {
            tracing::warn!("{ENV}: SIGKILL at {self:?}");
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::KILL,
            );
        }
    }
}
