//! How plain values cross the JS boundary, both ways, with serde-wasm-bindgen:
//! [`Prop`] reads one property without failing (absent, given, or of the wrong
//! type), [`Js`] passes a JS value through untouched, [`to_js`] writes a
//! value as a plain object (`None` as `null`), [`Thrown`] reads what a host
//! function threw. The other shapes live where they are used.

use mapsindoors_auth::Error;
use serde::{Deserialize, Deserializer, Serialize};
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;

use crate::errors::invalid_input;

/// One property of a JS object as read: absent (`undefined` or `null`), a
/// value of the wanted type, or something else. Reading never fails, so one
/// bad property is reported by its own name (never its value) when asked for,
/// and a call ignores what it does not use.
#[derive(Default)]
pub(crate) enum Prop<T> {
    #[default]
    Absent,
    Given(T),
    Wrong,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Prop<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Each property is its own deserializer: a failure here leaves nothing half-read.
        Ok(match Option::<T>::deserialize(d) {
            Ok(Some(v)) => Prop::Given(v),
            Ok(None) => Prop::Absent,
            Err(_) => Prop::Wrong,
        })
    }
}

impl<T> Prop<T> {
    /// The value, `None` when absent; an `invalid_input` on `field` saying it
    /// `must` be something else when it is.
    pub(crate) fn get(self, field: &str, must: &str) -> Result<Option<T>, Error> {
        match self {
            Prop::Absent => Ok(None),
            Prop::Given(v) => Ok(Some(v)),
            Prop::Wrong => Err(invalid_input(field, must)),
        }
    }

    /// The value when given and right; absent and wrong alike as `None`.
    pub(crate) fn ok(self) -> Option<T> {
        match self {
            Prop::Given(v) => Some(v),
            Prop::Absent | Prop::Wrong => None,
        }
    }
}

/// A JS value passed through serde as it is (a function, a store, an error).
#[derive(Deserialize, Serialize)]
pub(crate) struct Js(#[serde(with = "serde_wasm_bindgen::preserve")] pub(crate) JsValue);

impl Js {
    /// The value if it is a function.
    pub(crate) fn function(self) -> Option<js_sys::Function> {
        self.0.dyn_into().ok()
    }
}

/// Reads `value` as the plain object `T`; `undefined` and `null` are `{}`.
/// Anything else is an `invalid_input` on `field`.
pub(crate) fn from_js<T: for<'de> Deserialize<'de> + Default>(
    value: JsValue,
    field: &str,
) -> Result<T, Error> {
    if value.is_null_or_undefined() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|_| invalid_input(field, "must be an object"))
}

/// `value` as a plain JS object; `None` becomes `null`, as the `.d.ts` says.
pub(crate) fn to_js(value: &impl Serialize) -> JsValue {
    // Only strings, numbers, booleans, lists and passed-through values: it cannot fail.
    value
        .serialize(&Serializer::new().serialize_missing_as_null(true))
        .unwrap_or(JsValue::UNDEFINED)
}

/// What a thrown or rejected JS value says, as far as it is a string: an
/// `Error`'s `name` and `message`, a transport's `kind`, Node's `cause.code`.
/// A value that is not an object says nothing.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Thrown {
    name: Prop<String>,
    message: Prop<String>,
    kind: Prop<String>,
    cause: Prop<Cause>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Cause {
    code: Prop<String>,
}

impl Thrown {
    pub(crate) fn read(value: JsValue) -> Self {
        serde_wasm_bindgen::from_value(value).unwrap_or_default()
    }

    /// `name`, e.g. `TypeError`.
    pub(crate) fn name(&mut self) -> Option<String> {
        std::mem::take(&mut self.name).ok()
    }

    /// `message`: never for a fetch's errors, which may quote a header.
    pub(crate) fn message(&mut self) -> Option<String> {
        std::mem::take(&mut self.message).ok()
    }

    /// `kind`, a custom transport's `connect`, `timeout` or `interrupted`.
    pub(crate) fn kind(&mut self) -> Option<String> {
        std::mem::take(&mut self.kind).ok()
    }

    /// `cause.code`, e.g. Node's `UND_ERR_HEADERS_OVERFLOW`.
    pub(crate) fn code(&mut self) -> Option<String> {
        std::mem::take(&mut self.cause)
            .ok()
            .and_then(|c| c.code.ok())
    }
}
