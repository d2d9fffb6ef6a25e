//! The one loop that drives every core [`Task`] over the app's transport and
//! store, the [`Platform`]'s clock and sleep, the optional [`Progress`]
//! listener (told before each step) and [`EventListener`] (told after, with
//! the step's duration, as the core's `Event`). It decides nothing: each step
//! is done as the core asks.

use crate::events::{AuthEvent, EventListener};
use crate::http::{HttpRequest, HttpTransport};
use crate::long;
use crate::platform::{Deadline, Platform, timer};
use crate::progress::{Progress, ProgressStep};
use crate::store::{SecretStore, StoreRecord};
use mapsindoors_auth::{
    Error, Event, Flow, Outcome, Step, Task, TransportError, TransportErrorKind,
};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

/// How long past `timeoutMs` the binding waits for the transport before it
/// gives up itself: a transport that keeps the deadline reports its own
/// timeout first; one that ignores it is cut off here.
pub(crate) const DEADLINE_GRACE_MS: u64 = 250;

/// Where a client's tasks are carried out.
pub(crate) struct Env {
    pub(crate) transport: Arc<dyn HttpTransport>,
    pub(crate) store: Option<Arc<dyn SecretStore>>,
    pub(crate) platform: Arc<dyn Platform>,
    pub(crate) progress: Option<Arc<dyn Progress>>,
    pub(crate) events: Option<Arc<dyn EventListener>>,
    /// The session's `timeout_ms`, handed to the transport with each request.
    pub(crate) timeout_ms: u64,
}

impl Env {
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.platform.now_ms()).unwrap_or(0)
    }

    async fn load(&self) -> Result<Option<mapsindoors_auth::StoreRecord>, Error> {
        let loaded = self.store()?.load().await.map_err(Error::from)?;
        Ok(loaded.map(|record| record.inner.clone()))
    }

    /// A compare-and-swap save: it must replace generation `generation - 1`.
    async fn save(&self, record: mapsindoors_auth::StoreRecord) -> Result<(), Error> {
        let expected = long(record.generation.saturating_sub(1));
        self.store()?
            .save(Arc::new(StoreRecord { inner: record }), expected)
            .await
            .map_err(Error::from)
    }

    /// Tells the event listener, if any, what a step did.
    fn report(&self, event: impl FnOnce() -> Event) {
        if let Some(listener) = &self.events {
            listener.on_event(AuthEvent::from(&event()));
        }
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
/// Each step taken (not `Wait`) is reported to the event listener after it,
/// timed on the monotonic clock (a sleep by the time asked of the platform,
/// whose clock may be a test's fake).
pub(crate) async fn drive(mut task: Task, env: &Env) -> Result<Outcome, Error> {
    loop {
        let step = task.poll(env.now_ms());
        if let (Some(progress), Some(report)) = (&env.progress, ProgressStep::of(&step)) {
            progress.on_step(report);
        }
        let started = Instant::now();
        let took = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match step {
            Step::Send(request, purpose) => {
                let request = HttpRequest {
                    inner: request,
                    purpose,
                    timeout_ms: env.timeout_ms,
                };
                let response = send(env, request).await;
                env.report(|| Event::sent(purpose, &response, took()));
                task.on_response(response, env.now_ms());
            }
            Step::Load => {
                let loaded = env.load().await;
                env.report(|| Event::loaded(&loaded, took()));
                task.on_loaded(loaded);
            }
            Step::Persist(record, reason) => {
                let generation = record.generation;
                let saved = env.save(*record).await;
                env.report(|| Event::persisted(reason, generation, &saved, took()));
                task.on_persisted(saved);
            }
            Step::Sleep(ms, reason) => {
                env.platform.sleep(long(ms)).await;
                env.report(|| Event::slept(reason, ms));
            }
            Step::Wait(ms) => timer(ms).await,
            Step::Done(result) => return result,
        }
    }
}

/// Sends one request over the app's transport, within the whole-request
/// deadline the binding keeps itself (`timeoutMs` + [`DEADLINE_GRACE_MS`],
/// on the wall clock, not the platform's, which may be a test's fake): the
/// transport's future races a [`Deadline`], and if the deadline wins the
/// future is dropped, which makes uniffi cancel the foreign call (Kotlin:
/// the coroutine's job is cancelled; Swift: the task), and the call ends
/// with a `timeout` transport error whatever the transport does.
async fn send(
    env: &Env,
    request: HttpRequest,
) -> Result<mapsindoors_auth::HttpResponse, TransportError> {
    let limit_ms = env.timeout_ms.saturating_add(DEADLINE_GRACE_MS);
    let mut deadline = Deadline::after(limit_ms);
    let mut sending = env.transport.send(Arc::new(request));
    let answered = std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = sending.as_mut().poll(cx) {
            return Poll::Ready(Some(result));
        }
        match deadline.as_mut().map(|d| Pin::new(d).poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(None),
            _ => Poll::Pending,
        }
    })
    .await;
    // Dropping the foreign future now (not at the end of the step) cancels it at once.
    drop(sending);
    match answered {
        Some(result) => result
            .and_then(mapsindoors_auth::HttpResponse::try_from)
            .map_err(Into::into),
        None => Err(TransportError::new(
            TransportErrorKind::Timeout,
            format!(
                "no response within {limit_ms} ms (timeoutMs {} + {DEADLINE_GRACE_MS} ms): the transport's call was cancelled",
                env.timeout_ms
            ),
        )),
    }
}
