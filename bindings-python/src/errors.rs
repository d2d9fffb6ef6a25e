//! The one mapping from the core's `Error` to a Python exception: every
//! field goes to `mapsindoors_auth._errors._from_native`, which picks the
//! class for the stable kind. Messages come from the core and never hold
//! secrets.

use mapsindoors_auth::{Error, RetryAfter, StoreErrorKind};
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

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", error.kind().as_str())?;
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
        kwargs.set_item("cause_kind", cause.kind().as_str())?;
    }
    if let Error::Store { kind, .. } = innermost(error) {
        kwargs.set_item("store_kind", kind.to_string())?;
    }
    if let Some(kind) = error.transport_kind() {
        kwargs.set_item("transport_kind", kind.as_str())?;
    }
    let make = py
        .import("mapsindoors_auth._errors")?
        .getattr("_from_native")?;
    Ok(PyErr::from_value(
        make.call((error.to_string(),), Some(&kwargs))?,
    ))
}

/// A misuse of the native objects that the Python drivers never commit.
pub(crate) fn misuse(what: &str) -> PyErr {
    PyRuntimeError::new_err(format!("mapsindoors_auth internal misuse: {what}"))
}
