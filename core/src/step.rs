//! The push/pull contract shared by every flow: a flow hands out a [`Step`]
//! and takes back what happened. Bindings write one loop over [`Flow`].

use crate::error::Error;
use crate::http::{HttpResponse, TransportError};
use crate::record::StoreRecord;

/// What the caller must do next.
#[derive(Debug)]
#[must_use]
pub enum Step<T> {
    /// Send this request, then call [`Flow::on_response`] with the outcome.
    Send(crate::http::HttpRequest),
    /// Durably save this record (replacing the one of generation
    /// `record.generation - 1`), then call [`Flow::on_persisted`].
    Persist(Box<StoreRecord>),
    /// Sleep this many milliseconds, then poll again.
    Sleep(u64),
    /// Finished. Polling again is a misuse and yields an error.
    Done(Result<T, Error>),
}

/// A resumable protocol flow driven by the caller.
///
/// The loop, in any language:
/// ```text
/// loop {
///     match flow.poll(now_ms()) {
///         Step::Send(req)    => flow.on_response(transport.send(req), now_ms()),
///         Step::Persist(rec) => flow.on_persisted(store.save(rec)),
///         Step::Sleep(ms)    => sleep(ms),
///         Step::Done(result) => return result,
///     }
/// }
/// ```
pub trait Flow {
    /// What the flow yields when done.
    type Output;

    /// The next step, given the current time in Unix milliseconds.
    fn poll(&mut self, now_ms: u64) -> Step<Self::Output>;

    /// The outcome of the last [`Step::Send`]: a response of any status, or
    /// a transport failure.
    fn on_response(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64);

    /// The outcome of the last [`Step::Persist`].
    fn on_persisted(&mut self, result: Result<(), Error>);
}

pub(crate) fn misuse(what: &str) -> Error {
    Error::InvalidInput {
        field: "flow".to_owned(),
        reason: format!("driven out of order: {what}"),
    }
}
