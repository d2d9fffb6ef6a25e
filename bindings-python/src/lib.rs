//! The private native module `mapsindoors_auth._native`: the core's flows,
//! cache, values and store record as small Python objects. The public API is
//! the pure-Python package around it, which only drives these objects.
#![allow(
    // pyo3's macros generate `pub` items in private modules and wrapper code that
    // trips these lints; the hand-written code below keeps to them.
    unreachable_pub,
    missing_docs,
    clippy::useless_conversion,
    // Python constructors take keyword arguments; pyo3 maps each to a Rust parameter.
    clippy::too_many_arguments
)]

mod core;
mod errors;
mod file_store;
mod flow;
mod record;
mod values;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<core::Core>()?;
    m.add_class::<flow::Flow>()?;
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
    Ok(())
}
