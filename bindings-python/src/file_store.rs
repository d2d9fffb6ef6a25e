//! `FileStore`: the CLI's store file (crate `mapsindoors-auth-store`) for
//! Python, implementing the store contract: `load()` (None when there is no
//! file) and `save(record, expected_generation)`, an atomic compare-and-swap
//! that raises `StoreConflictError` on a mismatch. Its exclusive lock, held
//! for a whole rotation, only saves wasted work. File IO and lock waits
//! release the GIL.

use crate::errors::py_result;
use crate::record::StoreRecord;
use mapsindoors_auth::{Error, StoreErrorKind};
use mapsindoors_auth_store::{FileStore as Inner, StoreLock};
use pyo3::prelude::*;
use std::path::PathBuf;

/// A store file shared with the `mapsindoors-auth` CLI. Follows the store
/// contract: `load()` (None when there is no file) and
/// `save(record, expected_generation)` (compare-and-swap).
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct FileStore {
    inner: Inner,
}

#[pymethods]
impl FileStore {
    #[new]
    fn new(path: PathBuf) -> Self {
        Self {
            inner: Inner::new(path),
        }
    }

    /// The file's path.
    #[getter]
    fn path(&self) -> PathBuf {
        self.inner.path().to_path_buf()
    }

    /// Reads the record; None when there is no file. Refuses a corrupt or
    /// world-readable file.
    fn load(&self, py: Python<'_>) -> PyResult<Option<StoreRecord>> {
        match py.detach(|| self.inner.load()) {
            Ok(inner) => Ok(Some(StoreRecord { inner })),
            Err(Error::Store {
                kind: StoreErrorKind::Missing,
                ..
            }) => Ok(None),
            Err(e) => py_result(py, Err(e)),
        }
    }

    /// Writes a new file (mode 0600); fails if one exists. Same as
    /// `save(record, expected_generation=0)` except for the error kind.
    fn create(&self, py: Python<'_>, record: &StoreRecord) -> PyResult<()> {
        let record = &record.inner;
        let result = py.detach(|| self.inner.create(record));
        py_result(py, result)
    }

    /// Saves `record` only if the file holds generation
    /// `expected_generation` (0: only if there is no file), atomically.
    /// Raises `StoreConflictError` when it holds another.
    #[pyo3(signature = (record, expected_generation))]
    fn save(&self, py: Python<'_>, record: &StoreRecord, expected_generation: u64) -> PyResult<()> {
        let record = &record.inner;
        if record.generation.checked_sub(1) != Some(expected_generation) {
            return py_result(
                py,
                Err(Error::InvalidInput {
                    field: "expected_generation".to_owned(),
                    reason: format!(
                        "must be the record's generation - 1 ({} given for generation {})",
                        expected_generation, record.generation
                    ),
                }),
            );
        }
        let result = py.detach(|| {
            if expected_generation > 0 {
                return match self.inner.save(record) {
                    // No file holds generation 0: not the one expected.
                    Err(Error::Store {
                        kind: StoreErrorKind::Missing,
                        reason,
                    }) => Err(Error::store(
                        StoreErrorKind::Conflict,
                        format!("{reason} (expected generation {expected_generation})"),
                    )),
                    other => other,
                };
            }
            match self.inner.create(record) {
                // `create` never replaces a file: one exists, so this is a conflict.
                Err(Error::Store { reason, .. }) if self.inner.path().exists() => {
                    Err(Error::store(
                        StoreErrorKind::Conflict,
                        format!("{reason} (expected none)"),
                    ))
                }
                other => other,
            }
        });
        py_result(py, result)
    }

    /// An exclusive lock for a whole rotation, as a context manager. Waits
    /// (without the GIL) while another process holds it.
    fn lock(&self, py: Python<'_>) -> PyResult<FileStoreLock> {
        let result = py.detach(|| self.inner.lock());
        py_result(py, result).map(|lock| FileStoreLock {
            lock: std::sync::Mutex::new(Some(lock)),
        })
    }

    fn __repr__(&self) -> String {
        format!("FileStore({:?})", self.inner.path())
    }
}

/// A held store lock; released on `__exit__` or `release()`.
#[pyclass(frozen, module = "mapsindoors_auth._native")]
pub struct FileStoreLock {
    lock: std::sync::Mutex<Option<StoreLock>>,
}

#[pymethods]
impl FileStoreLock {
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_exc))]
    fn __exit__(&self, _exc: &Bound<'_, pyo3::types::PyTuple>) -> bool {
        self.release();
        false
    }

    /// Releases the lock (idempotent).
    fn release(&self) {
        if let Ok(mut guard) = self.lock.lock() {
            guard.take();
        }
    }
}
