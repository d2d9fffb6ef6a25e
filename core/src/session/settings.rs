//! The knobs, one set for every binding, same names and units everywhere:
//! `retries`, `propagation_wait_ms`, `timeout_ms`, `description`.

use crate::error::Error;
use crate::retry::{PropagationPolicy, RetryPolicy};
use crate::rotation::RotateOptions;

/// The most retries a session allows.
pub const MAX_RETRIES: u32 = 10;
/// The longest propagation wait a session allows (10 minutes).
pub const MAX_PROPAGATION_WAIT_MS: u64 = 600_000;
/// The longest request timeout a session allows (10 minutes).
pub const MAX_TIMEOUT_MS: u64 = 600_000;

/// How patient a [`crate::Session`] is. Every binding exposes exactly these
/// fields under these names (camelCase in JS and Kotlin), in these units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Retries after the first attempt of an idempotent request (token,
    /// list, delete) that failed transiently (transport, 5xx, 429 with a
    /// `Retry-After` of at most a minute); 0 to 10, default 3. A create is
    /// never retried.
    pub retries: u32,
    /// How long a rotation waits for a new secret to be accepted before
    /// stopping safely (the old secret stays in use), in milliseconds; at
    /// most 10 minutes, default 30 000.
    pub propagation_wait_ms: u64,
    /// Per-request timeout the binding's transport applies, in
    /// milliseconds; 1 to 600 000, default 30 000.
    pub timeout_ms: u64,
    /// The description of secrets a rotation creates (a lineage tag is
    /// appended); `None` keeps the store's.
    pub description: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            retries: 3,
            propagation_wait_ms: PropagationPolicy::default().max_wait_ms,
            timeout_ms: 30_000,
            description: None,
        }
    }
}

impl Settings {
    /// Checks every knob is in range.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the knob.
    pub fn validate(&self) -> Result<(), Error> {
        if self.retries > MAX_RETRIES {
            return Err(Error::invalid_input(
                "retries",
                format!("must be 0 to {MAX_RETRIES}"),
            ));
        }
        if self.propagation_wait_ms > MAX_PROPAGATION_WAIT_MS {
            return Err(Error::invalid_input(
                "propagation_wait_ms",
                format!("must be at most {MAX_PROPAGATION_WAIT_MS}"),
            ));
        }
        if self.timeout_ms == 0 || self.timeout_ms > MAX_TIMEOUT_MS {
            return Err(Error::invalid_input(
                "timeout_ms",
                format!("must be 1 to {MAX_TIMEOUT_MS}"),
            ));
        }
        match &self.description {
            Some(d) => crate::config::check_field("description", d).map(drop),
            None => Ok(()),
        }
    }

    /// The retry policy of idempotent requests.
    #[must_use]
    pub fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            max_attempts: self.retries.saturating_add(1),
            ..RetryPolicy::default()
        }
    }

    /// What a rotation is told.
    #[must_use]
    pub fn rotate_options(&self) -> RotateOptions {
        RotateOptions {
            description: self.description.clone(),
            retry: self.retry(),
            propagation: PropagationPolicy {
                max_wait_ms: self.propagation_wait_ms,
                ..PropagationPolicy::default()
            },
            max_age_ms: None,
        }
    }
}
