//! The one loop that drives every core [`Task`] over the JS host: send with
//! the transport, load and save with the store, sleep with `setTimeout`.

use mapsindoors_auth::session::WAIT_MS;
use mapsindoors_auth::{Error, Flow, Outcome, Step, Task};

use crate::errors::invalid_input;
use crate::platform::{Platform, timer};
use crate::store::JsStore;

/// Runs `task` to its end.
pub(crate) async fn drive(
    task: &mut Task,
    host: &Platform,
    store: Option<&JsStore>,
) -> Result<Outcome, Error> {
    let no_store = || invalid_input("store", "this call needs a store");
    loop {
        let step = task.poll(host.now_ms());
        host.report(&step);
        match step {
            Step::Send(request, purpose) => {
                let sent = host
                    .transport
                    .send(&request, purpose, host.timeout_ms)
                    .await;
                task.on_response(sent, host.now_ms());
            }
            Step::Load => task.on_loaded(match store {
                Some(s) => s.load().await,
                None => Err(no_store()),
            }),
            // A compare-and-swap: the store must still hold the generation before this one.
            Step::Persist(record, _) => task.on_persisted(match store {
                Some(s) => {
                    let expected = record.generation.saturating_sub(1);
                    s.save(*record, expected).await
                }
                None => Err(no_store()),
            }),
            Step::Sleep(ms, reason) => host.sleep(ms, reason.as_str()).await,
            // Another task of the session is logging in: a short real wait, then poll again.
            Step::Wait(ms) => timer(ms.min(WAIT_MS)).await,
            Step::Done(result) => return result,
        }
    }
}
