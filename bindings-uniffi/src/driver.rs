//! The one loop that drives every core [`Flow`] over the app's transport and
//! store, plus what the core leaves to its caller: the clock, a timer and
//! randomness. No runtime: a sleep is a short-lived thread completing a
//! oneshot channel, so it works under any executor (Kotlin coroutines, Swift
//! tasks) and is simply abandoned when the awaiting task is cancelled.

use crate::error::AuthError;
use crate::http::{HttpRequest, HttpTransport};
use crate::store::{SecretStore, StoreRecord};
use mapsindoors_auth::{Error, Flow, Step};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The wall clock in Unix milliseconds.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// Waits `ms` milliseconds without blocking the caller's thread.
pub(crate) async fn sleep(ms: u64) {
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

/// Fresh random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], AuthError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| Error::InvalidInput {
        field: "random".to_owned(),
        reason: format!("the OS gave no randomness: {e}"),
    })?;
    Ok(bytes)
}

/// Saves `record` with the store's compare-and-swap: it must replace
/// generation `record.generation - 1` (0: the store must be empty).
pub(crate) async fn save_cas(
    store: &Arc<dyn SecretStore>,
    record: mapsindoors_auth::StoreRecord,
) -> Result<(), Error> {
    let expected = record.generation.saturating_sub(1);
    store
        .save(StoreRecord::wrap(record), expected)
        .await
        .map_err(Error::from)
}

/// Runs a flow to its end: sends what it asks over `transport`, saves what
/// it asks to persist in `store` (a compare-and-swap), sleeps when told.
pub(crate) async fn drive<F: Flow>(
    flow: &mut F,
    transport: &Arc<dyn HttpTransport>,
    store: Option<&Arc<dyn SecretStore>>,
) -> Result<F::Output, Error> {
    loop {
        match flow.poll(now_ms()) {
            Step::Send(request) => {
                let response = transport.send(Arc::new(HttpRequest::new(request))).await;
                flow.on_response(response.map(Into::into).map_err(Into::into), now_ms());
            }
            Step::Persist(record) => {
                let result = match store {
                    Some(store) => save_cas(store, *record).await,
                    None => Err(Error::InvalidInput {
                        field: "store".to_owned(),
                        reason: "no SecretStore was given".to_owned(),
                    }),
                };
                flow.on_persisted(result);
            }
            Step::Sleep(ms) => sleep(ms).await,
            Step::Done(result) => return result,
        }
    }
}
