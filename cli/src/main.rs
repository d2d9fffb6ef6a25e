//! The `mapsindoors-auth` command line: parses arguments, sets up stderr
//! logging, runs one subcommand and exits with a documented code.

mod args;
mod commands;
mod crash;
mod demo;
mod driver;
mod exit;
mod output;
mod steps;
mod transport;

use args::{Cli, Command};
use clap::Parser;
use mapsindoors_auth::Operation;
use mapsindoors_auth_store::FileStore;
use output::Out;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use transport::Transport;

/// Logs to stderr. Only this project's crates log above `warn`: ureq's trace
/// level prints raw wire bytes, so it never gets more than `info`.
fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = format!(
        "warn,mapsindoors_auth={level},mapsindoors_auth_store={level},mapsindoors_auth_emulator={level},ureq=info,ureq_proto=info,rustls=info"
    );
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(verbose >= 2)
        .init();
}

fn run(cli: &Cli, out: &Out) -> Result<(), mapsindoors_auth::Error> {
    let store = FileStore::new(&cli.store);
    let transport = || Transport::new(Duration::from_secs(cli.timeout.max(1)));
    match &cli.command {
        Command::Init(a) => commands::init(&store, &transport(), a, out),
        Command::Token { rotate: false, .. } => commands::token(&store, &transport(), out),
        Command::Token {
            rotate: true,
            rotation,
        } => commands::token_rotating(&store, &transport(), rotation, out),
        Command::List => commands::call(&store, &transport(), Operation::List, out),
        Command::Create { description } => commands::call(
            &store,
            &transport(),
            Operation::Create {
                description: description.clone(),
            },
            out,
        ),
        Command::Delete { id } => commands::call(
            &store,
            &transport(),
            Operation::Delete { id: id.clone() },
            out,
        ),
        Command::Rotate(a) => commands::rotate(&store, &transport(), a, out),
        Command::Claim { id } => commands::claim(&store, id, out),
        Command::Demo(a) => demo::run(&transport(), a),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let out = Out { json: cli.json };
    match run(&cli, &out) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(e) => {
            let code = exit::code(&e);
            out.error(&e, code);
            let _ = writeln!(std::io::stderr(), "error: {e}");
            if exit::is_conflict(&e) {
                let _ = writeln!(
                    std::io::stderr(),
                    "another run changed the store first; nothing was deleted on a stale view and the store holds a working secret: run the command again"
                );
            }
            ExitCode::from(code)
        }
    }
}
