//! The command line as clap derive types: global flags, subcommands and the
//! exit-code table shown after every `--help`. Parsing only.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The exit-code table, printed after every `--help` (each subcommand's too:
/// see `crate::main`) and kept in `cli/README.md`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  other error (e.g. no such secret)
  2  usage error or invalid input; also a client error: an HTTP 4xx the server
     gives no other reason for (e.g. a plain 400 from the secrets endpoint)
  3  authentication rejected (invalid_client, invalid_grant, unauthorized, forbidden)
  4  network, transport or server error (connect, timeout, 5xx, 429, bad response)
  5  rotation incomplete but safe: the store holds a working secret; run rotate again
     (also when another run changed the store first: a conflict; run the command again)
  6  store error (missing, already exists, corrupt, wrong permissions, locked)

Secrets are never taken from argv: `init` reads the client secret from the
MAPSINDOORS_CLIENT_SECRET environment variable or from stdin.";

/// Manage and rotate MapsIndoors client secrets from scripts and cron jobs.
#[derive(Debug, Parser)]
#[command(name = "mapsindoors-auth", version, after_help = EXIT_CODES, propagate_version = true)]
pub(crate) struct Cli {
    /// The store file holding the client's secret (mode 0600).
    #[arg(
        long,
        global = true,
        env = "MAPSINDOORS_AUTH_STORE",
        default_value = "mapsindoors-auth.json",
        value_name = "PATH"
    )]
    pub(crate) store: PathBuf,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace). Secrets are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// `json`: one JSON line on stderr after every step a command takes (a
    /// request with its purpose, status and duration; a save; a sleep),
    /// whatever -v says. Never a secret, token, URL or body.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "FORMAT")]
    pub(crate) log_format: LogFormat,
    /// The knobs every binding shares.
    #[command(flatten)]
    pub(crate) knobs: Knobs,
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a store for a client secret (read from MAPSINDOORS_CLIENT_SECRET or stdin):
    /// logs in with it, identifies it among the client's secrets and saves the store
    /// before any change on the server. The secret handed in is kept (never deleted)
    /// after rotations unless claimed (--secret-id, --claim, or `claim ID` later).
    Init(InitArgs),
    /// Print an access token (only the token on stdout; --json adds expires_in).
    /// The token is cached beside the store (`<store>.token`, mode 0600) and
    /// reused by every later call until shortly before it expires; a rotation
    /// invalidates it. Many calls at once make one login.
    Token {
        /// Rotate at this login: rotate the secret (as `rotate` does) and print a
        /// token from the new secret, at no extra round trip.
        #[arg(long)]
        rotate: bool,
        /// Neither read nor write the token cache: log in now.
        #[arg(long)]
        no_cache: bool,
        #[command(flatten)]
        rotation: RotateArgs,
    },
    /// List the customer's secrets (ids, descriptions, dates; never the secrets).
    List,
    /// Create a secret and print it once. The store is not changed.
    Create {
        /// A description for the new secret.
        #[arg(long)]
        description: Option<String>,
    },
    /// Delete a secret by id.
    Delete {
        /// The secret's id (see `list`).
        id: String,
    },
    /// Rotate the store's secret, crash-safely. Every save is a compare-and-swap; the
    /// store lock is held throughout so a second process waits instead of redoing work.
    Rotate(RotateArgs),
    /// Claim a kept secret (or the current one) as this store's own: the next
    /// rotation deletes it. Only for a secret no other job or installation uses.
    Claim {
        /// The secret's id (as `rotate` reports it kept, or `init` identified it).
        id: String,
    },
    /// The store's status for monitoring: the current secret's id and age,
    /// when it is due, an unfinished rotation, kept secrets; with --check,
    /// whether the server accepts the secret. Exit codes as a Nagios plugin:
    /// 0 ok, 1 warning (due, or a rotation unfinished), 2 critical (the
    /// secret is refused, or the store cannot be read), 3 unknown (the
    /// server could not be asked).
    Status(StatusArgs),
    /// Start an emulator in-process and run real rotations against it over loopback.
    Demo(DemoArgs),
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    /// Human logs, as many as -v asks for.
    Text,
    /// One JSON line per step on stderr.
    Json,
}

/// `status` flags.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Also log in once with the current secret (and list the client's
    /// secrets): a refused secret is critical.
    #[arg(long)]
    pub(crate) check: bool,
    /// The secret is due once this old (e.g. `30d`, `12h`): due is a warning.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms, alias = "if-older-than")]
    pub(crate) max_age: Option<u64>,
    /// Print Prometheus text exposition format (for node-exporter's textfile
    /// collector) instead of text or JSON.
    #[arg(long)]
    pub(crate) prometheus: bool,
}

/// A duration such as `30d`, `36h`, `90m` or `1w 2d`, in milliseconds.
fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let d = humantime::parse_duration(text)
        .map_err(|e| format!("{e}: give a number and a unit, e.g. 30d, 36h, 90m, 1w"))?;
    let ms = u64::try_from(d.as_millis()).map_err(|_| "too long".to_owned())?;
    mapsindoors_auth::rotation::due::check_max_age(ms).map_err(|e| match e {
        mapsindoors_auth::Error::InvalidInput { reason, .. } => reason,
        other => other.to_string(),
    })?;
    Ok(ms)
}

/// `init` flags.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The auth server's base URL.
    #[arg(long, default_value = mapsindoors_auth::DEFAULT_BASE_URL, value_name = "URL")]
    pub(crate) auth_url: String,
    /// The customer id MapsPeople gave you.
    #[arg(long)]
    pub(crate) customer_id: String,
    /// The client id MapsPeople gave you.
    #[arg(long)]
    pub(crate) client_id: String,
    /// The id of the secret handed in. Names it and claims it as this store's own:
    /// the first rotation deletes it once replaced. It must be one of the client's
    /// secrets. Never name a secret another job or installation also uses.
    #[arg(long, value_name = "ID")]
    pub(crate) secret_id: Option<String>,
    /// Claim the secret handed in when it is the client's only secret (its id is
    /// then certain): the first rotation deletes it. Refused if the client has
    /// several secrets (name it with --secret-id instead).
    #[arg(long)]
    pub(crate) claim: bool,
    /// The description rotated secrets get (a lineage tag is appended).
    #[arg(long)]
    pub(crate) description: Option<String>,
}

/// The knobs, named as in every binding (the core's `Settings`, validated there).
#[derive(Debug, Args)]
pub(crate) struct Knobs {
    /// Retries after the first attempt of an idempotent request (login, list,
    /// delete) that failed transiently, 0 to 10; a create is never retried.
    #[arg(long, global = true, default_value_t = 3, value_name = "N")]
    pub(crate) retries: u32,
    /// How long a rotation waits for the new secret to be accepted before
    /// stopping safely (the old secret stays in use).
    #[arg(
        long,
        global = true,
        default_value_t = 30_000,
        value_name = "MS",
        alias = "propagation-max-ms"
    )]
    pub(crate) propagation_wait_ms: u64,
    /// Connect and whole-request timeout of each HTTP request, 1 to 600000.
    #[arg(long, global = true, default_value_t = 30_000, value_name = "MS")]
    pub(crate) timeout_ms: u64,
    /// Deprecated: `--timeout-ms`, in seconds.
    #[arg(
        long,
        global = true,
        hide = true,
        value_name = "SECS",
        conflicts_with = "timeout_ms"
    )]
    pub(crate) timeout: Option<u64>,
    /// Deprecated: attempts per idempotent request, `--retries` plus one.
    #[arg(
        long,
        global = true,
        hide = true,
        value_name = "N",
        conflicts_with = "retries"
    )]
    pub(crate) attempts: Option<u32>,
}

impl Knobs {
    /// The core's settings, with the description of the secrets a rotation
    /// creates (`None`: the store's), checked by the core's
    /// [`Settings::validate`](mapsindoors_auth::Settings::validate); an error
    /// names the flag as typed (`--attempts 0`, `--timeout 0` are refused).
    pub(crate) fn settings(
        &self,
        description: Option<&str>,
    ) -> Result<mapsindoors_auth::Settings, mapsindoors_auth::Error> {
        let settings = mapsindoors_auth::Settings {
            // `--attempts 0` has no retries count: one the core refuses.
            retries: self
                .attempts
                .map_or(self.retries, |a| a.checked_sub(1).unwrap_or(u32::MAX)),
            propagation_wait_ms: self.propagation_wait_ms,
            timeout_ms: self
                .timeout
                .map_or(self.timeout_ms, |secs| secs.saturating_mul(1000)),
            description: description
                .filter(|d| !d.trim().is_empty())
                .map(str::to_owned),
        };
        settings.validate().map_err(|e| self.as_flags(e))?;
        Ok(settings)
    }

    /// A knob the core refused, named by the flag the user typed, in its units.
    fn as_flags(&self, error: mapsindoors_auth::Error) -> mapsindoors_auth::Error {
        use mapsindoors_auth::Error;
        use mapsindoors_auth::session::{MAX_RETRIES, MAX_TIMEOUT_MS};
        let (flag, reason) = match &error {
            Error::InvalidInput { field, reason } => match field.as_str() {
                "retries" if self.attempts.is_some() => (
                    "--attempts",
                    format!(
                        "must be 1 to {} (attempts are --retries plus one)",
                        MAX_RETRIES + 1
                    ),
                ),
                "retries" => ("--retries", reason.clone()),
                "timeout_ms" if self.timeout.is_some() => (
                    "--timeout",
                    format!("must be 1 to {} seconds", MAX_TIMEOUT_MS / 1000),
                ),
                "timeout_ms" => ("--timeout-ms", reason.clone()),
                "propagation_wait_ms" => ("--propagation-wait-ms", reason.clone()),
                "description" => ("--description", reason.clone()),
                _ => return error,
            },
            _ => return error,
        };
        Error::InvalidInput {
            field: flag.to_owned(),
            reason,
        }
    }
}

/// `rotate` flags.
#[derive(Debug, Args)]
pub(crate) struct RotateArgs {
    /// A description for the new secret (default: the store's).
    #[arg(long)]
    pub(crate) description: Option<String>,
    /// Create a new secret only when the current one is at least this old
    /// (e.g. `30d`); an unfinished rotation is finished either way. Not due:
    /// nothing is created, the report says when it will be.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_ms)]
    pub(crate) if_older_than: Option<u64>,
}

/// `demo` flags.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// The emulator's propagation delay: new secrets are refused this long after creation.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub(crate) propagation_ms: u64,
}
