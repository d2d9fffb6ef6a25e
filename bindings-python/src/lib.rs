//! The private native module `mapsindoors_auth._native`: the core's
//! `Session` and `Task`, the typed steps a task asks for, the values and the
//! store record as small Python objects. The public API is the pure-Python
//! package around it, which only drives these objects.
#![allow(
    // pyo3's macros generate `pub` items in private modules and wrapper code that
    // trips these lints; the hand-written code below keeps to them.
    unreachable_pub,
    missing_docs,
    clippy::useless_conversion,
    // Python constructors take keyword arguments; pyo3 maps each to a Rust parameter.
    clippy::too_many_arguments
)]

mod errors;
mod event;
mod file_store;
mod record;
mod session;
mod steps;
mod task;
mod values;

use mapsindoors_auth::{ErrorKind, PersistReason, Purpose};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<session::Session>()?;
    m.add_class::<task::Task>()?;
    m.add_class::<steps::SendStep>()?;
    m.add_class::<steps::LoadStep>()?;
    m.add_class::<steps::PersistStep>()?;
    m.add_class::<steps::SleepStep>()?;
    m.add_class::<steps::WaitStep>()?;
    m.add_class::<steps::DoneStep>()?;
    m.add_class::<record::StoreRecord>()?;
    m.add_class::<file_store::FileStore>()?;
    m.add_class::<file_store::FileStoreLock>()?;
    m.add_class::<values::Token>()?;
    m.add_class::<values::SecretInfo>()?;
    m.add_class::<values::CreatedSecret>()?;
    m.add_class::<values::RotationReport>()?;
    m.add_class::<values::KeptSecret>()?;
    m.add_class::<values::Candidate>()?;
    m.add("CORE_VERSION", env!("CARGO_PKG_VERSION"))?;
    let py = m.py();
    m.add(
        "ERROR_KINDS",
        PyTuple::new(py, ErrorKind::ALL.map(ErrorKind::as_str))?,
    )?;
    m.add(
        "PURPOSES",
        PyTuple::new(py, Purpose::ALL.map(Purpose::as_str))?,
    )?;
    let reasons = PersistReason::ALL.map(PersistReason::as_str);
    m.add("PERSIST_REASONS", PyTuple::new(py, reasons)?)?;
    Ok(())
}
