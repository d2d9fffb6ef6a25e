//! The `mapsindoors-auth` command line. Its glue to the core is three small
//! public modules: [`client`] (a core `Session` plus a [`driver::Platform`]),
//! [`driver`] (the one loop that answers each step) and [`system`] (this
//! machine: ureq, the file store, the clock, sleep, randomness). The rest
//! (arguments, commands, output, exit codes, the demo and the crash hook) is
//! private to the binary.

mod args;
pub mod client;
mod commands;
mod crash;
mod demo;
pub mod driver;
mod exit;
mod failure;
mod narration;
mod output;
mod progress;
mod status;
pub mod system;
pub mod transport;

use args::{Cli, Command};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};
use failure::Failure;
use mapsindoors_auth_store::FileStore;
use output::Out;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Logs to stderr. Only this project's crates log above `warn`: ureq's trace
/// level prints raw wire bytes, so it never gets more than `info`.
/// With `json` (`--log-format json`) each log line is a JSON object too, so
/// stderr is JSON lines throughout (the same fields; never a secret).
fn init_logging(verbose: u8, json: bool) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = format!(
        "warn,mapsindoors_auth={level},mapsindoors_auth_cli={level},mapsindoors_auth_store={level},mapsindoors_auth_emulator={level},ureq=info,ureq_proto=info,rustls=info"
    );
    let logs = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(verbose >= 2);
    if json {
        logs.json().flatten_event(true).with_ansi(false).init();
    } else {
        logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
}

/// Runs one subcommand. `demo_store` is `--store` when given on the command
/// line (the demo ignores `MAPSINDOORS_AUTH_STORE` and the default).
fn run(cli: &Cli, demo_store: Option<&Path>, out: &Out) -> Result<(), Failure> {
    let store = FileStore::new(&cli.store);
    let knobs = &cli.knobs;
    // The knobs are checked (by the core) before anything else.
    knobs.settings(None)?;
    match &cli.command {
        Command::Init(a) => Ok(commands::init(&store, knobs, a, out)?),
        Command::Token {
            rotate: false,
            no_cache,
            ..
        } => Ok(commands::token(&store, knobs, *no_cache, out)?),
        Command::Token { rotation, .. } => commands::rotate(&store, knobs, rotation, true, out),
        Command::List => Ok(commands::list(&store, knobs, out)?),
        Command::Create { description: d } => Ok(commands::create(&store, knobs, d.clone(), out)?),
        Command::Delete { id } => commands::delete(&store, knobs, id, out),
        Command::Rotate(a) => commands::rotate(&store, knobs, a, false, out),
        Command::Claim { id } => Ok(commands::claim(&store, knobs, id, out)?),
        Command::Demo(a) => Ok(demo::run(a, knobs, demo_store, out)?),
        // Its own exit codes (Nagios): handled in `main`.
        Command::Status(_) => Ok(()),
    }
}

/// Whether `--json` is among the arguments (before a `--`): a usage error
/// found while parsing is then printed as JSON too.
fn json_asked() -> bool {
    std::env::args_os()
        .skip(1)
        .take_while(|a| a != "--")
        .any(|a| a == "--json")
}

/// Core dumps off (RLIMIT_CORE 0, soft and hard) before anything is read:
/// a crash must not write the secret or a token to disk.
fn no_core_dumps() -> std::io::Result<()> {
    let none = rustix::process::Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    rustix::process::setrlimit(rustix::process::Resource::Core, none).map_err(Into::into)
}

/// The `mapsindoors-auth` command: parses the arguments, runs one
/// subcommand and returns its documented exit code.
#[must_use]
pub fn main() -> ExitCode {
    let core_dumps = no_core_dumps();
    // Every subcommand's `--help` ends with the exit-code table too.
    let command = Cli::command().mut_subcommands(|c| c.after_help(args::EXIT_CODES));
    let matches = match command.try_get_matches() {
        Ok(matches) => matches,
        Err(e) => usage_error(e),
    };
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| usage_error(e));
    init_logging(cli.verbose, cli.log_format == args::LogFormat::Json);
    if let Err(e) = core_dumps {
        tracing::warn!("cannot turn core dumps off: {e}");
    }
    let out = Out { json: cli.json };
    if cli.log_format == args::LogFormat::Json {
        progress::json_steps();
    }
    if let Command::Status(a) = &cli.command {
        return ExitCode::from(status::run(
            &FileStore::new(&cli.store),
            &cli.knobs,
            a,
            &out,
        ));
    }
    let demo_store = matches
        .subcommand_matches("demo")
        .filter(|m| m.value_source("store") == Some(ValueSource::CommandLine))
        .map(|_| cli.store.as_path());
    match run(&cli, demo_store, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let code = exit::code(failure.error());
            out.error(&failure, code);
            let message = output::terminal_safe(&failure.message(), false);
            if progress::json_steps_on() {
                // The run's last line, parseable like every step before it.
                let line = serde_json::json!({
                    "event": "error",
                    "kind": failure.error().kind().as_str(),
                    "exit_code": code,
                    "message": message,
                });
                let _ = writeln!(std::io::stderr(), "{line}");
                return ExitCode::from(code);
            }
            let _ = writeln!(std::io::stderr(), "error: {message}");
            if exit::is_conflict(failure.error()) {
                let _ = writeln!(
                    std::io::stderr(),
                    "another run changed the store first; nothing was deleted on a stale view and the store holds a working secret: run the command again"
                );
            }
            ExitCode::from(code)
        }
    }
}

/// Exits on a parse error as clap does (usage on stderr, exit 2; `--help`
/// and `--version` print and exit 0); with `--json`, a failure also prints
/// the one JSON error document on stdout.
fn usage_error(e: clap::Error) -> ! {
    if e.use_stderr() && json_asked() {
        let text = e.render().to_string();
        let first = text.lines().next().unwrap_or_default();
        let reason = first.strip_prefix("error: ").unwrap_or(first).to_owned();
        Out { json: true }.usage_error(output::terminal_safe(&reason, false));
    }
    e.exit()
}
