//! The shared emulator state (store, faults, log, settings) and the axum router over it.
//! Handlers live in the endpoint modules; sockets live in `server.rs`.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::http::{Method, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{any, get};
use tower_http::cors::{Any, CorsLayer};

use crate::dotnet_time::Precision;
use crate::fault::{FaultAction, FaultQueue, FaultRule};
use crate::request_log::{LogEntry, RequestLog};
use crate::route::{CREDENTIALS_PATH, Route, TOKEN_PATH};
use crate::seed::Seed;
use crate::store::{SecretView, Store};
use crate::{admin, credentials_api, intercept, token_endpoint};

/// The state every handler sees.
pub(crate) type App = Arc<Shared>;

/// Locks a mutex, ignoring poisoning (no invariant spans a panic here).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything behind the routes. Each mutex is held briefly and never across an `await`.
#[derive(Debug)]
pub(crate) struct Shared {
    seed: Seed,
    pub(crate) token_lifetime: Duration,
    started: Instant,
    pub(crate) store: Mutex<Store>,
    faults: Mutex<FaultQueue>,
    log: Mutex<RequestLog>,
    propagation: Mutex<Duration>,
    bearer_json_body: Mutex<bool>,
    /// What reached the second origin (`hostile.rs`).
    pub(crate) elsewhere: Mutex<Vec<crate::hostile::ElsewhereHit>>,
}

impl Shared {
    pub(crate) fn new(seed: Seed, token_lifetime: Duration) -> Self {
        let store = Store::from_seed(&seed, SystemTime::now());
        Shared {
            seed,
            token_lifetime,
            started: Instant::now(),
            store: Mutex::new(store),
            faults: Mutex::new(FaultQueue::default()),
            log: Mutex::new(RequestLog::default()),
            propagation: Mutex::new(Duration::ZERO),
            bearer_json_body: Mutex::new(false),
            elsewhere: Mutex::new(Vec::new()),
        }
    }

    /// The store, locked.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub(crate) fn inject(&self, rule: FaultRule) {
        lock(&self.faults).push(rule);
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub(crate) fn pending_faults(&self) -> Vec<FaultRule> {
        lock(&self.faults).pending()
    }

    pub(crate) fn take_fault(&self, route: Route) -> Option<FaultAction> {
        lock(&self.faults).take(route)
    }

    pub(crate) fn propagation(&self) -> Duration {
        *lock(&self.propagation)
    }

    pub(crate) fn set_propagation(&self, d: Duration) {
        *lock(&self.propagation) = d;
    }

    /// Whether a refused bearer token's 401 carries a JSON error body.
    pub(crate) fn bearer_json_body(&self) -> bool {
        *lock(&self.bearer_json_body)
    }

    pub(crate) fn set_bearer_json_body(&self, on: bool) {
        *lock(&self.bearer_json_body) = on;
    }

    /// Every access token issued so far stops working (the server revoked them).
    pub(crate) fn revoke_tokens(&self) {
        self.store().revoke_tokens();
    }

    /// Milliseconds since start.
    pub(crate) fn elapsed_ms(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.started).as_millis()).unwrap_or(u64::MAX)
    }

    pub(crate) fn next_seq(&self) -> u64 {
        lock(&self.log).next_seq()
    }

    pub(crate) fn record(&self, entry: LogEntry) {
        lock(&self.log).push(entry);
    }

    pub(crate) fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).entries()
    }

    pub(crate) fn clear_log(&self) {
        lock(&self.log).clear();
    }

    /// A customer's secrets at full precision; `None` for an unknown customer.
    pub(crate) fn secrets(&self, customer_id: &str) -> Option<Vec<SecretView>> {
        self.store().list(customer_id, Precision::Ticks)
    }

    /// Back to the seed: state and tokens rebuilt, faults and log cleared.
    /// The propagation delay and the log's sequence counter are kept.
    pub(crate) fn reset(&self) {
        let fresh = Store::from_seed(&self.seed, SystemTime::now());
        *self.store() = fresh;
        self.clear_faults();
        self.clear_log();
        lock(&self.elsewhere).clear();
    }
}

/// All routes: the API (faulted and logged by `intercept`), the admin routes, and CORS around all.
pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route(TOKEN_PATH, any(token_endpoint::handle))
        .route(
            CREDENTIALS_PATH,
            get(credentials_api::list)
                .post(credentials_api::create)
                .delete(credentials_api::delete),
        )
        .merge(admin::router())
        .fallback(not_found)
        .layer(from_fn_with_state(app.clone(), intercept::intercept))
        .layer(cors())
        .with_state(app)
}

/// Browser pages on any origin may call every route; bearer tokens, not cookies, so no credentials.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE, Method::OPTIONS])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER, header::WWW_AUTHENTICATE])
        .max_age(Duration::from_secs(600))
}

async fn not_found() -> Response {
    axum::http::StatusCode::NOT_FOUND.into_response()
}
