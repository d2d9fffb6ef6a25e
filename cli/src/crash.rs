//! The crash-test hook: with `MIA_CRASH_AT=<point>` the process SIGKILLs
//! itself right after that rotation step (no destructors, no flushes), so
//! tests can prove every crash point is recoverable. Inert when unset.

use crate::driver::Event;
use crate::steps::{Call, Save};
use mapsindoors_auth::PersistReason;

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

    fn reached(self, event: &Event<'_>) -> bool {
        match (self, event) {
            (
                CrashPoint::AfterCreate,
                Event::Received {
                    call: Call::Create,
                    response: Ok(r),
                    ..
                },
            ) => (200..300).contains(&r.status),
            (
                CrashPoint::AfterVerify,
                Event::Received {
                    call: Call::Verify,
                    response: Ok(r),
                    ..
                },
            ) => r.status == 200,
            (
                CrashPoint::AfterDelete,
                Event::Received {
                    call: Call::DeleteOld,
                    response: Ok(_),
                    ..
                },
            ) => true,
            (
                CrashPoint::MidSweep,
                Event::Received {
                    call: Call::Sweep,
                    response: Ok(_),
                    ..
                },
            ) => true,
            (
                CrashPoint::AfterPersistPending,
                Event::Persisted {
                    save: Save::Rotation(PersistReason::Pending),
                    ..
                },
            ) => true,
            (
                CrashPoint::AfterPromote,
                Event::Persisted {
                    save: Save::Rotation(PersistReason::Promote),
                    ..
                },
            ) => true,
            (
                CrashPoint::AfterFence,
                Event::Persisted {
                    save: Save::Rotation(PersistReason::Fence),
                    ..
                },
            ) => true,
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
