//! When to try an idempotent request again: exponential backoff for transient
//! failures (transport, 5xx, 429 honouring `Retry-After`), and the separate
//! wait for a new secret to propagate. Pure arithmetic; the caller sleeps.

use crate::error::Error;
use crate::http::TransportErrorKind;

/// Backoff for transient failures of idempotent requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 disables retries.
    pub max_attempts: u32,
    /// Delay before the second attempt; doubled for each after it.
    pub base_delay_ms: u64,
    /// The longest backoff delay.
    pub max_delay_ms: u64,
    /// A `Retry-After` longer than this fails at once instead of waiting.
    pub max_retry_after_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay_ms: 200,
            max_delay_ms: 5_000,
            max_retry_after_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    #[must_use]
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The delay before trying again after `attempts` failed attempts ended in
    /// `error`, or `None` to give up.
    ///
    /// A transport timeout is never tried again: the caller's deadline
    /// (`timeout_ms`) bounds the call, and a server that drips or hangs would
    /// otherwise hold it `retries + 1` times as long.
    #[must_use]
    pub fn delay_ms(&self, attempts: u32, error: &Error, now_ms: u64) -> Option<u64> {
        let timed_out =
            matches!(error, Error::Transport(t) if t.kind == TransportErrorKind::Timeout);
        if attempts >= self.max_attempts || !error.is_transient() || timed_out {
            return None;
        }
        if let Some(after) = error.retry_after() {
            let wait = after.delay_ms(now_ms);
            return (wait <= self.max_retry_after_ms).then_some(wait);
        }
        Some(backoff(self.base_delay_ms, attempts, self.max_delay_ms))
    }
}

/// How long to keep trying a just-created secret the server does not accept yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropagationPolicy {
    /// Delay before the second login with the new secret; doubled each time.
    pub first_delay_ms: u64,
    /// The longest single delay.
    pub max_delay_ms: u64,
    /// Give up (safely: the old secret still works) after waiting this long.
    pub max_wait_ms: u64,
}

impl Default for PropagationPolicy {
    fn default() -> Self {
        Self {
            first_delay_ms: 250,
            max_delay_ms: 4_000,
            max_wait_ms: 30_000,
        }
    }
}

impl PropagationPolicy {
    /// The delay after `failures` rejections having waited `waited_ms`, or `None` to give up.
    #[must_use]
    pub fn delay_ms(&self, failures: u32, waited_ms: u64) -> Option<u64> {
        if waited_ms >= self.max_wait_ms {
            return None;
        }
        let d = backoff(self.first_delay_ms, failures, self.max_delay_ms);
        Some(d.min(self.max_wait_ms - waited_ms))
    }
}

fn backoff(base: u64, attempts: u32, max: u64) -> u64 {
    let shift = attempts.saturating_sub(1).min(20);
    base.saturating_mul(1 << shift).min(max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::RetryAfter;
    use crate::http::{TransportError, TransportErrorKind};

    #[test]
    fn backoff_doubles_and_stops() {
        let p = RetryPolicy::default();
        let e = Error::Server {
            status: 503,
            excerpt: String::new(),
        };
        assert_eq!(p.delay_ms(1, &e, 0), Some(200));
        assert_eq!(p.delay_ms(2, &e, 0), Some(400));
        assert_eq!(p.delay_ms(3, &e, 0), Some(800));
        assert_eq!(p.delay_ms(4, &e, 0), None);
        let t = Error::Transport(TransportError::new(TransportErrorKind::Connect, "refused"));
        assert_eq!(p.delay_ms(1, &t, 0), Some(200));
        assert_eq!(p.delay_ms(1, &Error::Forbidden { status: 403 }, 0), None);
    }

    #[test]
    fn retry_after_is_honoured_or_refused() {
        let p = RetryPolicy::default();
        let short = Error::RateLimited {
            status: 429,
            retry_after: Some(RetryAfter::Seconds(2)),
        };
        assert_eq!(p.delay_ms(1, &short, 0), Some(2_000));
        let long = Error::RateLimited {
            status: 429,
            retry_after: Some(RetryAfter::Seconds(3_600)),
        };
        assert_eq!(p.delay_ms(1, &long, 0), None);
    }

    #[test]
    fn propagation_is_bounded() {
        let p = PropagationPolicy::default();
        assert_eq!(p.delay_ms(1, 0), Some(250));
        assert_eq!(p.delay_ms(6, 0), Some(4_000));
        assert_eq!(p.delay_ms(6, 29_000), Some(1_000));
        assert_eq!(p.delay_ms(9, 30_000), None);
    }
}
