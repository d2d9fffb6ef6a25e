//! `StoreRecord`: the core's one versioned store format as an opaque Python
//! object. It crosses to Python stores as JSON text (`to_json`/`from_json`);
//! its `repr` names ids and the generation, never a secret. Claiming a kept
//! secret is the core's `StoreRecord::claim`, returned as the next record.

use crate::errors::py_result;
use crate::values::{Candidate, KeptSecret};
use mapsindoors_auth::{ClientSecret, Config, StoreRecord as CoreRecord, mint_lineage};
use pyo3::prelude::*;

/// What a secret store holds for one client. Treat `to_json()` as secret.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct StoreRecord {
    pub(crate) inner: CoreRecord,
}

/// 8 fresh random bytes from the OS, for the core to name things with.
pub(crate) fn nonce(py: Python<'_>) -> PyResult<[u8; 8]> {
    py.import("os")?.call_method1("urandom", (8,))?.extract()
}

#[pymethods]
impl StoreRecord {
    /// A first record (generation 1) built offline, without the login and
    /// listing that seeding does (prefer `Client.seed`). Naming `secret_id`
    /// claims that secret as the store's own (the first rotation deletes
    /// it); without it the secret is kept forever. The core mints the
    /// lineage unless one is given.
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
            None => mint_lineage(nonce(py)?),
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

    /// Parses a record (versions 1 and 2; a version 1 record is migrated).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        py_result(py, CoreRecord::from_json(text)).map(|inner| Self { inner })
    }

    /// The record as JSON. It holds secrets: write it only to a store.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The next record (generation + 1) in which the secret `id` is this
    /// store's own: a kept secret (the next rotation deletes it), the
    /// current secret, or one of the current secret's candidates. Save it
    /// with `save(next, expected_generation=self.generation)`.
    fn claim(&self, py: Python<'_>, id: &str, now_ms: u64) -> PyResult<Self> {
        py_result(py, self.inner.claim(id, now_ms)).map(|inner| Self { inner })
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

    /// Whether the current secret is provably this store's own (created by
    /// its rotation, or claimed): only then does a rotation delete it.
    #[getter]
    fn current_owned(&self) -> bool {
        self.inner.current.owned
    }

    /// When the current secret's id is unknown: the client's secrets it may
    /// be (recorded at seeding).
    #[getter]
    fn candidates(&self) -> Vec<Candidate> {
        self.inner
            .current
            .candidates
            .iter()
            .map(|c| Candidate { inner: c.clone() })
            .collect()
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

    /// The id of a replaced secret of this store's own, not yet deleted.
    #[getter]
    fn previous_id(&self) -> Option<&str> {
        self.inner.previous_id.as_deref()
    }

    /// The id a rotation fenced and is deleting (saved before the DELETE).
    #[getter]
    fn deleting(&self) -> Option<&str> {
        self.inner.deleting.as_deref()
    }

    /// Replaced secrets not provably this store's own: never deleted by a
    /// rotation. Delete them by hand, or `claim` one.
    #[getter]
    fn kept(&self) -> Vec<KeptSecret> {
        self.inner
            .kept
            .iter()
            .map(|k| KeptSecret { inner: k.clone() })
            .collect()
    }

    /// Whether an interrupted rotation left work for the next one.
    #[getter]
    fn has_unfinished_rotation(&self) -> bool {
        self.inner.has_unfinished_rotation()
    }

    /// Where an interrupted rotation stopped (`deleting`, `verify`,
    /// `delete_old`, `sweep`), or None.
    #[getter]
    fn unfinished_stage(&self) -> Option<&'static str> {
        self.inner.unfinished_stage()
    }

    fn __repr__(&self) -> String {
        let r = &self.inner;
        format!(
            "StoreRecord(auth_url={:?}, customer_id={:?}, client_id={:?}, generation={}, current_id={}, current_owned={}, pending_id={}, previous_id={}, kept={}, secrets=[redacted])",
            r.auth_url,
            r.customer_id,
            r.client_id,
            r.generation,
            opt(r.current.id.as_deref()),
            if r.current.owned { "True" } else { "False" },
            opt(r.pending.as_ref().and_then(|p| p.id.as_deref())),
            opt(r.previous_id.as_deref()),
            r.kept.len(),
        )
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }
}

fn opt(v: Option<&str>) -> String {
    v.map_or_else(|| "None".to_owned(), |s| format!("{s:?}"))
}
