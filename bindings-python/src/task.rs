//! `_Task`: one job of a `_Session` (token, call, rotate, seed, claim) behind
//! the core's push/pull loop. `poll` returns a typed step (see `steps`); the
//! answers go back through `on_*`. Translation only: the core decides.

use crate::errors::store_kind_from_name;
use crate::record::StoreRecord;
use crate::steps;
use crate::values::RotationReport;
use mapsindoors_auth::{Error, Flow as _, HttpResponse, TransportError, TransportErrorKind};
use pyo3::prelude::*;

/// A job in progress. Drive it with `poll(now_ms)` until it returns `Done`.
#[pyclass(module = "mapsindoors_auth._native", name = "_Task")]
pub struct Task {
    inner: mapsindoors_auth::Task,
}

impl Task {
    pub(crate) fn new(inner: mapsindoors_auth::Task) -> Self {
        Self { inner }
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
        steps::to_python(py, self.inner.poll(now_ms))
    }

    fn on_response(
        &mut self,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        now_ms: u64,
    ) {
        let response = HttpResponse::new(status, headers, body);
        self.inner.on_response(Ok(response), now_ms);
    }

    fn on_transport_error(&mut self, kind: &str, message: String, now_ms: u64) {
        let error = TransportError::new(TransportErrorKind::from_name(kind), message);
        self.inner.on_response(Err(error), now_ms);
    }

    #[pyo3(signature = (record, error=None))]
    fn on_loaded(&mut self, record: Option<&StoreRecord>, error: Option<(String, String)>) {
        let result = store_error(error).map(|()| record.map(|r| r.inner.clone()));
        self.inner.on_loaded(result);
    }

    #[pyo3(signature = (error=None))]
    fn on_persisted(&mut self, error: Option<(String, String)>) {
        self.inner.on_persisted(store_error(error));
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
