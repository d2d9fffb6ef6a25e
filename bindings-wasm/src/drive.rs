//! The one loop that drives every core [`Task`] over the JS host: send with
//! the transport, load and save with the store, sleep with `setTimeout`.
//! Before each step it tells `onProgress` what the step is for; after it,
//! `onEvent` what it did (the core's [`Event`], timed here).

use mapsindoors_auth::session::WAIT_MS;
use mapsindoors_auth::{Error, Event, Flow, Outcome, Step, Task};

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
    // Milliseconds since `start` by the host's clock (never negative).
    let since = |start: u64| host.now_ms().saturating_sub(start);
    let report = |event: Event| host.event(&event);
    loop {
        let step = task.poll(host.now_ms());
        host.report(&step);
        let start = host.now_ms();
        match step {
            Step::Send(request, purpose) => {
                let sent = host
                    .transport
                    .send(&request, purpose, host.timeout_ms)
                    .await;
                if host.wants_events() {
                    report(Event::sent(purpose, &sent, since(start)));
                }
                task.on_response(sent, host.now_ms());
            }
            Step::Load => {
                let loaded = match store {
                    Some(s) => s.load().await,
                    None => Err(no_store()),
                };
                if host.wants_events() {
                    report(Event::loaded(&loaded, since(start)));
                }
                task.on_loaded(loaded);
            }
            // A compare-and-swap: the store must still hold the generation before this one.
            Step::Persist(record, reason) => {
                let generation = record.generation;
                let saved = match store {
                    Some(s) => s.save(*record, generation.saturating_sub(1)).await,
                    None => Err(no_store()),
                };
                if host.wants_events() {
                    report(Event::persisted(reason, generation, &saved, since(start)));
                }
                task.on_persisted(saved);
            }
            Step::Sleep(ms, reason) => {
                host.sleep(ms, reason.as_str()).await;
                report(Event::slept(reason, since(start)));
            }
            // Another task of the session is logging in: a short real wait, then poll again.
            Step::Wait(ms) => timer(ms.min(WAIT_MS)).await,
            Step::Done(result) => return result,
        }
    }
}
