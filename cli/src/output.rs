//! What goes to stdout: human text or `--json`, the rotation report in both
//! forms, and errors as JSON. Nothing here ever receives a stored secret.

use mapsindoors_auth::{Error, RotationReport};
use serde_json::{Value, json};
use std::io::Write;

/// Where results go, and in which form.
pub(crate) struct Out {
    /// `--json`.
    pub(crate) json: bool,
}

fn write_line(text: &str) -> Result<(), Error> {
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

    /// A partial report from a failed rotation: JSON mode only (stderr carries the error).
    pub(crate) fn partial(&self, json: &Value) {
        if self.json {
            let _ = write_line(&json!({"partial_report": json}).to_string());
        }
    }

    /// An error as JSON on stdout (`--json` only).
    pub(crate) fn error(&self, error: &Error, code: u8) {
        if self.json {
            let _ = write_line(&json!({"error": {"kind": error.kind().as_str(), "message": error.to_string(), "exit_code": code}}).to_string());
        }
    }
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
        "kept": r.kept.iter().map(|k| json!({"id": k.id, "reason": k.reason})).collect::<Vec<_>>(),
        "round_trips": r.round_trips,
        "persists": r.persists,
        "generation": r.generation,
    })
}

/// The rotation report as text.
pub(crate) fn report_text(r: &RotationReport) -> String {
    let none = || "-".to_owned();
    let mut lines = vec![
        format!(
            "rotated:     {}{}",
            r.rotated,
            if r.resumed {
                " (finished an interrupted rotation first)"
            } else {
                ""
            }
        ),
        format!("old secret:  {}", r.old_id.clone().unwrap_or_else(none)),
        format!("new secret:  {}", r.new_id.clone().unwrap_or_else(none)),
        format!(
            "deleted:     {}",
            if r.deleted.is_empty() {
                none()
            } else {
                r.deleted.join(", ")
            }
        ),
        format!(
            "swept:       {}",
            if r.swept.is_empty() {
                none()
            } else {
                r.swept.join(", ")
            }
        ),
    ];
    for k in &r.kept {
        lines.push(format!(
            "kept:        {} ({})",
            k.id.clone().unwrap_or_else(none),
            k.reason
        ));
    }
    lines.push(format!("round trips: {}", r.round_trips));
    lines.push(format!(
        "generation:  {} ({} saves)",
        r.generation, r.persists
    ));
    lines.join("\n")
}
