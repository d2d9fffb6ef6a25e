//! Reads the JS options objects (`ClientOptions`, and the store options of
//! `rotate`, `seed` and `claim`) into core values, refusing wrong types as
//! `invalid_input` before anything is sent. The core checks the ranges.

use js_sys::{Function, Reflect};
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, DEFAULT_BASE_URL, Error, Password, Settings,
};
use wasm_bindgen::prelude::*;

use crate::errors::invalid_input;
use crate::platform::Platform;
use crate::store::JsStore;
use crate::transport::Transport;

/// Where and as whom `ClientOptions` logs in.
pub(crate) fn login(options: &JsValue) -> Result<(Config, Credentials), Error> {
    let auth_url =
        optional_string(options, "authUrl")?.unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let mut config = Config::new(&auth_url)?;
    if let Some(customer) = optional_string(options, "customerId")? {
        config = config.with_customer_id(&customer)?;
    }
    let client_id = optional_string(options, "clientId")?;
    let credentials = match (optional_string(options, "username")?, client_id) {
        (Some(username), client_id) => {
            // EXPOSE: the password goes straight into its redacting newtype.
            let password = Password::new(required_string(options, "password")?);
            match client_id {
                Some(id) => Credentials::password_with_client(&id, &username, password)?,
                None => Credentials::password(&username, password)?,
            }
        }
        (None, Some(id)) => Credentials::client(
            &id,
            ClientSecret::new(required_string(options, "clientSecret")?),
        )?,
        (None, None) => {
            return Err(invalid_input(
                "options",
                "give `clientId` and `clientSecret`, or `username` and `password`",
            ));
        }
    };
    Ok((config, credentials))
}

/// The knobs (`retries`, `propagationWaitMs`, `timeoutMs`, `description`)
/// and the host parts (`transport`, `onProgress`, `testHooks`).
pub(crate) fn settings(options: &JsValue) -> Result<(Settings, Platform), Error> {
    if !options.is_object() {
        return Err(invalid_input("options", "must be an object"));
    }
    let mut settings = Settings::default();
    if let Some(n) = whole_number(options, "retries")? {
        settings.retries = u32::try_from(n).unwrap_or(u32::MAX);
    }
    if let Some(n) = whole_number(options, "propagationWaitMs")? {
        settings.propagation_wait_ms = n;
    }
    if let Some(n) = whole_number(options, "timeoutMs")? {
        settings.timeout_ms = n;
    }
    settings.description = optional_string(options, "description")?;
    let transport = match function(options, "transport")? {
        Some(f) => Transport::Custom(f),
        None => Transport::Fetch,
    };
    let hooks = Reflect::get(options, &"testHooks".into())
        .ok()
        .filter(JsValue::is_object);
    let platform = Platform {
        transport,
        timeout_ms: settings.timeout_ms,
        progress: function(options, "onProgress")?,
        hooks,
    };
    Ok((settings, platform))
}

/// The store options of `rotate`, `loginAndRotate`, `seed` and `claim`.
pub(crate) struct StoreOptions {
    /// The call's `store`, else `None` (the client's own, if any).
    pub(crate) store: Option<JsStore>,
    /// Whether to hold a Web Lock (where the host has them); default true.
    pub(crate) lock: bool,
    /// The Web Lock's name, instead of one named after the client.
    pub(crate) lock_name: Option<String>,
}

impl StoreOptions {
    /// Parses `{store?, lock?, lockName?}`; `undefined` and `null` are `{}`
    /// (they have no properties).
    pub(crate) fn read(options: &JsValue) -> Result<Self, Error> {
        if !(options.is_object() || options.is_null_or_undefined()) {
            return Err(invalid_input("options", "must be an object"));
        }
        Ok(Self {
            // Any value: `JsStore::new` checks it.
            store: optional(options, "store", "", Some)?
                .map(JsStore::new)
                .transpose()?,
            lock: optional_bool(options, "lock")?.unwrap_or(true),
            lock_name: optional_string(options, "lockName")?,
        })
    }
}

/// A boolean property, absent as `None`.
pub(crate) fn optional_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    optional(obj, key, "must be a boolean", |v| v.as_bool())
}

/// A string property that must be there.
pub(crate) fn required_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    optional_string(obj, key)?.ok_or_else(|| invalid_input(key, "is required"))
}

/// A string property, absent as `None`.
pub(crate) fn optional_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    optional(obj, key, "must be a string", |v| v.as_string())
}

/// A whole, non-negative number property, absent as `None`.
fn whole_number(obj: &JsValue, key: &str) -> Result<Option<u64>, Error> {
    let whole = |n: &f64| *n >= 0.0 && n.fract() == 0.0 && *n <= 9_007_199_254_740_991.0;
    optional(obj, key, "must be a whole number, 0 or more", |v| {
        v.as_f64().filter(whole).map(|n| n as u64)
    })
}

/// A function property, absent as `None`.
fn function(obj: &JsValue, key: &str) -> Result<Option<Function>, Error> {
    optional(obj, key, "must be a function", |v| v.dyn_into().ok())
}

/// Property `key` as `read` gives it, absent (`undefined` or `null`) as
/// `None`; an `invalid_input` saying it `must` be something else when `read`
/// refuses it.
fn optional<T>(
    obj: &JsValue,
    key: &str,
    must: &str,
    read: impl FnOnce(JsValue) -> Option<T>,
) -> Result<Option<T>, Error> {
    Reflect::get(obj, &key.into())
        .ok()
        .filter(|v| !v.is_null_or_undefined())
        .map(|v| read(v).ok_or_else(|| invalid_input(key, must)))
        .transpose()
}
