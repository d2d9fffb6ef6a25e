//! The sync loop over a core [`Flow`]: transport = ureq, persist = a
//! compare-and-swap save ([`FileStore::create`] for generation 1, when the store
//! must be empty; [`FileStore::save`] after), sleep = `thread::sleep`, now = the
//! system clock. It reports each step to an observer (logs, demo, crash hook)
//! and decides nothing.

use crate::steps::{Call, Described, Save};
use crate::transport::Transport;
use mapsindoors_auth::{Error, Flow, HttpRequest, HttpResponse, Step, StoreRecord, TransportError};
use mapsindoors_auth_store::FileStore;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Something the driver just did.
pub(crate) enum Event<'a> {
    /// A response (or transport failure) arrived for a request.
    Received {
        /// What was sent.
        request: &'a HttpRequest,
        /// Its role, as the flow's stage says.
        call: Call,
        /// What came back.
        response: &'a Result<HttpResponse, TransportError>,
        /// How long it took.
        elapsed: Duration,
    },
    /// A record was durably saved.
    Persisted {
        /// What changed.
        save: Save,
        /// The record now on disk.
        record: &'a StoreRecord,
    },
    /// The flow asked to wait.
    Sleeping(u64),
}

/// Now, in Unix milliseconds.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Runs a flow to the end.
pub(crate) fn drive<F: Flow + Described>(
    flow: &mut F,
    transport: &Transport,
    store: Option<&FileStore>,
    observer: &mut dyn FnMut(&Event<'_>),
) -> Result<F::Output, Error> {
    // The stage at which this run saved its last fence: what its next delete is for.
    let mut fenced_at: Option<&'static str> = None;
    loop {
        let step = flow.poll(now_ms());
        let stage = flow.stage();
        match step {
            Step::Send(request) => {
                let call = Call::of(&request, stage, fenced_at);
                tracing::debug!(method = %request.method, url = %request.url, stage, step = call.label(), "sending");
                let started = Instant::now();
                let response = transport.send(&request);
                let elapsed = started.elapsed();
                match &response {
                    Ok(r) => {
                        tracing::debug!(status = r.status, ms = elapsed.as_millis(), "response")
                    }
                    Err(e) => tracing::debug!(error = %e, ms = elapsed.as_millis(), "no response"),
                }
                observer(&Event::Received {
                    request: &request,
                    call,
                    response: &response,
                    elapsed,
                });
                flow.on_response(response, now_ms());
            }
            Step::Persist(next) => {
                let save = flow.save();
                let result = match store {
                    Some(s) if next.generation == 1 => s.create(&next),
                    Some(s) => s.save(&next),
                    None => Err(Error::store(
                        mapsindoors_auth::StoreErrorKind::Io,
                        "this command has no store to save to",
                    )),
                };
                match &result {
                    Ok(()) => {
                        tracing::debug!(
                            generation = next.generation,
                            why = save.name(),
                            stage,
                            deleting = next.deleting.as_deref(),
                            "persisted"
                        );
                        if save == Save::Rotation(mapsindoors_auth::PersistReason::Fence) {
                            fenced_at = stage;
                        }
                        observer(&Event::Persisted {
                            save,
                            record: &next,
                        });
                    }
                    Err(e) => tracing::warn!(error = %e, why = save.name(), "persisting failed"),
                }
                flow.on_persisted(result);
            }
            Step::Sleep(ms) => {
                tracing::debug!(ms, "sleeping");
                observer(&Event::Sleeping(ms));
                std::thread::sleep(Duration::from_millis(ms));
            }
            Step::Done(result) => return result,
        }
    }
}
