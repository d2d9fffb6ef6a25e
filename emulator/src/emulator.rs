//! [`Emulator`], a running server, and its [`EmulatorConfig`]: start (async or on its own thread),
//! the control methods tests call, and shutdown.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::app::{self, App, Shared};
use crate::fault::FaultRule;
use crate::request_log::LogEntry;
use crate::route::{CREDENTIALS_PATH, TOKEN_PATH};
use crate::seed::Seed;
use crate::server;
use crate::store::SecretView;

/// How to start an [`Emulator`]. `Default` is the demo seed on `127.0.0.1:0` with 3600 s tokens.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// The initial state (also what `reset` returns to).
    pub seed: Seed,
    /// Where to listen; port 0 picks a free port (see [`Emulator::base_url`]).
    pub bind: SocketAddr,
    /// Lifetime of issued access tokens, also their `expires_in`.
    pub token_lifetime_secs: u64,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: Seed::demo(),
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            token_lifetime_secs: 3600,
        }
    }
}

impl EmulatorConfig {
    /// The default config with another seed.
    pub fn with_seed(seed: Seed) -> Self {
        EmulatorConfig {
            seed,
            ..EmulatorConfig::default()
        }
    }
}

enum Runner {
    /// Spawned on the caller's tokio runtime.
    Task(Option<JoinHandle<()>>),
    /// On its own thread with its own runtime.
    Thread(Option<std::thread::JoinHandle<()>>),
}

/// A running emulator, listening on loopback (by default) until [`shutdown`](Emulator::shutdown)
/// or drop.
///
/// Start it with [`Emulator::start`] inside a tokio runtime, or with
/// [`Emulator::start_background`] from synchronous code. Point the client at
/// [`base_url`](Emulator::base_url); steer it with [`inject`](Emulator::inject) and
/// [`set_propagation_delay`](Emulator::set_propagation_delay); observe it with
/// [`log`](Emulator::log) and [`secrets`](Emulator::secrets). All methods are synchronous and
/// safe to call from any thread.
pub struct Emulator {
    addr: SocketAddr,
    app: App,
    shutdown: watch::Sender<bool>,
    runner: Runner,
}

impl std::fmt::Debug for Emulator {
    /// Shows the address and the whole state; secrets, passwords and tokens appear only as digests.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .field("state", &self.app)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// Binds and starts serving on the current tokio runtime.
    ///
    /// Fails if the seed is invalid (`InvalidData`) or the address cannot be bound.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<Emulator> {
        config.seed.validate()?;
        let listener = TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let app = Arc::new(Shared::new(
            config.seed,
            Duration::from_secs(config.token_lifetime_secs),
        ));
        let (shutdown, rx) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, app::router(app.clone()), rx));
        Ok(Emulator {
            addr,
            app,
            shutdown,
            runner: Runner::Task(Some(task)),
        })
    }

    /// Binds, then serves from a new thread that owns a single-threaded tokio runtime.
    /// For synchronous tests; the server is listening when this returns.
    pub fn start_background(config: EmulatorConfig) -> std::io::Result<Emulator> {
        config.seed.validate()?;
        let std_listener = std::net::TcpListener::bind(config.bind)?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(std_listener)?
        };
        let app = Arc::new(Shared::new(
            config.seed,
            Duration::from_secs(config.token_lifetime_secs),
        ));
        let (shutdown, rx) = watch::channel(false);
        let router = app::router(app.clone());
        let thread = std::thread::Builder::new()
            .name(format!("mapsindoors-auth-emulator-{}", addr.port()))
            .spawn(move || runtime.block_on(server::serve(listener, router, rx)))?;
        Ok(Emulator {
            addr,
            app,
            shutdown,
            runner: Runner::Thread(Some(thread)),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `{base_url}/connect/token`.
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.base_url())
    }

    /// `{base_url}/api/clientcredentials`.
    pub fn credentials_url(&self) -> String {
        format!("{}{CREDENTIALS_PATH}", self.base_url())
    }

    /// Queues a fault rule after those already pending. A rule with `count` 0 is ignored;
    /// an invalid status code is answered as 500 (see [`FaultRule::validate`]).
    pub fn inject(&self, rule: FaultRule) {
        self.app.inject(rule);
    }

    /// Drops all pending fault rules.
    pub fn clear_faults(&self) {
        self.app.clear_faults();
    }

    /// The pending fault rules with their remaining counts, oldest first.
    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.app.pending_faults()
    }

    /// From now on, a secret created through the API is refused at the token endpoint
    /// (`invalid_client`) until `d` after its creation. Seeded secrets are never affected.
    pub fn set_propagation_delay(&self, d: Duration) {
        self.app.set_propagation(d);
    }

    /// The current propagation delay.
    pub fn propagation_delay(&self) -> Duration {
        self.app.propagation()
    }

    /// Revokes every access token issued so far: each is refused with 401 from now on.
    pub fn revoke_tokens(&self) {
        self.app.revoke_tokens();
    }

    /// Whether a refused bearer token's 401 also carries a JSON body
    /// `{"error":"invalid_token",...}` (it always carries `WWW-Authenticate`).
    pub fn set_bearer_json_body(&self, on: bool) {
        self.app.set_bearer_json_body(on);
    }

    /// The request log, oldest first.
    pub fn log(&self) -> Vec<LogEntry> {
        self.app.log()
    }

    /// What reached the second origin (a redirect fault's default target).
    pub fn elsewhere(&self) -> Vec<crate::hostile::ElsewhereHit> {
        crate::app::lock(&self.app.elsewhere).clone()
    }

    /// Empties the request log (sequence numbers keep counting).
    pub fn clear_log(&self) {
        self.app.clear_log();
    }

    /// A customer's secrets (never the secrets themselves), `createdAt` at full precision;
    /// empty for an unknown customer.
    pub fn secrets(&self, customer_id: &str) -> Vec<SecretView> {
        self.app.secrets(customer_id).unwrap_or_default()
    }

    /// Whether the token endpoint would accept this client secret, ignoring faults and the
    /// propagation delay.
    pub fn secret_is_valid(&self, client_id: &str, secret: &str) -> bool {
        self.app.store().secret_is_valid(client_id, secret)
    }

    /// Back to the seed: secrets and issued tokens rebuilt, faults and log cleared.
    /// The propagation delay is kept.
    pub fn reset(&self) {
        self.app.reset();
    }

    /// Stops accepting connections and closes the server. From a background start this waits
    /// for its thread; from [`start`](Emulator::start) it only signals (use
    /// [`stop`](Emulator::stop) to wait).
    pub fn shutdown(self) {
        drop(self);
    }

    /// Stops and waits until in-flight requests are done (at most about two seconds).
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(true);
        match &mut self.runner {
            Runner::Task(task) => {
                if let Some(task) = task.take() {
                    let _ = task.await;
                }
            }
            Runner::Thread(thread) => {
                if let Some(thread) = thread.take() {
                    let _ = tokio::task::spawn_blocking(move || thread.join()).await;
                }
            }
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Runner::Thread(thread) = &mut self.runner {
            if let Some(thread) = thread.take() {
                let _ = thread.join();
            }
        }
    }
}
