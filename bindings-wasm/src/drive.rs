//! The one loop that drives every core [`Flow`] over the JS host: send with
//! the transport, persist with the store, sleep with `setTimeout`.

use mapsindoors_auth::{Error, Flow, Step, StoreErrorKind};

use crate::platform::{now_ms, sleep};
use crate::store::JsStore;
use crate::transport::Transport;

/// Runs `flow` to its end.
pub(crate) async fn drive<F: Flow>(
    flow: &mut F,
    transport: &Transport,
    store: Option<&JsStore>,
) -> Result<F::Output, Error> {
    loop {
        match flow.poll(now_ms()) {
            Step::Send(request) => {
                let response = transport.send(&request).await;
                flow.on_response(response, now_ms());
            }
            Step::Persist(record) => {
                // Compare-and-swap: the store must still hold the generation before this one.
                let expected = record.generation.saturating_sub(1);
                let saved = match store {
                    Some(s) => s.save(*record, expected).await,
                    None => Err(Error::store(
                        StoreErrorKind::Io,
                        "this operation has no store",
                    )),
                };
                flow.on_persisted(saved);
            }
            Step::Sleep(ms) => sleep(ms).await,
            Step::Done(result) => return result,
        }
    }
}
