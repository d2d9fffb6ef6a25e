//! [`Failure`]: how a command failed, as the CLI reports it: the core's
//! [`Error`] (its kind decides the exit code), what the command was doing
//! (e.g. the id a `delete` named) and a failed rotation's report so far, so
//! that `--json` prints them as one document. Presentation only.

use mapsindoors_auth::Error;
use serde_json::Value;

/// A failed command (boxed: a `Result`'s error stays small).
#[derive(Debug)]
pub(crate) struct Failure(Box<Parts>);

#[derive(Debug)]
struct Parts {
    error: Error,
    /// What the command was doing, put before the error's message.
    context: Option<String>,
    /// A failed rotation's report so far (`--json`: `partial_report`).
    partial_report: Option<Value>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self(Box::new(Parts {
            error,
            context: None,
            partial_report: None,
        }))
    }
}

impl Failure {
    /// `error`, while doing `context`.
    pub(crate) fn within(error: Error, context: String) -> Self {
        let mut failure = Self::from(error);
        failure.0.context = Some(context);
        failure
    }

    /// With a failed rotation's report so far.
    pub(crate) fn with_partial_report(mut self, partial_report: Option<Value>) -> Self {
        self.0.partial_report = partial_report;
        self
    }

    /// The core's error.
    pub(crate) fn error(&self) -> &Error {
        &self.0.error
    }

    /// A failed rotation's report so far.
    pub(crate) fn partial_report(&self) -> Option<&Value> {
        self.0.partial_report.as_ref()
    }

    /// The message shown on stderr and as `message` in `--json`.
    pub(crate) fn message(&self) -> String {
        match &self.0.context {
            Some(context) => format!("{context}: {}", self.0.error),
            None => self.0.error.to_string(),
        }
    }
}

/// `error`, with an `InvalidInput` about `field` renamed to `flag`: the name
/// the user typed, not the core's.
pub(crate) fn as_flag(error: Error, field: &str, flag: &str) -> Error {
    match error {
        Error::InvalidInput { field: f, reason } if f == field => Error::InvalidInput {
            field: flag.to_owned(),
            reason,
        },
        other => other,
    }
}
