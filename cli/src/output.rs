//! What goes to stdout: human text or `--json`, the rotation report in both
//! forms, and errors as JSON. Nothing here ever receives a stored secret.

use crate::failure::Failure;
use mapsindoors_auth::{Candidate, Error, RotationReport};
use serde_json::{Value, json};
use std::io::Write;

/// Where results go, and in which form.
pub(crate) struct Out {
    /// `--json`.
    pub(crate) json: bool,
}

/// `text` with every control character (C0, DEL, C1) written as `\u00XX`,
/// keeping newlines only if `newlines`: nothing from a server (an error
/// description, a secret's description, a token type) moves the cursor, sets
/// the title or forges a line. Inside a JSON string the escape is valid JSON.
pub(crate) fn terminal_safe(text: &str, newlines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !(newlines && c == '\n') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

fn write_line(text: &str) -> Result<(), Error> {
    let text = terminal_safe(text, true);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .and_then(|()| stdout.flush())
        .map_err(|e| Error::InvalidInput {
            field: "stdout".into(),
            reason: format!("cannot write: {e}"),
        })
}

impl Out {
    /// Prints a result: the JSON value, or the text.
    pub(crate) fn value(&self, json: &Value, text: impl FnOnce() -> String) -> Result<(), Error> {
        if self.json {
            write_line(&json.to_string())
        } else {
            write_line(&text())
        }
    }

    /// A failure as one JSON document on stdout (`--json` only): `error`,
    /// its fields named as in every binding: `code` (the core's stable kind;
    /// also under its older name `kind`), `message`, `status`, `retry_after`
    /// (seconds), `stage`, `oauth_error` (the RFC 6749/6750 code),
    /// `transport_kind` (`connect`, `timeout`, `interrupted` or `other`, when
    /// no response arrived), plus the exit code; and a failed rotation's
    /// `partial_report`.
    pub(crate) fn error(&self, failure: &Failure, exit_code: u8) {
        if !self.json {
            return;
        }
        let error = failure.error();
        let kind = error.kind().as_str();
        let retry_after = error
            .retry_after()
            .map(|r| r.delay_ms(crate::system::now_ms()) / 1000);
        let stage = match error {
            Error::RotationIncomplete { stage, .. } => Some(stage.as_str()),
            _ => None,
        };
        let json = json!({
            "code": kind,
            "kind": kind,
            "message": failure.message(),
            "status": error.status(),
            "retry_after": retry_after,
            "stage": stage,
            "oauth_error": error.oauth().map(|o| o.code.as_str()),
            "transport_kind": error.transport_kind().map(|k| k.as_str()),
            "exit_code": exit_code,
        });
        let mut document = json!({ "error": json });
        if let (Some(partial), Some(fields)) = (failure.partial_report(), document.as_object_mut())
        {
            fields.insert("partial_report".to_owned(), partial.clone());
        }
        let _ = write_line(&document.to_string());
    }

    /// A usage error found while parsing the arguments, as the one JSON
    /// document `--json` promises (`invalid_input`, exit code 2).
    pub(crate) fn usage_error(&self, reason: String) {
        let error = Error::InvalidInput {
            field: "arguments".to_owned(),
            reason,
        };
        self.error(&Failure::from(error), crate::exit::USAGE);
    }
}

/// Candidates as JSON: ids and creation dates (never secrets).
pub(crate) fn candidates_json(candidates: &[Candidate]) -> Value {
    json!(
        candidates
            .iter()
            .map(|c| json!({"id": c.id, "created_at": c.created_at}))
            .collect::<Vec<_>>()
    )
}

/// Candidates as text: `id (created …), …`.
pub(crate) fn candidates_text(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| match &c.created_at {
            Some(at) => format!("{} (created {at})", c.id),
            None => c.id.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rotation report as JSON (the token is left out).
pub(crate) fn report_json(r: &RotationReport) -> Value {
    json!({
        "rotated": r.rotated,
        "resumed": r.resumed,
        "old_id": r.old_id,
        "new_id": r.new_id,
        "deleted": r.deleted,
        "swept": r.swept,
        // Each kept secret with the core's advice on what to do about it.
        "kept": r.kept.iter().map(|k| json!({
            "id": k.id,
            "created_at": k.created_at,
            "candidates": candidates_json(&k.candidates),
            "reason": k.reason,
            "advice": k.advice(),
        })).collect::<Vec<_>>(),
        "round_trips": r.round_trips,
        "persists": r.persists,
        "generation": r.generation,
        "decision": r.decision.as_str(),
        "due_at_ms": r.due_at_ms,
        "due_at": r.due_at_ms.map(rfc3339),
    })
}

/// Unix ms as RFC 3339 in UTC.
pub(crate) fn rfc3339(ms: u64) -> String {
    mapsindoors_auth::Timestamp::from_unix_millis(ms).to_rfc3339()
}

/// The rotation report as text.
pub(crate) fn report_text(r: &RotationReport) -> String {
    let ids = |ids: &[String]| {
        if ids.is_empty() {
            "-".to_owned()
        } else {
            ids.join(", ")
        }
    };
    let resumed = if r.resumed {
        " (finished an interrupted rotation first)"
    } else {
        ""
    };
    let due = r
        .due_at_ms
        .map(|at| format!(" (next due {})", rfc3339(at)))
        .unwrap_or_default();
    let mut lines = vec![
        format!("rotated:        {}{resumed}", r.rotated),
        format!("decision:       {}{due}", r.decision.as_str()),
        format!("old secret id:  {}", r.old_id.as_deref().unwrap_or("-")),
        format!("new secret id:  {}", r.new_id.as_deref().unwrap_or("-")),
        format!("deleted ids:    {}", ids(&r.deleted)),
        format!("swept ids:      {}", ids(&r.swept)),
    ];
    for k in &r.kept {
        let who = match (&k.id, k.candidates.as_slice()) {
            (Some(id), _) => id.clone(),
            (None, []) => "a secret of unknown id".to_owned(),
            (None, c) => format!("one of {}", candidates_text(c)),
        };
        let created = k
            .created_at
            .as_ref()
            .map(|at| format!(", created {at}"))
            .unwrap_or_default();
        lines.push(format!("kept:           {who}{created}: {}", k.reason));
        lines.push(format!("                {}", k.advice()));
    }
    lines.push(format!("round trips:    {}", r.round_trips));
    lines.push(format!(
        "generation:     {} ({} saves)",
        r.generation, r.persists
    ));
    lines.join("\n")
}
