//! The typed steps `_Task.poll` returns: `Send`, `Load`, `Persist`, `Sleep`,
//! `Wait` and `Done`, one small class each, carrying what the core says the
//! step is for (`purpose`, `reason`). Their `repr` never shows a header
//! value or a body.

use crate::errors::{misuse, to_pyerr};
use crate::record::StoreRecord;
use crate::values::{CreatedSecret, RotationReport, SecretInfo, Token};
use mapsindoors_auth::{Outcome, Step};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// Send this request with the transport, then answer with `on_response` or
/// `on_transport_error`.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Send")]
pub struct SendStep {
    #[pyo3(get)]
    method: &'static str,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    headers: Vec<(String, String)>,
    #[pyo3(get)]
    body: Py<PyBytes>,
    #[pyo3(get)]
    purpose: &'static str,
}

#[pymethods]
impl SendStep {
    fn __repr__(&self) -> String {
        format!("Send({}: {} {})", self.purpose, self.method, self.url)
    }
}

/// Load the store's record, then answer with `on_loaded`.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Load")]
pub struct LoadStep;

#[pymethods]
impl LoadStep {
    fn __repr__(&self) -> &'static str {
        "Load()"
    }
}

/// Save `record` with a compare-and-swap on `record.generation - 1`, then
/// answer with `on_persisted`.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Persist")]
pub struct PersistStep {
    #[pyo3(get)]
    record: Py<StoreRecord>,
    #[pyo3(get)]
    reason: &'static str,
}

#[pymethods]
impl PersistStep {
    fn __repr__(&self) -> String {
        format!(
            "Persist({}: generation {})",
            self.reason,
            self.record.get().inner.generation
        )
    }
}

/// Sleep `ms` milliseconds, then poll again.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Sleep")]
pub struct SleepStep {
    #[pyo3(get)]
    ms: u64,
    #[pyo3(get)]
    reason: &'static str,
}

#[pymethods]
impl SleepStep {
    fn __repr__(&self) -> String {
        format!("Sleep({} ms, {})", self.ms, self.reason)
    }
}

/// Another task of the session is logging in: wait a little (at most `ms`
/// milliseconds), then poll again.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Wait")]
pub struct WaitStep {
    #[pyo3(get)]
    ms: u64,
}

#[pymethods]
impl WaitStep {
    fn __repr__(&self) -> String {
        format!("Wait({} ms)", self.ms)
    }
}

/// Finished with `value` (a failure is raised by `poll` instead).
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "Done")]
pub struct DoneStep {
    #[pyo3(get)]
    value: Py<PyAny>,
}

#[pymethods]
impl DoneStep {
    fn __repr__(&self) -> &'static str {
        "Done(...)"
    }
}

/// The Python object for a step; a failed `Done` is raised.
pub(crate) fn to_python(py: Python<'_>, step: Step<Outcome>) -> PyResult<Py<PyAny>> {
    let step = match step {
        Step::Send(mut request, purpose) => Bound::new(
            py,
            SendStep {
                method: request.method.as_str(),
                url: std::mem::take(&mut request.url),
                headers: std::mem::take(&mut request.headers),
                body: PyBytes::new(py, &request.body).unbind(),
                purpose: purpose.as_str(),
            },
        )?
        .into_any(),
        Step::Load => Bound::new(py, LoadStep)?.into_any(),
        Step::Persist(record, reason) => Bound::new(
            py,
            PersistStep {
                record: Py::new(py, StoreRecord { inner: *record })?,
                reason: reason.as_str(),
            },
        )?
        .into_any(),
        Step::Sleep(ms, reason) => Bound::new(
            py,
            SleepStep {
                ms,
                reason: reason.as_str(),
            },
        )?
        .into_any(),
        Step::Wait(ms) => Bound::new(py, WaitStep { ms })?.into_any(),
        Step::Done(Ok(outcome)) => Bound::new(
            py,
            DoneStep {
                value: value(py, outcome)?,
            },
        )?
        .into_any(),
        Step::Done(Err(e)) => return Err(to_pyerr(py, &e)),
    };
    Ok(step.unbind())
}

fn value(py: Python<'_>, outcome: Outcome) -> PyResult<Py<PyAny>> {
    let value = match outcome {
        Outcome::Token(inner) => Bound::new(py, Token { inner })?.into_any(),
        Outcome::Listed(list) => list
            .into_iter()
            .map(|inner| SecretInfo { inner })
            .collect::<Vec<_>>()
            .into_pyobject(py)?
            .into_any(),
        Outcome::Created(inner) => Bound::new(py, CreatedSecret { inner })?.into_any(),
        Outcome::Deleted => py.None().into_bound(py),
        Outcome::Rotated(inner) => Bound::new(py, RotationReport { inner })?.into_any(),
        Outcome::Record(inner) => Bound::new(py, StoreRecord { inner })?.into_any(),
        _ => return Err(misuse("an outcome this binding does not know")),
    };
    Ok(value.unbind())
}
