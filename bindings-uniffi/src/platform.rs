//! What the core leaves to its caller besides HTTP and storage: the clock,
//! sleeping and randomness, as the [`Platform`] trait. Apps never need to
//! implement it: by default a client uses `SystemPlatform` (the system
//! clock, a timer thread, the OS's randomness). Tests pass their own to run
//! a client on a fake clock with scripted randomness (the flow vectors).
//!
//! The timer needs no runtime: a sleep is a short-lived thread completing a
//! oneshot channel, so it works under any executor (Kotlin coroutines, Swift
//! tasks) and is simply abandoned when the awaiting task is cancelled.

use mapsindoors_auth::Error;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The clock, sleep and randomness a client uses. Meant for tests (a fake
/// clock, scripted randomness) and unusual platforms; pass `null` to get
/// the system's.
#[uniffi::export(with_foreign)]
#[async_trait::async_trait]
pub trait Platform: Send + Sync {
    /// The current time in Unix milliseconds.
    fn now_ms(&self) -> i64;

    /// Waits `ms` milliseconds (a retry's backoff, a server's `Retry-After`,
    /// a new secret's propagation).
    async fn sleep(&self, ms: i64);

    /// `len` fresh random bytes (a rotation takes 16, a seed 8). They name
    /// new secrets and a store's lineage: use a cryptographic source.
    fn random_bytes(&self, len: i32) -> Vec<u8>;
}

/// The real platform: the system clock, a timer thread and the OS's randomness.
pub(crate) struct SystemPlatform;

#[async_trait::async_trait]
impl Platform for SystemPlatform {
    fn now_ms(&self) -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
    }

    async fn sleep(&self, ms: i64) {
        timer(u64::try_from(ms).unwrap_or(0)).await;
    }

    fn random_bytes(&self, len: i32) -> Vec<u8> {
        let mut bytes = vec![0u8; usize::try_from(len).unwrap_or(0)];
        // An empty answer is refused by the caller with a typed error.
        getrandom::fill(&mut bytes).map_or(Vec::new(), |()| bytes)
    }
}

/// `N` fresh random bytes from `platform`.
pub(crate) fn random<const N: usize>(platform: &dyn Platform) -> Result<[u8; N], Error> {
    let len = i32::try_from(N).unwrap_or(i32::MAX);
    platform
        .random_bytes(len)
        .try_into()
        .map_err(|bytes: Vec<u8>| Error::InvalidInput {
            field: "random".to_owned(),
            reason: format!("the platform gave {} random bytes, not {N}", bytes.len()),
        })
}

/// Waits `ms` milliseconds on a timer thread without blocking the caller's thread.
pub(crate) async fn timer(ms: u64) {
    if ms == 0 {
        return;
    }
    let (tx, rx) = futures_channel::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("mia-timer".to_owned())
        .spawn(move || {
            std::thread::sleep(Duration::from_millis(ms));
            let _ = tx.send(());
        });
    if spawned.is_ok() {
        let _ = rx.await;
    }
}

/// A wall-clock deadline: ready `ms` milliseconds after it was made. It runs
/// on a thread of its own (no async runtime needed) that waits on a channel:
/// dropping the deadline (the request answered first) wakes that thread at
/// once and it ends, so no thread outlives the request it guards.
pub(crate) struct Deadline {
    fired: futures_channel::oneshot::Receiver<()>,
    /// Dropped with the deadline: the thread's wait ends as "disconnected".
    _cancel: std::sync::mpsc::Sender<()>,
}

impl Deadline {
    /// A deadline `ms` from now, or `None` if no thread could be started
    /// (the transport's own timeout is then the only bound).
    pub(crate) fn after(ms: u64) -> Option<Self> {
        let (fire, fired) = futures_channel::oneshot::channel::<()>();
        let (cancel, cancelled) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("mia-deadline".to_owned())
            .spawn(move || {
                if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    cancelled.recv_timeout(Duration::from_millis(ms))
                {
                    let _ = fire.send(());
                }
            })
            .ok()?;
        Some(Self {
            fired,
            _cancel: cancel,
        })
    }
}

impl std::future::Future for Deadline {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        // The thread sends only when the time is up; it drops its sender
        // without sending only after we dropped `_cancel`, i.e. never while
        // this is polled. Either way the wait is over.
        std::pin::Pin::new(&mut self.fired).poll(cx).map(|_| ())
    }
}
