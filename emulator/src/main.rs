//! The `mapsindoors-auth-emulator` command: starts the emulator, prints
//! `listening on http://HOST:PORT` as the first line of stdout, then the demo credentials.

use std::io::Write as _;
use std::net::{SocketAddr, ToSocketAddrs as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mapsindoors_auth_emulator::{Emulator, EmulatorConfig, PASSWORD_CLIENT_ID, Seed};

/// A local emulator of the MapsIndoors authentication API, for tests and offline development.
#[derive(Parser, Debug)]
#[command(name = "mapsindoors-auth-emulator", version, about)]
struct Args {
    /// TCP port; 0 picks a free one (read it from the first line of stdout).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on. Loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// JSON seed file (customers, clients, secrets, users); the demo seed when absent.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    token_lifetime: u64,
    /// Reject newly created secrets at the token endpoint for this many milliseconds.
    #[arg(long, value_name = "D", default_value_t = 0)]
    propagation_ms: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build();
    let result = match runtime {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(e) => Err(format!("cannot start the tokio runtime: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mapsindoors-auth-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let signals = StopSignals::install().map_err(|e| format!("cannot handle signals: {e}"))?;
    let seed = match &args.seed {
        Some(path) => Seed::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?,
        None => Seed::demo(),
    };
    let bind = resolve(&args.host, args.port)?;
    let config = EmulatorConfig {
        seed: seed.clone(),
        bind,
        token_lifetime_secs: args.token_lifetime,
    };
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    emulator.set_propagation_delay(Duration::from_millis(args.propagation_ms));
    banner(&emulator, &seed).map_err(|e| format!("cannot write to stdout: {e}"))?;
    signals.wait().await;
    emulator.stop().await;
    Ok(())
}

fn resolve(host: &str, port: u16) -> Result<SocketAddr, String> {
    (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve --host {host}: {e}"))?
        .next()
        .ok_or_else(|| format!("--host {host} resolves to no address"))
}

/// The URL first (scripts read that line), then what to log in with. Printing the demo secrets is
/// deliberate: this is a local demo server and these are its fixtures.
fn banner(emulator: &Emulator, seed: &Seed) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let base = emulator.base_url();
    writeln!(out, "listening on {base}")?;
    writeln!(out, "token endpoint:   {}", emulator.token_url())?;
    writeln!(out, "secrets endpoint: {}", emulator.credentials_url())?;
    writeln!(
        out,
        "admin routes:     {base}/_emulator/{{faults,propagation,log,secrets,reset}}"
    )?;
    for customer in &seed.customers {
        writeln!(out, "customer {}", customer.id)?;
        for client in &customer.clients {
            for secret in &client.secrets {
                let shown = secret
                    .secret
                    .as_ref()
                    .map_or("(given as a hash in the seed)", |s| s.expose());
                writeln!(
                    out,
                    "  client_id {}  client_secret {shown}",
                    client.client_id
                )?;
            }
            if client.secrets.is_empty() {
                writeln!(out, "  client_id {}  (no secrets)", client.client_id)?;
            }
        }
    }
    for user in &seed.users {
        let shown = user
            .password
            .as_ref()
            .map_or("(given as a hash in the seed)", |p| p.expose());
        writeln!(
            out,
            "user {}  password {shown}  (client_id {PASSWORD_CLIENT_ID}; customers: {})",
            user.username,
            user.customers.join(", ")
        )?;
    }
    out.flush()
}

/// SIGINT (Ctrl-C) and SIGTERM, registered before the banner is printed so that a script that
/// reads the first line and signals at once is not met by the default action.
struct StopSignals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(StopSignals {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(StopSignals {})
        }
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
