//! The crash-test hook: with `MIA_CRASH_AT=<point>` the process SIGKILLs
//! itself right after that rotation step (no destructors, no flushes), so
//! tests can prove every crash point is recoverable. Inert when unset. The
//! points are keyed on the core's [`Purpose`] and [`PersistReason`].

use crate::driver::Event;
use mapsindoors_auth::{Error, PersistReason, Purpose};

/// The environment variable naming the crash point.
const ENV: &str = "MIA_CRASH_AT";

/// The step a point follows, as the core's step names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// A response to a request for this purpose arrived (for a create or a
    /// verify: a success).
    Answer(Purpose),
    /// A record was saved for this reason.
    Save(PersistReason),
}

/// Every point, by name. `after_fence`: the id is out of every role, named in
/// `deleting`, and the DELETE is not sent yet; `after_delete`: the old
/// secret's delete was answered, the record still names it in `deleting`;
/// `mid_sweep`: the first orphan delete of a sweep was answered.
const POINTS: [(&str, After); 7] = [
    ("after_create", After::Answer(Purpose::Create)),
    ("after_persist_pending", After::Save(PersistReason::Pending)),
    ("after_verify", After::Answer(Purpose::Verify)),
    ("after_promote", After::Save(PersistReason::Promote)),
    ("after_fence", After::Save(PersistReason::Fence)),
    ("after_delete", After::Answer(Purpose::DeleteOld)),
    ("mid_sweep", After::Answer(Purpose::DeleteOrphan)),
];

/// Where to die.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CrashPoint {
    name: &'static str,
    after: After,
}

impl CrashPoint {
    /// The point named in the environment, if any.
    ///
    /// # Errors
    /// An unknown name, so a typo in a test cannot pass silently.
    pub(crate) fn from_env() -> Result<Option<Self>, Error> {
        let Ok(name) = std::env::var(ENV) else {
            return Ok(None);
        };
        let Some(&(name, after)) = POINTS.iter().find(|(n, _)| *n == name) else {
            let names: Vec<_> = POINTS.iter().map(|(n, _)| *n).collect();
            return Err(Error::InvalidInput {
                field: ENV.into(),
                reason: format!("{ENV}={name} is not one of {}", names.join(", ")),
            });
        };
        Ok(Some(Self { name, after }))
    }

    /// Whether `event` is this point: read from the step's purpose or reason.
    fn reached(self, event: &Event<'_>) -> bool {
        match (self.after, event) {
            (
                After::Answer(at),
                Event::Received {
                    purpose,
                    response: Ok(r),
                    ..
                },
            ) if at == *purpose => match at {
                Purpose::Create => r.status / 100 == 2,
                Purpose::Verify => r.status == 200,
                _ => true,
            },
            (After::Save(at), Event::Persisted { reason, .. }) => at == *reason,
            _ => false,
        }
    }

    /// SIGKILLs this process if `event` is this crash point.
    pub(crate) fn observe(self, event: &Event<'_>) {
        if self.reached(event) {
            tracing::warn!("{ENV}: SIGKILL at {}", self.name);
            let _ = rustix::process::kill_process(
                rustix::process::getpid(),
                rustix::process::Signal::KILL,
            );
        }
    }
}
