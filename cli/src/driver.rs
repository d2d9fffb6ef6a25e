//! The sync loop over a core [`Flow`]: transport = ureq, persist =
//! [`FileStore::save`], sleep = `thread::sleep`, now = the system clock. It
//! reports each step to an observer (logs, demo, crash hook) and decides nothing.

use crate::steps::{Call, Save};
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
        /// Its role, read off the request and the record.
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
pub(crate) fn drive<F: Flow>(
    flow: &mut F,
    transport: &Transport,
    store: Option<&FileStore>,
    mut record: Option<StoreRecord>,
    observer: &mut dyn FnMut(&Event<'_>),
) -> Result<F::Output, Error> {
    loop {
        match flow.poll(now_ms()) {
            Step::Send(request) => {
                let call = Call::of(&request, record.as_ref());
                tracing::debug!(method = %request.method, url = %request.url, step = call.label(), "sending");
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
                let result = match store {
                    Some(s) => s.save(&next),
                    None => Err(Error::store(
                        mapsindoors_auth::StoreErrorKind::Io,
                        "this command has no store to save to",
                    )),
                };
                match &result {
                    Ok(()) => {
                        let save = Save::of(record.as_ref(), &next);
                        tracing::debug!(
                            generation = next.generation,
                            what = save.label(),
                            "persisted"
                        );
                        observer(&Event::Persisted {
                            save,
                            record: &next,
                        });
                        record = Some(*next);
                    }
                    Err(e) => tracing::warn!(error = %e, "persisting failed"),
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
