//! Fault rules (status, delay, dropped connection) and the queue that hands them out.
//! What a fault does to a request is carried out in `intercept.rs`.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::route::Route;

/// Which API operation a fault rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultRoute {
    /// `/connect/token`.
    Token,
    /// `GET /api/clientcredentials`.
    List,
    /// `POST /api/clientcredentials`.
    Create,
    /// `DELETE /api/clientcredentials`.
    Delete,
    /// Any of the four above (not unknown paths, not `/_emulator/`, not CORS preflights).
    Any,
}

impl FaultRoute {
    fn matches(self, route: Route) -> bool {
        match self {
            FaultRoute::Any => route != Route::Other,
            FaultRoute::Token => route == Route::Token,
            FaultRoute::List => route == Route::List,
            FaultRoute::Create => route == Route::Create,
            FaultRoute::Delete => route == Route::Delete,
        }
    }
}

/// An answer given instead of the real one; nothing is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusFault {
    /// The HTTP status code (100..=999).
    pub code: u16,
    /// The body; sent as `application/json` when it parses as JSON, else as `text/plain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body as base64, for bytes that are not UTF-8 (wins over `body`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// A `Retry-After` value: seconds (`"2"`) or an HTTP date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<String>,
    /// More headers, as `[name, value]` pairs (a `WWW-Authenticate` challenge, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
}

/// What happens to a faulted request.
///
/// JSON: `{"status": {...}}`, `{"delay_ms": 500}`, `"drop_before"` or `"drop_after"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultAction {
    /// Answer this status instead, without doing anything.
    Status(StatusFault),
    /// Wait this many milliseconds, then proceed normally.
    DelayMs(u64),
    /// Close the connection without answering and without doing anything.
    DropBefore,
    /// Do the work (the state change is committed), then close the connection without answering.
    DropAfter,
    /// Answer this 3xx with `Location: location` (default: the second
    /// origin, `http://localhost:PORT/_emulator/elsewhere/...`).
    Redirect {
        /// 301, 302, 303, 307 or 308.
        code: u16,
        /// Where to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        location: Option<String>,
    },
    /// 200, then one byte every `interval_ms`, forever.
    Drip {
        /// The pause between bytes.
        interval_ms: u64,
    },
    /// 200 with a body that never ends.
    Endless,
    /// 200 with `Content-Encoding: gzip` that inflates to `mib` MiB.
    GzipBomb {
        /// The inflated size in MiB (at most 4096).
        mib: u32,
    },
    /// 200 headers, then nothing.
    HeadersThenSilence,
    /// 200 with a header of `kib` KiB.
    HugeHeaders {
        /// Its size.
        kib: u32,
    },
    /// Answer `code` with a text body echoing the request body (the posted form).
    EchoForm {
        /// The status.
        code: u16,
    },
    /// 200 and half a body, then the connection is reset.
    ResetMidBody,
}

/// A fault applied to the next `count` requests matching `route`, in order of injection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Which requests it applies to.
    pub route: FaultRoute,
    /// What it does to them.
    pub action: FaultAction,
    /// How many more requests it applies to (default 1).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

impl FaultRule {
    /// A rule from its parts.
    pub fn new(route: FaultRoute, action: FaultAction, count: u32) -> Self {
        Self {
            route,
            action,
            count,
        }
    }

    /// Answer `code` with an empty body `count` times.
    pub fn status(route: FaultRoute, code: u16, count: u32) -> Self {
        Self::new(
            route,
            FaultAction::Status(StatusFault {
                code,
                body: None,
                body_base64: None,
                retry_after: None,
                headers: Vec::new(),
            }),
            count,
        )
    }

    /// Answer `code` with `Retry-After: retry_after` (seconds or an HTTP date) `count` times,
    /// e.g. `FaultRule::retry_after(FaultRoute::Token, 429, "1", 2)`.
    pub fn retry_after(
        route: FaultRoute,
        code: u16,
        retry_after: impl Into<String>,
        count: u32,
    ) -> Self {
        Self::new(
            route,
            FaultAction::Status(StatusFault {
                code,
                body: None,
                body_base64: None,
                retry_after: Some(retry_after.into()),
                headers: Vec::new(),
            }),
            count,
        )
    }

    /// Sets the body of a status fault (no effect on other actions).
    #[must_use]
    pub fn with_body(mut self, body: impl Into<String>) -> Self {
        if let FaultAction::Status(s) = &mut self.action {
            s.body = Some(body.into());
        }
        self
    }

    /// Delay `count` requests by `ms` milliseconds.
    pub fn delay(route: FaultRoute, ms: u64, count: u32) -> Self {
        Self::new(route, FaultAction::DelayMs(ms), count)
    }

    /// Drop the connection of `count` requests before doing anything.
    pub fn drop_before(route: FaultRoute, count: u32) -> Self {
        Self::new(route, FaultAction::DropBefore, count)
    }

    /// Drop the connection of `count` requests after doing the work.
    pub fn drop_after(route: FaultRoute, count: u32) -> Self {
        Self::new(route, FaultAction::DropAfter, count)
    }

    /// Checks what JSON cannot: a real status code, a header-safe `Retry-After`, a non-zero count.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        if let FaultAction::Status(s) = &self.action {
            if axum::http::StatusCode::from_u16(s.code).is_err() {
                return Err(format!("{} is not an HTTP status code", s.code));
            }
            if let Some(ra) = &s.retry_after {
                if axum::http::HeaderValue::from_str(ra).is_err() {
                    return Err("retry_after is not a valid header value".into());
                }
            }
        }
        Ok(())
    }
}

/// Pending fault rules, oldest first.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    rules: VecDeque<FaultRule>,
}

impl FaultQueue {
    pub(crate) fn push(&mut self, rule: FaultRule) {
        if rule.count > 0 {
            self.rules.push_back(rule);
        }
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    pub(crate) fn pending(&self) -> Vec<FaultRule> {
        self.rules.iter().cloned().collect()
    }

    /// Takes one use of the oldest rule matching `route`.
    pub(crate) fn take(&mut self, route: Route) -> Option<FaultAction> {
        let index = self.rules.iter().position(|r| r.route.matches(route))?;
        let rule = self.rules.get_mut(index)?;
        let action = rule.action.clone();
        rule.count = rule.count.saturating_sub(1);
        if rule.count == 0 {
            self.rules.remove(index);
        }
        Some(action)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn json_shapes() {
        let rule: FaultRule = serde_json::from_str(
            r#"{"route":"token","action":{"status":{"code":503,"retry_after":"2"}},"count":2}"#,
        )
        .unwrap();
        assert_eq!(rule, FaultRule::retry_after(FaultRoute::Token, 503, "2", 2));
        let rule: FaultRule =
            serde_json::from_str(r#"{"route":"any","action":{"delay_ms":5}}"#).unwrap();
        assert_eq!(rule, FaultRule::delay(FaultRoute::Any, 5, 1));
        let rule: FaultRule =
            serde_json::from_str(r#"{"route":"delete","action":"drop_after"}"#).unwrap();
        assert_eq!(rule, FaultRule::drop_after(FaultRoute::Delete, 1));
        assert_eq!(
            serde_json::to_string(&FaultAction::DropBefore).unwrap(),
            r#""drop_before""#
        );
    }

    #[test]
    fn queue_applies_in_order_and_counts_down() {
        let mut q = FaultQueue::default();
        q.push(FaultRule::status(FaultRoute::Create, 500, 1));
        q.push(FaultRule::status(FaultRoute::Any, 503, 2));
        assert_eq!(q.take(Route::Other), None);
        assert!(matches!(q.take(Route::Token), Some(FaultAction::Status(s)) if s.code == 503));
        assert!(matches!(q.take(Route::Create), Some(FaultAction::Status(s)) if s.code == 500));
        assert!(matches!(q.take(Route::Create), Some(FaultAction::Status(s)) if s.code == 503));
        assert_eq!(q.take(Route::Create), None);
        assert!(q.pending().is_empty());
    }

    #[test]
    fn validation() {
        assert!(
            FaultRule::status(FaultRoute::Any, 42, 1)
                .validate()
                .is_err()
        );
        assert!(
            FaultRule::status(FaultRoute::Any, 503, 0)
                .validate()
                .is_err()
        );
        assert!(
            FaultRule::retry_after(FaultRoute::Any, 429, "a\nb", 1)
                .validate()
                .is_err()
        );
        assert!(
            FaultRule::retry_after(FaultRoute::Any, 429, "1", 1)
                .validate()
                .is_ok()
        );
    }
}
