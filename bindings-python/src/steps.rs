//! The typed steps `_Task.poll` returns: `Send`, `Load`, `Persist`, `Sleep`,
//! `Wait` and `Done`, one small class each, carrying what the core says the
//! step is for (`purpose`, `reason`). Their `repr` never shows a header
//! value or a body.

use crate::errors::{misuse, to_pyerr};
use crate::record::StoreRecord;
use crate::values::{CreatedSecret, KeptSecret, RotationReport, SecretInfo, Token};
use mapsindoors_auth::{Outcome, Status, Step};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

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
        Outcome::Status(status) => status_dict(py, &status)?.into_any(),
        _ => return Err(misuse("an outcome this binding does not know")),
    };
    Ok(value.unbind())
}

/// A status's fields, with the core's verdict (`health`, `exit_code`,
/// `findings`), for the Python `Status` dataclass to be built from.
fn status_dict<'py>(py: Python<'py>, s: &Status) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("generation", s.generation)?;
    d.set_item("updated_at_ms", s.updated_at_ms)?;
    d.set_item("client_id", &s.client_id)?;
    d.set_item("customer_id", &s.customer_id)?;
    d.set_item("current_id", s.current_id.as_deref())?;
    d.set_item("current_created_at", s.current_created_at.as_deref())?;
    d.set_item("current_owned", s.current_owned)?;
    d.set_item("age_ms", s.age_ms)?;
    d.set_item("max_age_ms", s.max_age_ms)?;
    d.set_item("due_at_ms", s.due_at_ms)?;
    d.set_item("due", s.due)?;
    d.set_item("unfinished", s.unfinished)?;
    let kept = s
        .kept
        .iter()
        .map(|k| KeptSecret { inner: k.clone() })
        .collect::<Vec<_>>();
    d.set_item("kept", kept)?;
    d.set_item("last_rotation_ms", s.last_rotation_ms)?;
    let check = match &s.check {
        None => None,
        Some(c) => {
            let check = PyDict::new(py);
            check.set_item("accepted", c.accepted)?;
            check.set_item("refusal", c.refusal.as_deref())?;
            check.set_item("refusal_kind", c.refusal_kind.as_deref())?;
            check.set_item("secret_count", c.secret_count)?;
            Some(check)
        }
    };
    d.set_item("check", check)?;
    let health = s.health();
    d.set_item("health", health.as_str())?;
    d.set_item("exit_code", health.exit_code())?;
    d.set_item("findings", s.findings())?;
    Ok(d)
}
