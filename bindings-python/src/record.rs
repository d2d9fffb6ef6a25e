//! `StoreRecord`: the core's one versioned store format as an opaque Python
//! object. It crosses to Python stores as JSON text (`to_json`/`from_json`);
//! its `repr` names ids and the generation, never a secret.

use crate::errors::py_result;
use mapsindoors_auth::record::random_id;
use mapsindoors_auth::{ClientSecret, Config, StoreRecord as CoreRecord};
use pyo3::prelude::*;

/// What a secret store holds for one client. Treat `to_json()` as secret.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct StoreRecord {
    pub(crate) inner: CoreRecord,
}

#[pymethods]
impl StoreRecord {
    /// A first record for a secret obtained outside any rotation. The lineage
    /// (which names the secrets this store creates) is random unless given.
    #[new]
    #[pyo3(signature = (*, auth_url, customer_id, client_id, client_secret, secret_id=None, description=None, lineage=None))]
    fn new(
        py: Python<'_>,
        auth_url: &str,
        customer_id: &str,
        client_id: &str,
        client_secret: String,
        secret_id: Option<String>,
        description: Option<String>,
        lineage: Option<String>,
    ) -> PyResult<Self> {
        let lineage = match lineage {
            Some(l) => l,
            None => {
                let bytes: Vec<u8> = py.import("os")?.call_method1("urandom", (8,))?.extract()?;
                random_id("l-", &bytes)
            }
        };
        let config = py_result(
            py,
            Config::new(auth_url).and_then(|c| c.with_customer_id(customer_id)),
        )?;
        let mut inner = py_result(
            py,
            CoreRecord::new(
                &config,
                client_id,
                ClientSecret::new(client_secret),
                secret_id,
                &lineage,
            ),
        )?;
        inner.description = description;
        Ok(Self { inner })
    }

    /// Parses a record, refusing anything but this format and version.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        py_result(py, CoreRecord::from_json(text)).map(|inner| Self { inner })
    }

    /// The record as JSON. It holds secrets: write it only to a store.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    #[getter]
    fn auth_url(&self) -> &str {
        &self.inner.auth_url
    }

    #[getter]
    fn customer_id(&self) -> &str {
        &self.inner.customer_id
    }

    #[getter]
    fn client_id(&self) -> &str {
        &self.inner.client_id
    }

    #[getter]
    fn lineage(&self) -> &str {
        &self.inner.lineage
    }

    /// Bumped by every save; a save replaces exactly generation - 1.
    #[getter]
    fn generation(&self) -> u64 {
        self.inner.generation
    }

    #[getter]
    fn updated_at_ms(&self) -> u64 {
        self.inner.updated_at_ms
    }

    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }

    /// The id of the secret in use, when known.
    #[getter]
    fn current_id(&self) -> Option<&str> {
        self.inner.current.id.as_deref()
    }

    /// The id of a secret created mid-rotation and not yet promoted.
    #[getter]
    fn pending_id(&self) -> Option<&str> {
        self.inner.pending.as_ref().and_then(|p| p.id.as_deref())
    }

    /// Whether a secret is pending (created, saved, not yet promoted).
    #[getter]
    fn has_pending(&self) -> bool {
        self.inner.pending.is_some()
    }

    /// The id of a replaced secret not yet deleted.
    #[getter]
    fn previous_id(&self) -> Option<&str> {
        self.inner.previous_id.as_deref()
    }

    /// Whether an interrupted rotation left work for the next one.
    #[getter]
    fn needs_recovery(&self) -> bool {
        let r = &self.inner;
        r.pending.is_some()
            || r.previous_id.is_some()
            || r.previous_unidentified
            || r.intent.is_some()
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "StoreRecord(auth_url={:?}, customer_id={:?}, client_id={:?}, generation={}, current_id={}, pending_id={}, previous_id={}, secrets=[redacted])",
            r.auth_url,
            r.customer_id,
            r.client_id,
            r.generation,
            opt(r.current.id.as_deref()),
            opt(r.pending.as_ref().and_then(|p| p.id.as_deref())),
            opt(r.previous_id.as_deref()),
        )
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "None".to_owned(), |s| format!("{s:?}"))
}
