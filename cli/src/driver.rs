//! The one drive loop: answers each [`Step`] of a core [`Task`] with a
//! [`Platform`] (HTTP, store, clock, sleep) and reports what it did as an
//! [`Event`] that carries the step's own purpose or reason. Decides nothing.

use mapsindoors_auth::Event as CoreEvent;
use mapsindoors_auth::{
    Error, Flow as _, HttpRequest, HttpResponse, Outcome, PersistReason, Purpose, RotationReport,
    SleepReason, Step, StoreRecord, Task, TransportError,
};
use std::time::{Duration, Instant};

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// What the driver needs from the machine it runs on.
pub trait Platform {
    /// Now, in Unix milliseconds.
    fn now_ms(&self) -> u64;

    /// Sends a request; any status is a response.
    ///
    /// # Errors
    /// No response arrived.
    fn send(&self, request: &HttpRequest, purpose: Purpose)
    -> Result<HttpResponse, TransportError>;

    /// The store's record; `None` for an empty store.
    ///
    /// # Errors
    /// The store could not be read.
    fn load(&self) -> Result<Option<StoreRecord>, Error>;

    /// Saves `record` by compare-and-swap: only if the store still holds
    /// generation `record.generation - 1` (0: only if it is empty).
    ///
    /// # Errors
    /// A `Store` error of kind `Conflict` when another writer came first.
    fn save(&self, record: &StoreRecord, reason: PersistReason) -> Result<(), Error>;

    /// Sleeps before polling again.
    fn sleep(&self, ms: u64, reason: SleepReason);

    /// Another task of the session is logging in: wait a little, then poll again.
    fn wait(&self, ms: u64) {
        std::thread::sleep(Duration::from_millis(ms));
    }

    /// Fills `bytes` with fresh randomness (a rotation's nonce).
    ///
    /// # Errors
    /// No randomness is available.
    fn random(&self, bytes: &mut [u8]) -> Result<(), Error>;

    /// Something the driver just did (progress output, logs, the crash hook).
    fn observe(&self, event: &Event<'_>) {
        let _ = event;
    }
}

/// Something the driver just did, named by the core's purpose or reason.
#[derive(Debug)]
pub enum Event<'a> {
    /// A response (or a transport failure) arrived.
    Received {
        /// What was sent.
        request: &'a HttpRequest,
        /// What it was for.
        purpose: Purpose,
        /// What came back.
        response: &'a Result<HttpResponse, TransportError>,
        /// How long it took.
        elapsed: Duration,
    },
    /// A record was durably saved.
    Persisted {
        /// Why.
        reason: PersistReason,
        /// The record now in the store.
        record: &'a StoreRecord,
    },
    /// A step was taken, as the core reports it to every binding's listener
    /// (`--log-format json` prints it).
    Step(&'a mapsindoors_auth::Event),
    /// The task asked to sleep.
    Sleeping {
        /// How long.
        ms: u64,
        /// Why.
        reason: SleepReason,
    },
}

/// Runs a task to the end. A rotation that fails first hands `partial` its
/// report so far (kept at each step: the finished task no longer has it).
///
/// # Errors
/// The task's error.
pub fn drive<P: Platform + ?Sized>(
    task: &mut Task,
    platform: &P,
    partial: impl FnOnce(&RotationReport),
) -> Result<Outcome, Error> {
    let mut report = None;
    loop {
        report = task.report().cloned().or(report);
        match task.poll(platform.now_ms()) {
            Step::Send(request, purpose) => {
                let why = purpose.as_str();
                tracing::debug!(method = %request.method, url = %request.url, why, "sending");
                let started = Instant::now();
                let response = platform.send(&request, purpose);
                let elapsed = started.elapsed();
                let ms = elapsed.as_millis();
                match &response {
                    Ok(r) => tracing::debug!(status = r.status, ms, why, "response"),
                    Err(e) => tracing::debug!(error = %e, ms, why, "no response"),
                }
                platform.observe(&Event::Received {
                    request: &request,
                    purpose,
                    response: &response,
                    elapsed,
                });
                let ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
                platform.observe(&Event::Step(&CoreEvent::sent(purpose, &response, ms)));
                task.on_response(response, platform.now_ms());
            }
            Step::Load => {
                let started = Instant::now();
                let loaded = platform.load();
                platform.observe(&Event::Step(&CoreEvent::loaded(&loaded, millis(started))));
                task.on_loaded(loaded);
            }
            Step::Persist(record, reason) => {
                let started = Instant::now();
                let result = platform.save(&record, reason);
                platform.observe(&Event::Step(&CoreEvent::persisted(
                    reason,
                    record.generation,
                    &result,
                    millis(started),
                )));
                match &result {
                    Ok(()) => platform.observe(&Event::Persisted {
                        reason,
                        record: &record,
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, why = reason.as_str(), "persisting failed")
                    }
                }
                task.on_persisted(result);
            }
            Step::Sleep(ms, reason) => {
                platform.observe(&Event::Sleeping { ms, reason });
                platform.sleep(ms, reason);
                platform.observe(&Event::Step(&CoreEvent::slept(reason, ms)));
            }
            Step::Wait(ms) => platform.wait(ms),
            Step::Done(result) => {
                if let (Err(_), Some(report)) = (&result, &report) {
                    partial(report);
                }
                return result;
            }
        }
    }
}
