//! [`Event`]: what a binding reports after each step it took for a task
//! (a request, a load, a save, a sleep) and how it went, so a job's log shows
//! what happened without debug output. One shape and one JSON line for every
//! binding (the callback or iterator of each, the CLI's `--log-format json`):
//!
//! ```json
//! {"event":"send","purpose":"create","outcome":"ok","status":201,"duration_ms":84}
//! {"event":"send","purpose":"login","outcome":"transport_error","error":"timeout","duration_ms":30000}
//! {"event":"persist","reason":"pending","outcome":"ok","generation":4,"duration_ms":2}
//! {"event":"persist","reason":"fence","outcome":"conflict","generation":6,"duration_ms":1}
//! {"event":"load","outcome":"ok","generation":3,"duration_ms":1}
//! {"event":"sleep","reason":"propagation","outcome":"ok","duration_ms":200}
//! ```
//!
//! `outcome` is `ok` (a 2xx, a save or load that worked, a sleep),
//! `http_error` (any other status: `status` says which), `transport_error`
//! (no response: `error` is the transport kind), `conflict` (a
//! compare-and-swap lost) or `store_error` (`error` is the store kind). An
//! event holds no secret, token, URL query or body.

use crate::error::{Error, StoreErrorKind};
use crate::http::{HttpResponse, TransportError};
use crate::record::StoreRecord;
use crate::step::{PersistReason, Purpose, SleepReason};
use std::fmt::Write as _;

/// One step taken and how it went.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Event {
    /// `send`, `load`, `persist` or `sleep`.
    pub event: &'static str,
    /// For `send`: the request's purpose ([`Purpose::as_str`]).
    pub purpose: Option<&'static str>,
    /// For `persist` and `sleep`: why ([`PersistReason::as_str`], [`SleepReason::as_str`]).
    pub reason: Option<&'static str>,
    /// `ok`, `http_error`, `transport_error`, `conflict` or `store_error`.
    pub outcome: &'static str,
    /// For `send`: the HTTP status, when a response came.
    pub status: Option<u16>,
    /// For a failure without a status: the transport or store error kind.
    pub error: Option<String>,
    /// For `persist`: the generation saved; for `load`: the one read (`None`: empty).
    pub generation: Option<u64>,
    /// How long the step took, in ms (for `sleep`: how long was slept).
    pub duration_ms: u64,
}

impl Event {
    fn new(event: &'static str, outcome: &'static str, duration_ms: u64) -> Self {
        Self {
            event,
            purpose: None,
            reason: None,
            outcome,
            status: None,
            error: None,
            generation: None,
            duration_ms,
        }
    }

    /// A request for `purpose` and what came back.
    #[must_use]
    pub fn sent(
        purpose: Purpose,
        response: &Result<HttpResponse, TransportError>,
        duration_ms: u64,
    ) -> Self {
        let mut e = match response {
            Ok(r) if (200..300).contains(&r.status) => Self::new("send", "ok", duration_ms),
            Ok(_) => Self::new("send", "http_error", duration_ms),
            Err(t) => Self {
                error: Some(t.kind.as_str().to_owned()),
                ..Self::new("send", "transport_error", duration_ms)
            },
        };
        e.purpose = Some(purpose.as_str());
        e.status = response.as_ref().ok().map(|r| r.status);
        e
    }

    /// A load of the store and what it gave.
    #[must_use]
    pub fn loaded(result: &Result<Option<StoreRecord>, Error>, duration_ms: u64) -> Self {
        match result {
            Ok(record) => Self {
                generation: record.as_ref().map(|r| r.generation),
                ..Self::new("load", "ok", duration_ms)
            },
            Err(e) => Self::store_failure("load", e, duration_ms),
        }
    }

    /// A save of generation `generation` for `reason` and how it went.
    #[must_use]
    pub fn persisted(
        reason: PersistReason,
        generation: u64,
        result: &Result<(), Error>,
        duration_ms: u64,
    ) -> Self {
        let mut e = match result {
            Ok(()) => Self::new("persist", "ok", duration_ms),
            Err(err) => Self::store_failure("persist", err, duration_ms),
        };
        e.reason = Some(reason.as_str());
        e.generation = Some(generation);
        e
    }

    /// A sleep the task asked for, once slept.
    #[must_use]
    pub fn slept(reason: SleepReason, ms: u64) -> Self {
        Self {
            reason: Some(reason.as_str()),
            ..Self::new("sleep", "ok", ms)
        }
    }

    fn store_failure(event: &'static str, error: &Error, duration_ms: u64) -> Self {
        match error {
            Error::Store {
                kind: StoreErrorKind::Conflict,
                ..
            } => Self::new(event, "conflict", duration_ms),
            Error::Store { kind, .. } => Self {
                error: Some(kind.to_string()),
                ..Self::new(event, "store_error", duration_ms)
            },
            other => Self {
                error: Some(other.kind().as_str().to_owned()),
                ..Self::new(event, "store_error", duration_ms)
            },
        }
    }

    /// The event as one line of JSON, fields in a fixed order, absent ones left out.
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut out = format!("{{\"event\":\"{}\"", self.event);
        for (name, value) in [("purpose", self.purpose), ("reason", self.reason)] {
            if let Some(v) = value {
                let _ = write!(out, ",\"{name}\":\"{v}\"");
            }
        }
        let _ = write!(out, ",\"outcome\":\"{}\"", self.outcome);
        if let Some(s) = self.status {
            let _ = write!(out, ",\"status\":{s}");
        }
        if let Some(e) = &self.error {
            // Kinds are fixed identifiers; escape anyway.
            let quoted = serde_json::to_string(e).unwrap_or_else(|_| "\"?\"".to_owned());
            let _ = write!(out, ",\"error\":{quoted}");
        }
        if let Some(g) = self.generation {
            let _ = write!(out, ",\"generation\":{g}");
        }
        let _ = write!(out, ",\"duration_ms\":{}}}", self.duration_ms);
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::http::TransportErrorKind;

    #[test]
    fn a_response_is_ok_or_an_http_error_by_status() {
        let ok = HttpResponse::new(201, vec![], b"{\"secret\":\"canary-s3cr3t\"}".to_vec());
        let line = Event::sent(Purpose::Create, &Ok(ok), 84).to_json();
        assert_eq!(
            line,
            r#"{"event":"send","purpose":"create","outcome":"ok","status":201,"duration_ms":84}"#
        );
        assert!(!line.contains("canary"));
        let refused = HttpResponse::new(400, vec![], b"{\"error\":\"invalid_client\"}".to_vec());
        let e = Event::sent(Purpose::Login, &Ok(refused), 3);
        assert_eq!((e.outcome, e.status), ("http_error", Some(400)));
    }

    #[test]
    fn a_transport_failure_names_its_kind() {
        let t = TransportError::new(TransportErrorKind::Timeout, "canary-s3cr3t in a message");
        let line = Event::sent(Purpose::Login, &Err(t), 30_000).to_json();
        assert_eq!(
            line,
            r#"{"event":"send","purpose":"login","outcome":"transport_error","error":"timeout","duration_ms":30000}"#
        );
    }

    #[test]
    fn saves_and_loads() {
        let conflict = Err(Error::store(StoreErrorKind::Conflict, "x"));
        assert_eq!(
            Event::persisted(PersistReason::Fence, 6, &conflict, 1).to_json(),
            r#"{"event":"persist","reason":"fence","outcome":"conflict","generation":6,"duration_ms":1}"#
        );
        let io = Err(Error::store(StoreErrorKind::Io, "disk full"));
        assert_eq!(
            Event::persisted(PersistReason::Pending, 4, &io, 2).to_json(),
            r#"{"event":"persist","reason":"pending","outcome":"store_error","error":"io","generation":4,"duration_ms":2}"#
        );
        assert_eq!(
            Event::loaded(&Ok(None), 1).to_json(),
            r#"{"event":"load","outcome":"ok","duration_ms":1}"#
        );
        assert_eq!(
            Event::slept(SleepReason::Propagation, 200).to_json(),
            r#"{"event":"sleep","reason":"propagation","outcome":"ok","duration_ms":200}"#
        );
    }
}
