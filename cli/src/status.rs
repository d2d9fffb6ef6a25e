//! `status`: the store's status for monitoring, as the core computes it
//! ([`mapsindoors_auth::status`]), printed as a Nagios plugin line (human),
//! one JSON document (`--json`) or Prometheus text exposition format
//! (`--prometheus`, for node-exporter's textfile collector). The exit code is
//! the plugin's: 0 ok, 1 warning, 2 critical (the secret refused, or the
//! store unreadable), 3 unknown (the server could not be asked, a bad flag).

use crate::args::{Knobs, StatusArgs};
use crate::client::Client;
use crate::output::{Out, rfc3339, terminal_safe};
use crate::system::System;
use mapsindoors_auth::{Error, Health, Session, Status};
use mapsindoors_auth_store::FileStore;
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::io::Write as _;

/// Nagios' UNKNOWN.
const UNKNOWN: u8 = 3;

/// What `status` found: a status, or why there is none.
enum Found {
    Status(Box<Status>),
    /// The store cannot be read: critical.
    Unreadable(Error),
    /// The server could not be asked (or a flag is wrong): unknown.
    Unknown(Error),
}

impl Found {
    fn exit_code(&self) -> u8 {
        match self {
            Found::Status(s) => s.health().exit_code(),
            Found::Unreadable(_) => Health::Critical.exit_code(),
            Found::Unknown(_) => UNKNOWN,
        }
    }

    fn health(&self) -> &'static str {
        match self {
            Found::Status(s) => s.health().as_str(),
            Found::Unreadable(_) => Health::Critical.as_str(),
            Found::Unknown(_) => "unknown",
        }
    }
}

/// Runs `status` and prints it; returns the exit code.
pub(crate) fn run(store: &FileStore, knobs: &Knobs, args: &StatusArgs, out: &Out) -> u8 {
    let found = find(store, knobs, args, out);
    let printed = if args.prometheus && !out.json {
        write_stdout(&prometheus(store, &found))
    } else if out.json {
        write_stdout(&document(store, &found).to_string())
    } else {
        write_stdout(&terminal_safe(&human(&found), true))
    };
    if let Err(e) = printed {
        let _ = writeln!(std::io::stderr(), "error: cannot write the status: {e}");
        return UNKNOWN;
    }
    found.exit_code()
}

fn find(store: &FileStore, knobs: &Knobs, args: &StatusArgs, out: &Out) -> Found {
    if args.prometheus && out.json {
        return Found::Unknown(Error::InvalidInput {
            field: "--prometheus".into(),
            reason: "cannot be combined with --json".into(),
        });
    }
    let settings = match knobs.settings(None) {
        Ok(s) => s,
        Err(e) => return Found::Unknown(e),
    };
    let record = match store.load() {
        Ok(r) => r,
        Err(e) => return Found::Unreadable(e),
    };
    let session = match Session::from_record(&record, settings) {
        Ok(s) => s,
        Err(e) => return Found::Unreadable(e),
    };
    let system = System::new(store.clone(), &session.settings(), crate::progress::log);
    match Client::new(session, system).status(args.check, args.max_age) {
        Ok(status) => Found::Status(Box::new(status)),
        Err(e @ Error::Store { .. }) => Found::Unreadable(e),
        Err(e) => Found::Unknown(e),
    }
}

fn write_stdout(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}

/// A count as a sample value (exact below 2^53).
#[allow(clippy::cast_precision_loss)]
fn number(n: u64) -> f64 {
    n as f64
}

fn seconds(ms: u64) -> f64 {
    number(ms) / 1000.0
}

/// A duration for people: `12d 3h`, `4h 20m`, `35s`.
fn human_duration(ms: u64) -> String {
    let secs = ms / 1000;
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs}s"),
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

fn human(found: &Found) -> String {
    let s = match found {
        Found::Status(s) => s,
        Found::Unreadable(e) => return format!("CRITICAL: the store cannot be read: {e}"),
        Found::Unknown(e) => return format!("UNKNOWN: {e}"),
    };
    let id = s.current_id.as_deref().unwrap_or("of unknown id");
    let age = s.age_ms.map_or_else(
        || "age unknown".to_owned(),
        |a| format!("{} old", human_duration(a)),
    );
    let now = s
        .age_ms
        .zip(s.current_created_at.as_ref())
        .and_then(|(age, created)| {
            mapsindoors_auth::Timestamp::parse(created)
                .and_then(|t| u64::try_from(t.unix_millis()).ok())
                .map(|c| c.saturating_add(age))
        });
    let due = match (s.due_at_ms, now) {
        (Some(at), Some(now)) if at > now => {
            format!(", due {} (in {})", rfc3339(at), human_duration(at - now))
        }
        (Some(at), _) => format!(", due since {}", rfc3339(at)),
        (None, _) => String::new(),
    };
    let mut text = format!(
        "{}: secret {id}, {age}{due}; store generation {}",
        s.health().as_str().to_uppercase(),
        s.generation
    );
    for finding in s.findings() {
        let _ = write!(text, "\n{finding}");
    }
    if let Some(check) = s.check.as_ref().filter(|c| c.accepted) {
        let count = check
            .secret_count
            .map_or_else(String::new, |n| format!("; the client has {n} secrets"));
        let _ = write!(text, "\nthe server accepts the secret{count}");
    }
    for k in &s.kept {
        let who = k.id.as_deref().unwrap_or("a secret of unknown id");
        let _ = write!(text, "\nkept: {who}: {}", k.advice());
    }
    text
}

fn document(store: &FileStore, found: &Found) -> Value {
    let (health, exit_code) = (found.health(), found.exit_code());
    let path = store.path().display().to_string();
    match found {
        Found::Unreadable(e) | Found::Unknown(e) => json!({
            "health": health,
            "exit_code": exit_code,
            "store": path,
            "findings": [e.to_string()],
            "error": {"kind": e.kind().as_str(), "message": e.to_string()},
        }),
        Found::Status(s) => json!({
            "health": health,
            "exit_code": exit_code,
            "store": path,
            "findings": s.findings(),
            "generation": s.generation,
            "updated_at": rfc3339(s.updated_at_ms),
            "client_id": s.client_id,
            "customer_id": s.customer_id,
            "current": {
                "id": s.current_id,
                "created_at": s.current_created_at,
                "owned": s.current_owned,
                "age_seconds": s.age_ms.map(|a| a / 1000),
            },
            "max_age_seconds": s.max_age_ms.map(|a| a / 1000),
            "due": s.due,
            "due_at": s.due_at_ms.map(rfc3339),
            "unfinished": s.unfinished,
            "last_rotation_at": s.last_rotation_ms.map(rfc3339),
            "kept": s.kept.iter().map(|k| json!({
                "id": k.id, "created_at": k.created_at, "reason": k.reason, "advice": k.advice(),
            })).collect::<Vec<_>>(),
            "check": s.check.as_ref().map(|c| json!({
                "accepted": c.accepted,
                "refusal": c.refusal,
                "refusal_kind": c.refusal_kind,
                "secret_count": c.secret_count,
            })),
        }),
    }
}

/// A label value escaped as the exposition format asks (`\`, `"`, newline).
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn prometheus(store: &FileStore, found: &Found) -> String {
    // One label set whatever was found, so a series is updated, not replaced.
    let labels = format!("store=\"{}\"", label(&store.path().display().to_string()));
    let mut out = String::new();
    if let Found::Status(s) = found {
        let _ = writeln!(
            out,
            "# HELP mapsindoors_auth_info The store's client and customer.\n# TYPE mapsindoors_auth_info gauge\nmapsindoors_auth_info{{{labels},client_id=\"{}\",customer_id=\"{}\"}} 1",
            label(&s.client_id),
            label(&s.customer_id)
        );
    }
    let mut metric = |name: &str, help: &str, value: Option<f64>| {
        if let Some(v) = value {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name}{{{labels}}} {v}"
            );
        }
    };
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    metric(
        "mapsindoors_auth_health",
        "0 ok, 1 warning (due or a rotation unfinished), 2 critical (the secret refused or the store unreadable), 3 unknown.",
        Some(f64::from(found.exit_code())),
    );
    if let Found::Status(s) = found {
        metric(
            "mapsindoors_auth_secret_age_seconds",
            "Age of the store's current client secret.",
            s.age_ms.map(seconds),
        );
        metric(
            "mapsindoors_auth_rotation_due",
            "1 when the current secret is due for rotation (its age at least --max-age, or unknown).",
            s.max_age_ms.map(|_| flag(s.due)),
        );
        metric(
            "mapsindoors_auth_next_rotation_timestamp_seconds",
            "When the current secret is due (Unix time).",
            s.due_at_ms.map(seconds),
        );
        metric(
            "mapsindoors_auth_rotation_unfinished",
            "1 when a rotation is unfinished: the next rotate finishes it.",
            Some(flag(s.unfinished.is_some())),
        );
        metric(
            "mapsindoors_auth_last_rotation_timestamp_seconds",
            "When the current secret was created by a rotation (Unix time).",
            s.last_rotation_ms.map(seconds),
        );
        metric(
            "mapsindoors_auth_kept_secrets",
            "Replaced secrets kept for deletion by hand.",
            Some(f64::from(u32::try_from(s.kept.len()).unwrap_or(u32::MAX))),
        );
        metric(
            "mapsindoors_auth_store_generation",
            "The store's generation (every save adds one).",
            Some(number(s.generation)),
        );
        if let Some(check) = &s.check {
            metric(
                "mapsindoors_auth_secret_accepted",
                "1 when the server accepted a login with the current secret (--check).",
                Some(flag(check.accepted)),
            );
            metric(
                "mapsindoors_auth_client_secrets",
                "How many secrets the client has (--check).",
                check.secret_count.map(f64::from),
            );
        }
    }
    out.trim_end().to_owned()
}
