//! The API's values as read-only Python objects: `Token`, `SecretInfo`,
//! `CreatedSecret` and `RotationReport`. Secret-bearing ones redact their
//! `repr`; the raw value is a property the caller asks for by name.

use mapsindoors_auth::{self as core, model};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Unix milliseconds as an aware `datetime.datetime` in UTC (exact: the
/// epoch plus a `timedelta` of whole milliseconds).
pub(crate) fn utc_datetime(py: Python<'_>, ms: u64) -> PyResult<Bound<'_, PyAny>> {
    let datetime = py.import("datetime")?;
    let utc = datetime.getattr("timezone")?.getattr("utc")?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("tzinfo", utc)?;
    let epoch = datetime
        .getattr("datetime")?
        .call((1970, 1, 1), Some(&kwargs))?;
    let delta = PyDict::new(py);
    delta.set_item("milliseconds", ms)?;
    epoch.add(datetime.getattr("timedelta")?.call((), Some(&delta))?)
}

fn opt_repr(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("{v:?}"))
}

/// An access token. `repr` and `str` redact it; read `access_token` to use it.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct Token {
    pub(crate) inner: model::Token,
}

#[pymethods]
impl Token {
    /// The bearer token itself.
    #[getter]
    fn access_token(&self) -> &str {
        // EXPOSE: the caller asked for the token by name, to send it.
        self.inner.access_token.expose_secret()
    }

    #[getter]
    fn token_type(&self) -> &str {
        &self.inner.token_type
    }

    #[getter]
    fn expires_in(&self) -> Option<u64> {
        self.inner.expires_in
    }

    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// `"Bearer <token>"`, ready for an `Authorization` header.
    #[getter]
    fn authorization(&self) -> String {
        // EXPOSE: the caller asked for the header value, to send it.
        format!("Bearer {}", self.inner.access_token.expose_secret())
    }

    fn __repr__(&self) -> String {
        format!(
            "Token(access_token=[redacted], token_type={:?}, expires_in={}, scope={})",
            self.inner.token_type,
            self.inner
                .expires_in
                .map_or_else(|| "None".to_owned(), |e| e.to_string()),
            opt_repr(self.inner.scope.as_deref())
        )
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }
}

/// A listed secret: its metadata, never its value.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct SecretInfo {
    pub(crate) inner: model::SecretInfo,
}

#[pymethods]
impl SecretInfo {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    #[getter]
    fn client_id(&self) -> Option<&str> {
        self.inner.client_id.as_deref()
    }

    /// The creation time as the server wrote it (RFC 3339).
    #[getter]
    fn created_at(&self) -> &str {
        self.inner.created_at.as_str()
    }

    /// The creation time in Unix milliseconds.
    #[getter]
    fn created_at_ms(&self) -> i64 {
        self.inner.created_at.unix_millis()
    }

    fn __repr__(&self) -> String {
        format!(
            "SecretInfo(id={:?}, description={}, client_id={}, created_at={:?})",
            self.inner.id,
            opt_repr(self.inner.description.as_deref()),
            opt_repr(self.inner.client_id.as_deref()),
            self.inner.created_at.as_str()
        )
    }
}

/// A secret just created; its value is shown this once. `repr` redacts it.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct CreatedSecret {
    pub(crate) inner: model::CreatedSecret,
}

#[pymethods]
impl CreatedSecret {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    #[getter]
    fn created_at(&self) -> &str {
        self.inner.created_at.as_str()
    }

    #[getter]
    fn created_at_ms(&self) -> i64 {
        self.inner.created_at.unix_millis()
    }

    /// The new secret itself. Store it; the server keeps only a hash.
    #[getter]
    fn secret(&self) -> &str {
        // EXPOSE: the caller asked for the new secret by name, to store it.
        self.inner.secret.expose_secret()
    }

    fn __repr__(&self) -> String {
        format!(
            "CreatedSecret(id={:?}, description={}, created_at={:?}, secret=[redacted])",
            self.inner.id,
            opt_repr(self.inner.description.as_deref()),
            self.inner.created_at.as_str()
        )
    }
}

/// A secret the store may be using: its id and creation time (when the
/// current secret's id is unknown, or a kept secret's id is).
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct Candidate {
    pub(crate) inner: core::Candidate,
}

#[pymethods]
impl Candidate {
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }

    /// The creation time as the server wrote it (RFC 3339), when known.
    #[getter]
    fn created_at(&self) -> Option<&str> {
        self.inner.created_at.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "Candidate(id={:?}, created_at={})",
            self.inner.id,
            opt_repr(self.inner.created_at.as_deref())
        )
    }
}

/// A replaced secret a rotation left alone because it is not provably the
/// store's own (handed in, perhaps shared, or of unknown id). Rotations
/// never delete it; `advice` says how to delete it by hand or claim it.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct KeptSecret {
    pub(crate) inner: core::KeptSecret,
}

#[pymethods]
impl KeptSecret {
    /// Its id, when known.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }

    /// Its creation time (RFC 3339), when known.
    #[getter]
    fn created_at(&self) -> Option<&str> {
        self.inner.created_at.as_deref()
    }

    /// When its id is unknown: the secrets it may be.
    #[getter]
    fn candidates(&self) -> Vec<Candidate> {
        self.inner
            .candidates
            .iter()
            .map(|c| Candidate { inner: c.clone() })
            .collect()
    }

    /// Why it was kept.
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }

    /// One sentence for users: how to delete it by hand, or claim it so the
    /// next rotation deletes it.
    #[getter]
    fn advice(&self) -> String {
        self.inner.advice()
    }

    fn __repr__(&self) -> String {
        let k = &self.inner;
        format!(
            "KeptSecret(id={}, created_at={}, candidates={:?}, reason={:?})",
            opt_repr(k.id.as_deref()),
            opt_repr(k.created_at.as_deref()),
            k.candidates
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            k.reason
        )
    }

    /// Immutable: a copy is itself (so `copy.deepcopy` and
    /// `dataclasses.asdict` of a `Status` work).
    fn __copy__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __deepcopy__<'py>(slf: PyRef<'py, Self>, _memo: &Bound<'py, PyAny>) -> PyRef<'py, Self> {
        slf
    }

    fn __str__(&self) -> String {
        let k = &self.inner;
        format!(
            "kept {}: {}; {}",
            k.id.as_deref().unwrap_or("a secret of unknown id"),
            k.reason,
            k.advice()
        )
    }
}

/// What a rotation did.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct RotationReport {
    pub(crate) inner: core::RotationReport,
}

#[pymethods]
impl RotationReport {
    /// Whether this run created a secret and made it current.
    #[getter]
    fn rotated(&self) -> bool {
        self.inner.rotated
    }

    /// Whether it first finished an earlier, interrupted rotation.
    #[getter]
    fn resumed(&self) -> bool {
        self.inner.resumed
    }

    /// Why it created a secret or did not: `always` (no `max_age`), `due`,
    /// `age_unknown`, `not_due` or `unfinished` (it finished an earlier run).
    #[getter]
    fn decision(&self) -> &'static str {
        self.inner.decision.as_str()
    }

    /// With a `max_age`: when the secret now current is due (Unix ms).
    #[getter]
    fn due_at_ms(&self) -> Option<u64> {
        self.inner.due_at_ms
    }

    /// `due_at_ms` as an aware `datetime` in UTC.
    #[getter]
    fn due_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .due_at_ms
            .map(|ms| utc_datetime(py, ms))
            .transpose()
    }

    #[getter]
    fn old_id(&self) -> Option<&str> {
        self.inner.old_id.as_deref()
    }

    #[getter]
    fn new_id(&self) -> Option<&str> {
        self.inner.new_id.as_deref()
    }

    #[getter]
    fn deleted(&self) -> Vec<String> {
        self.inner.deleted.clone()
    }

    #[getter]
    fn swept(&self) -> Vec<String> {
        self.inner.swept.clone()
    }

    #[getter]
    fn kept(&self) -> Vec<KeptSecret> {
        self.inner
            .kept
            .iter()
            .map(|k| KeptSecret { inner: k.clone() })
            .collect()
    }

    #[getter]
    fn round_trips(&self) -> u32 {
        self.inner.round_trips
    }

    #[getter]
    fn persists(&self) -> u32 {
        self.inner.persists
    }

    #[getter]
    fn generation(&self) -> u64 {
        self.inner.generation
    }

    /// A token from the secret now current, when the rotation has one.
    #[getter]
    fn token(&self) -> Option<Token> {
        self.inner.token.clone().map(|inner| Token { inner })
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "RotationReport(rotated={}, resumed={}, decision={:?}, due_at_ms={}, old_id={}, new_id={}, deleted={:?}, swept={:?}, kept={}, round_trips={}, persists={}, generation={})",
            py_bool(r.rotated),
            py_bool(r.resumed),
            r.decision.as_str(),
            r.due_at_ms
                .map_or_else(|| "None".to_owned(), |ms| ms.to_string()),
            opt_repr(r.old_id.as_deref()),
            opt_repr(r.new_id.as_deref()),
            r.deleted,
            r.swept,
            r.kept.len(),
            r.round_trips,
            r.persists,
            r.generation
        )
    }
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}
