//! `FileStore`: the CLI's store file (crate `mapsindoors-auth-store`) for
//! Python: same format, atomic compare-and-swap saves, and an exclusive lock
//! held for a whole rotation. File IO and lock waits release the GIL.

use crate::errors::py_result;
use crate::record::StoreRecord;
use mapsindoors_auth_store::{FileStore as Inner, StoreLock};
use pyo3::prelude::*;
use std::path::PathBuf;

/// A store file shared with the `mapsindoors-auth` CLI.
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

    /// Reads the record; refuses a missing, corrupt or world-readable file.
    fn load(&self, py: Python<'_>) -> PyResult<StoreRecord> {
        let result = py.detach(|| self.inner.load());
        py_result(py, result).map(|inner| StoreRecord { inner })
    }

    /// Writes a new file (mode 0600); fails if one exists.
    fn create(&self, py: Python<'_>, record: &StoreRecord) -> PyResult<()> {
        let record = &record.inner;
        let result = py.detach(|| self.inner.create(record));
        py_result(py, result)
    }

    /// Replaces generation `record.generation - 1` atomically (compare-and-swap).
    fn save(&self, py: Python<'_>, record: &StoreRecord) -> PyResult<()> {
        let record = &record.inner;
        let result = py.detach(|| self.inner.save(record));
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
