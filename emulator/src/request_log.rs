//! The request log: one redacted entry per API request, for tests to assert what a client sent.
//! Entries are filled in by `intercept.rs`; no secret, password or token value ever enters here.

use serde::{Deserialize, Serialize};

use crate::fault::FaultAction;
use crate::route::Route;

/// One API request (admin routes and CORS preflights are not logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// 1, 2, 3, ... in order of arrival; not reset by [`Emulator::clear_log`](crate::Emulator::clear_log).
    pub seq: u64,
    /// The HTTP method.
    pub method: String,
    /// Which operation it was.
    pub route: Route,
    /// The request path.
    pub path: String,
    /// The query string with the values of all but known harmless parameters replaced by
    /// `[redacted]`; `None` when there was none.
    pub query: Option<String>,
    /// The status sent; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The `grant_type` of a token request.
    pub grant_type: Option<String>,
    /// The client: from a token request, or the client whose bearer token was presented.
    pub client_id: Option<String>,
    /// The user: from a password grant, or the user whose bearer token was presented.
    pub username: Option<String>,
    /// How a token request authenticated its client: `"basic"`, `"form"` or `None`.
    pub client_auth: Option<String>,
    /// The fault that was applied, if any.
    pub fault: Option<FaultAction>,
    /// Milliseconds from the emulator's start to the arrival of the request.
    pub at_ms: u64,
}

/// Query parameters whose values are safe to keep. Everything else is redacted.
const HARMLESS_PARAMS: &[&str] = &[
    "customerid",
    "id",
    "description",
    "grant_type",
    "client_id",
    "username",
    "scope",
];

/// Replaces the values of parameters not known to be harmless by `[redacted]`, keeping the rest
/// of the query string byte for byte.
pub(crate) fn redact_query(query: &str) -> String {
    query
        .split('&')
        .map(|piece| {
            let raw_key = piece.split('=').next().unwrap_or_default();
            let key: String = form_urlencoded::parse(raw_key.as_bytes())
                .map(|(k, _)| k.into_owned())
                .next()
                .unwrap_or_default();
            if HARMLESS_PARAMS.contains(&key.to_ascii_lowercase().as_str()) {
                piece.to_owned()
            } else if piece.contains('=') {
                format!("{raw_key}=[redacted]")
            } else {
                "[redacted]".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The log and its sequence counter.
#[derive(Debug, Default)]
pub(crate) struct RequestLog {
    entries: Vec<LogEntry>,
    last_seq: u64,
}

impl RequestLog {
    /// The next sequence number, taken when a request arrives.
    pub(crate) fn next_seq(&mut self) -> u64 {
        self.last_seq += 1;
        self.last_seq
    }

    /// Records a finished (or dropped) request.
    pub(crate) fn push(&mut self, entry: LogEntry) {
        let at = self.entries.partition_point(|e| e.seq < entry.seq);
        self.entries.insert(at, entry);
    }

    pub(crate) fn entries(&self) -> Vec<LogEntry> {
        self.entries.clone()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn query_values_are_redacted_unless_harmless() {
        assert_eq!(
            redact_query("customerId=c&client_secret=s3cr3t&Password=pw&id=1&x=y&bare"),
            "customerId=c&client_secret=[redacted]&Password=[redacted]&id=1&x=[redacted]&[redacted]"
        );
    }
}
