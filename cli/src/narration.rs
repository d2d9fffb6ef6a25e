//! The demo's narration: one line per event a step reports (a round trip
//! by its purpose, a save by its reason, a sleep), on stdout, or on stderr
//! when stdout carries `--json`. Ids only, never a secret.

use crate::driver::Event;
use std::cell::Cell;
use std::io::Write;

thread_local! {
    /// The round trip being narrated, counted per run.
    static ROUND_TRIP: Cell<u32> = const { Cell::new(0) };
}

/// Where the narration goes: stdout, or stderr when stdout carries `--json`.
#[derive(Clone, Copy)]
pub(crate) struct Narrator {
    /// `--json`: stdout carries the summary.
    pub(crate) to_stderr: bool,
}

impl Narrator {
    /// Round trips are numbered from 1 again.
    pub(crate) fn new_run() {
        ROUND_TRIP.with(|r| r.set(0));
    }

    /// One line of narration.
    pub(crate) fn say(self, text: &str) {
        let _ = if self.to_stderr {
            writeln!(std::io::stderr().lock(), "{text}")
        } else {
            writeln!(std::io::stdout().lock(), "{text}")
        };
    }

    /// One line per event, named by the step's purpose or reason.
    pub(crate) fn event(self, event: &Event<'_>) {
        match event {
            Event::Received {
                request,
                purpose,
                response,
                elapsed,
            } => {
                let n = ROUND_TRIP.with(|r| {
                    r.set(r.get() + 1);
                    r.get()
                });
                let path = url::Url::parse(&request.url)
                    .map(|u| u.path().to_owned())
                    .unwrap_or_default();
                let outcome = match response {
                    Ok(r) => format!("HTTP {}", r.status),
                    Err(e) => format!("no response ({})", e.kind),
                };
                self.say(&format!(
                    "  [{n}] {:<6} {path:<24} {:<40} -> {outcome} ({} ms)",
                    request.method.as_str(),
                    crate::progress::request_label(*purpose),
                    elapsed.as_millis()
                ));
            }
            Event::Persisted { reason, record } => self.say(&format!(
                "      persist generation {}: {}{}",
                record.generation,
                crate::progress::persist_label(*reason),
                record
                    .deleting
                    .as_deref()
                    .map(|id| format!(" (id {id})"))
                    .unwrap_or_default()
            )),
            Event::Sleeping { ms, reason } => {
                self.say(&format!("      wait {ms} ms ({})", reason.as_str()));
            }
            // `--log-format json` lines: printed by `progress::log`.
            Event::Step(_) => crate::progress::log(event),
        }
    }
}
