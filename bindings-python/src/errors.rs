//! The one mapping from the core's `Error` to a Python exception: the class
//! for each stable kind lives in `mapsindoors_auth._errors`; here we only
//! pick it and fill in its attributes. Messages come from the core and never
//! hold secrets.

use mapsindoors_auth::{Error, ErrorKind, RetryAfter, StoreErrorKind};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::time::{SystemTime, UNIX_EPOCH};

/// The Python exception for a core error.
pub(crate) fn to_pyerr(py: Python<'_>, error: &Error) -> PyErr {
    build(py, error).unwrap_or_else(|e| e)
}

/// Shorthand for results crossing into Python.
pub(crate) fn py_result<T>(py: Python<'_>, result: Result<T, Error>) -> PyResult<T> {
    result.map_err(|e| to_pyerr(py, &e))
}

fn class_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidClient => "InvalidClientError",
        ErrorKind::InvalidGrant => "InvalidGrantError",
        ErrorKind::OAuth => "OAuthError",
        ErrorKind::Unauthorized => "UnauthorizedError",
        ErrorKind::Forbidden => "ForbiddenError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::RateLimited => "RateLimitedError",
        ErrorKind::Server => "ServerError",
        ErrorKind::UnexpectedResponse => "UnexpectedResponseError",
        ErrorKind::InvalidInput => "InvalidInputError",
        ErrorKind::Transport => "TransportError",
        ErrorKind::Store => "StoreError",
        ErrorKind::RotationIncomplete => "RotationIncompleteError",
        _ => "MapsIndoorsAuthError",
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The name of a store error kind, as `StoreError.store_kind` carries it.
pub(crate) fn store_kind_name(kind: StoreErrorKind) -> String {
    kind.to_string()
}

/// Parses a store error kind name; unknown names are `io`.
pub(crate) fn store_kind_from_name(name: &str) -> StoreErrorKind {
    match name {
        "corrupt" => StoreErrorKind::Corrupt,
        "conflict" => StoreErrorKind::Conflict,
        "locked" => StoreErrorKind::Locked,
        "missing" => StoreErrorKind::Missing,
        _ => StoreErrorKind::Io,
    }
}

fn innermost(error: &Error) -> &Error {
    match error {
        Error::RotationIncomplete { cause, .. } => innermost(cause),
        other => other,
    }
}

/// The class for an error: its kind's, except that a store conflict (another
/// run changed the store: run again) has its own subclass of `StoreError`.
fn class_of(error: &Error) -> &'static str {
    match error {
        Error::Store {
            kind: StoreErrorKind::Conflict,
            ..
        } => "StoreConflictError",
        other => class_name(other.kind()),
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let module = py.import("mapsindoors_auth._errors")?;
    let class = module.getattr(class_of(error))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", error.kind().as_str())?;
    kwargs.set_item("status", error.status())?;
    if let Some(oauth) = error.oauth() {
        kwargs.set_item("oauth_error", &oauth.code)?;
        kwargs.set_item("oauth_description", &oauth.description)?;
    }
    match error.retry_after() {
        Some(RetryAfter::Seconds(s)) => {
            #[allow(clippy::cast_precision_loss)] // delays are far below 2^52 seconds
            kwargs.set_item("retry_after", s as f64)?;
        }
        Some(at @ RetryAfter::At(secs)) => {
            #[allow(clippy::cast_precision_loss)] // delays are far below 2^52 ms
            kwargs.set_item("retry_after", at.delay_ms(now_ms()) as f64 / 1000.0)?;
            kwargs.set_item("retry_after_at", secs)?;
        }
        None => {}
    }
    if let Error::RotationIncomplete { stage, cause } = error {
        kwargs.set_item("stage", stage)?;
        kwargs.set_item("cause_code", cause.kind().as_str())?;
    }
    match innermost(error) {
        Error::Store { kind, .. } => kwargs.set_item("store_kind", store_kind_name(*kind))?,
        Error::Transport(t) => kwargs.set_item("transport_kind", t.kind.as_str())?,
        _ => {}
    }
    let exc = class.call((error.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(exc))
}

/// A misuse of the native objects that the Python drivers never commit.
pub(crate) fn misuse(what: &str) -> PyErr {
    PyRuntimeError::new_err(format!("mapsindoors_auth internal misuse: {what}"))
}
