//! `_Task`: one job of a `_Session` (token, call, rotate, seed, claim) behind
//! the core's push/pull loop. `poll` returns a typed step (see `steps`); the
//! answers go back through `on_*`. Translation only: the core decides.
//!
//! Given the step's `duration_ms` (measured by the driver), each answer also
//! returns the core's `Event` for the step as a dict; the task remembers what
//! the last step was for (purpose, reason, generation) to build it.

use crate::errors::{misuse, store_kind_from_name};
use crate::event;
use crate::record::StoreRecord;
use crate::steps;
use crate::values::RotationReport;
use mapsindoors_auth::{
    Error, Event, Flow as _, HttpResponse, PersistReason, Purpose, SleepReason, Step,
    TransportError, TransportErrorKind,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// What the last step asked for, as its event needs it.
#[derive(Clone, Copy)]
enum Last {
    None,
    Send(Purpose),
    Persist(PersistReason, u64),
    Sleep(SleepReason),
}

/// A job in progress. Drive it with `poll(now_ms)` until it returns `Done`.
#[pyclass(module = "mapsindoors_auth._native", name = "_Task")]
pub struct Task {
    inner: mapsindoors_auth::Task,
    last: Last,
}

impl Task {
    pub(crate) fn new(inner: mapsindoors_auth::Task) -> Self {
        Self {
            inner,
            last: Last::None,
        }
    }
}

/// The event as a dict when the driver timed the step (`duration_ms`).
fn event_dict<'py>(
    py: Python<'py>,
    duration_ms: Option<u64>,
    make: impl FnOnce(u64) -> Option<Event>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    match duration_ms {
        None => Ok(None),
        Some(ms) => match make(ms) {
            Some(e) => event::to_dict(py, &e).map(Some),
            None => Err(misuse("an answer that does not match the last step")),
        },
    }
}

/// A store failure named by its kind (`io`, `corrupt`, `conflict`, ...).
fn store_error(error: Option<(String, String)>) -> Result<(), Error> {
    match error {
        None => Ok(()),
        Some((kind, reason)) => Err(Error::store(store_kind_from_name(&kind), reason)),
    }
}

#[pymethods]
impl Task {
    fn poll(&mut self, py: Python<'_>, now_ms: u64) -> PyResult<Py<PyAny>> {
        let step = self.inner.poll(now_ms);
        self.last = match &step {
            Step::Send(_, purpose) => Last::Send(*purpose),
            Step::Persist(record, reason) => Last::Persist(*reason, record.generation),
            Step::Sleep(_, reason) => Last::Sleep(*reason),
            _ => Last::None,
        };
        steps::to_python(py, step)
    }

    #[pyo3(signature = (status, headers, body, now_ms, *, duration_ms=None))]
    fn on_response<'py>(
        &mut self,
        py: Python<'py>,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        now_ms: u64,
        duration_ms: Option<u64>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let response = Ok(HttpResponse::new(status, headers, body));
        let sent = self.sent(py, &response, duration_ms);
        self.inner.on_response(response, now_ms);
        sent
    }

    #[pyo3(signature = (kind, message, now_ms, *, duration_ms=None))]
    fn on_transport_error<'py>(
        &mut self,
        py: Python<'py>,
        kind: &str,
        message: String,
        now_ms: u64,
        duration_ms: Option<u64>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let error = Err(TransportError::new(
            TransportErrorKind::from_name(kind),
            message,
        ));
        let sent = self.sent(py, &error, duration_ms);
        self.inner.on_response(error, now_ms);
        sent
    }

    #[pyo3(signature = (record, error=None, *, duration_ms=None))]
    fn on_loaded<'py>(
        &mut self,
        py: Python<'py>,
        record: Option<&StoreRecord>,
        error: Option<(String, String)>,
        duration_ms: Option<u64>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let result = store_error(error).map(|()| record.map(|r| r.inner.clone()));
        let loaded = event_dict(py, duration_ms, |ms| Some(Event::loaded(&result, ms)));
        self.inner.on_loaded(result);
        loaded
    }

    #[pyo3(signature = (error=None, *, duration_ms=None))]
    fn on_persisted<'py>(
        &mut self,
        py: Python<'py>,
        error: Option<(String, String)>,
        duration_ms: Option<u64>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let result = store_error(error);
        let last = self.last;
        let persisted = event_dict(py, duration_ms, |ms| match last {
            Last::Persist(reason, generation) => {
                Some(Event::persisted(reason, generation, &result, ms))
            }
            _ => None,
        });
        self.inner.on_persisted(result);
        persisted
    }

    /// The event for the last `Sleep`, slept for `duration_ms`.
    fn on_slept<'py>(&self, py: Python<'py>, duration_ms: u64) -> PyResult<Bound<'py, PyDict>> {
        match self.last {
            Last::Sleep(reason) => event::to_dict(py, &Event::slept(reason, duration_ms)),
            _ => Err(misuse("on_slept without a Sleep step")),
        }
    }

    #[getter]
    fn record(&self) -> Option<StoreRecord> {
        self.inner
            .record()
            .map(|r| StoreRecord { inner: r.clone() })
    }

    #[getter]
    fn report(&self) -> Option<RotationReport> {
        self.inner
            .report()
            .map(|r| RotationReport { inner: r.clone() })
    }

    fn __repr__(&self) -> &'static str {
        "<_Task>"
    }
}

impl Task {
    fn sent<'py>(
        &self,
        py: Python<'py>,
        response: &Result<HttpResponse, TransportError>,
        duration_ms: Option<u64>,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        let last = self.last;
        event_dict(py, duration_ms, |ms| match last {
            Last::Send(purpose) => Some(Event::sent(purpose, response, ms)),
            _ => None,
        })
    }
}
