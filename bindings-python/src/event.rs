//! The core's [`Event`] (what a driver reports after each step it took) as
//! a Python dict: the same eight fields in every binding, built only by the
//! core's constructors. An event never holds a secret, URL or body.

use mapsindoors_auth::Event;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `{"event", "purpose", "reason", "outcome", "status", "error",
/// "generation", "duration_ms"}`; absent fields are `None`.
pub(crate) fn to_dict<'py>(py: Python<'py>, event: &Event) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("event", event.event)?;
    d.set_item("purpose", event.purpose)?;
    d.set_item("reason", event.reason)?;
    d.set_item("outcome", event.outcome)?;
    d.set_item("status", event.status)?;
    d.set_item("error", event.error.as_deref())?;
    d.set_item("generation", event.generation)?;
    d.set_item("duration_ms", event.duration_ms)?;
    Ok(d)
}
