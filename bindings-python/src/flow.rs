//! `_Flow`: one of the core's flows (token, API call, seed, rotation) behind the
//! push/pull loop, as steps a Python driver performs with its own HTTP,
//! clock, sleep and store. Translation only: every decision is the core's.

use crate::errors::{misuse, store_kind_from_name, to_pyerr};
use crate::record::StoreRecord;
use crate::values::{CreatedSecret, RotationReport, SecretInfo, Token};
use mapsindoors_auth::{
    ApiCall, ApiOutput, Credentials, Error, Flow as _, HttpResponse, Rotation, Seed, Step,
    TokenFlow, TransportError, TransportErrorKind,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

pub(crate) enum Inner {
    Token(Box<TokenFlow>),
    Api(Box<ApiCall>),
    Seed(Box<Seed>),
    Rotation {
        rotation: Box<Rotation>,
        /// The record as loaded, to tell which secret the client uses afterwards.
        before: Box<mapsindoors_auth::StoreRecord>,
    },
}

/// A flow in progress. Drive it with `poll(now_ms)`, which returns one of
/// `("send", method, url, headers, body)`, `("persist", record)`,
/// `("sleep", ms)` or `("done", value)` and raises the mapped exception when
/// the flow fails; answer `send` with `on_response`/`on_transport_error` and
/// `persist` with `on_persisted` after a compare-and-swap save of the record
/// (expected generation: `record.generation - 1`).
#[pyclass(module = "mapsindoors_auth._native", name = "_Flow")]
pub struct Flow {
    pub(crate) inner: Inner,
}

impl Flow {
    /// For a finished rotation: the record as loaded and as last persisted.
    pub(crate) fn rotation_outcome(
        &self,
    ) -> Option<(
        &mapsindoors_auth::StoreRecord,
        &mapsindoors_auth::StoreRecord,
    )> {
        match &self.inner {
            Inner::Rotation { rotation, before } => Some((before, rotation.record())),
            _ => None,
        }
    }
}

fn step<'py, T>(
    py: Python<'py>,
    step: Step<T>,
    done: impl FnOnce(Python<'py>, T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let out = match step {
        Step::Send(req) => {
            let headers: Vec<(&str, &str)> = req
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            (
                "send",
                req.method.as_str(),
                req.url.as_str(),
                headers,
                PyBytes::new(py, &req.body),
            )
                .into_pyobject(py)?
                .into_any()
        }
        Step::Persist(record) => ("persist", StoreRecord { inner: *record })
            .into_pyobject(py)?
            .into_any(),
        Step::Sleep(ms) => ("sleep", ms).into_pyobject(py)?.into_any(),
        Step::Done(Ok(value)) => ("done", done(py, value)?).into_pyobject(py)?.into_any(),
        Step::Done(Err(e)) => return Err(to_pyerr(py, &e)),
    };
    Ok(out.unbind())
}

fn api_value<'py>(py: Python<'py>, value: ApiOutput) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        ApiOutput::Listed(list) => list
            .into_iter()
            .map(|inner| SecretInfo { inner })
            .collect::<Vec<_>>()
            .into_pyobject(py)?
            .into_any(),
        ApiOutput::Created(inner) => CreatedSecret { inner }.into_pyobject(py)?.into_any(),
        ApiOutput::Deleted => py.None().into_bound(py),
        _ => return Err(misuse("unknown API output")),
    })
}

#[pymethods]
impl Flow {
    /// The next step at `now_ms` (Unix milliseconds).
    fn poll(&mut self, py: Python<'_>, now_ms: u64) -> PyResult<Py<PyAny>> {
        match &mut self.inner {
            Inner::Token(f) => step(py, f.poll(now_ms), |py, t| {
                Ok(Token { inner: t }.into_pyobject(py)?.into_any())
            }),
            Inner::Api(f) => step(py, f.poll(now_ms), |py, out| {
                let token = out.new_token.map(|inner| Token { inner });
                (api_value(py, out.value)?, token)
                    .into_pyobject(py)
                    .map(Bound::into_any)
            }),
            Inner::Seed(f) => step(py, f.poll(now_ms), |py, seeded| {
                let record = StoreRecord {
                    inner: seeded.record,
                };
                let token = Token {
                    inner: seeded.token,
                };
                (record, token).into_pyobject(py).map(Bound::into_any)
            }),
            Inner::Rotation { rotation, .. } => step(py, rotation.poll(now_ms), |py, inner| {
                Ok(RotationReport { inner }.into_pyobject(py)?.into_any())
            }),
        }
    }

    /// The response to the last `send`, of any status.
    fn on_response(
        &mut self,
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        now_ms: u64,
    ) {
        self.answer(Ok(HttpResponse::new(status, headers, body)), now_ms);
    }

    /// The last `send` got no response. `kind` is `connect`, `timeout`,
    /// `interrupted` or `other`; `message` must not hold secrets.
    fn on_transport_error(&mut self, kind: &str, message: String, now_ms: u64) {
        self.answer(
            Err(TransportError::new(
                TransportErrorKind::from_name(kind),
                message,
            )),
            now_ms,
        );
    }

    /// The outcome of the last `persist`: `None` when durably saved, else
    /// `(store_kind, message)`.
    #[pyo3(signature = (error=None))]
    fn on_persisted(&mut self, error: Option<(String, String)>) {
        let result = match error {
            None => Ok(()),
            Some((kind, reason)) => Err(Error::store(store_kind_from_name(&kind), reason)),
        };
        match &mut self.inner {
            Inner::Token(f) => f.on_persisted(result),
            Inner::Api(f) => f.on_persisted(result),
            Inner::Seed(f) => f.on_persisted(result),
            Inner::Rotation { rotation, .. } => rotation.on_persisted(result),
        }
    }

    /// For a rotation: the record as last persisted (or as loaded).
    #[getter]
    fn record(&self) -> Option<StoreRecord> {
        self.rotation_outcome()
            .map(|(r, _)| StoreRecord { inner: r.clone() })
    }

    fn __repr__(&self) -> String {
        let kind = match &self.inner {
            Inner::Token(_) => "token",
            Inner::Api(_) => "api",
            Inner::Seed(_) => "seed",
            Inner::Rotation { .. } => "rotation",
        };
        format!("<_Flow {kind}>")
    }
}

impl Flow {
    fn answer(&mut self, response: Result<HttpResponse, TransportError>, now_ms: u64) {
        match &mut self.inner {
            Inner::Token(f) => f.on_response(response, now_ms),
            Inner::Api(f) => f.on_response(response, now_ms),
            Inner::Seed(f) => f.on_response(response, now_ms),
            Inner::Rotation { rotation, .. } => rotation.on_response(response, now_ms),
        }
    }
}

/// Whether these credentials log in with this record's current secret.
pub(crate) fn same_secret(
    credentials: &Credentials,
    record: &mapsindoors_auth::StoreRecord,
) -> bool {
    record
        .current_credentials()
        .is_ok_and(|c| &c == credentials)
}
