//! The one loop that drives every core [`Task`] over the app's transport and
//! store, the [`Platform`]'s clock and sleep, and the optional [`Progress`]
//! listener. It decides nothing: each step is done as the core asks.

use crate::error::TransportError;
use crate::http::{HttpRequest, HttpTransport};
use crate::platform::{Platform, timer};
use crate::progress::{Progress, ProgressStep};
use crate::store::{SecretStore, StoreRecord};
use mapsindoors_auth::{Error, Flow, Outcome, Step, Task};
use std::sync::Arc;

/// Where a client's tasks are carried out.
pub(crate) struct Env {
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) store: Option<Arc<dyn SecretStore>>,
    pub(crate) platform: Arc<dyn Platform>,
    pub(crate) progress: Option<Arc<dyn Progress>>,
    /// The session's `timeout_ms`, handed to the transport with each request.
    pub(crate) timeout_ms: u64,
}

impl Env {
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.platform.now_ms()).unwrap_or(0)
    }

    /// `N` fresh random bytes from the platform.
    pub(crate) fn random<const N: usize>(&self) -> Result<[u8; N], Error> {
        let len = i32::try_from(N).unwrap_or(i32::MAX);
        self.platform
            .random_bytes(len)
            .try_into()
            .map_err(|bytes: Vec<u8>| Error::InvalidInput {
                field: "random".to_owned(),
                reason: format!("the platform gave {} random bytes, not {N}", bytes.len()),
            })
    }

    async fn load(&self) -> Result<Option<mapsindoors_auth::StoreRecord>, Error> {
        let loaded = self.store()?.load().await.map_err(Error::from)?;
        Ok(loaded.map(|record| record.inner.clone()))
    }

    /// A compare-and-swap save: it must replace generation `generation - 1`.
    async fn save(&self, record: mapsindoors_auth::StoreRecord) -> Result<(), Error> {
        let expected = i64::try_from(record.generation.saturating_sub(1)).unwrap_or(i64::MAX);
        self.store()?
            .save(StoreRecord::wrap(record), expected)
            .await
            .map_err(Error::from)
    }

    pub(crate) fn store(&self) -> Result<&Arc<dyn SecretStore>, Error> {
        self.store.as_ref().ok_or_else(|| Error::InvalidInput {
            field: "store".to_owned(),
            reason: "this needs the SecretStore passed to the constructor".to_owned(),
        })
    }
}

/// Runs a task to its end: sends what it asks over the transport, loads and
/// saves the store when told, sleeps on the platform's clock, and on
/// `Wait` (another call is logging in) waits a moment on a real timer.
pub(crate) async fn drive(mut task: Task, env: &Env) -> Result<Outcome, Error> {
    loop {
        let step = task.poll(env.now_ms());
        if let (Some(progress), Some(report)) = (&env.progress, ProgressStep::of(&step)) {
            progress.on_step(report);
        }
        match step {
            Step::Send(request, purpose) => {
                let request = Arc::new(HttpRequest::new(request, purpose, env.timeout_ms));
                let response = match env.transport.send(request).await {
                    Ok(response) => response.try_into(),
                    Err(e) => Err(e),
                };
                let response = response.map_err(|e: TransportError| e.into());
                task.on_response(response, env.now_ms());
            }
            Step::Load => task.on_loaded(env.load().await),
            Step::Persist(record, _) => task.on_persisted(env.save(*record).await),
            Step::Sleep(ms, _) => {
                env.platform
                    .sleep(i64::try_from(ms).unwrap_or(i64::MAX))
                    .await
            }
            Step::Wait(ms) => timer(ms).await,
            Step::Done(result) => return result,
        }
    }
}
