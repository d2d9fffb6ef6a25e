//! Reads the JS options objects (`ClientOptions`, and the store options of
//! `rotate`, `seed` and `claim`) into core values, refusing wrong types as
//! `invalid_input` before anything is sent.

use js_sys::{Function, Reflect};
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, DEFAULT_BASE_URL, Error, Password, RetryPolicy,
};
use wasm_bindgen::prelude::*;

use crate::errors::invalid_input;
use crate::store::JsStore;
use crate::transport::Transport;

/// What a `Client` is built from.
pub(crate) struct ClientSettings {
    pub(crate) config: Config,
    pub(crate) credentials: Credentials,
    pub(crate) policy: RetryPolicy,
    pub(crate) transport: Transport,
}

/// Parses `ClientOptions`.
pub(crate) fn client_settings(options: &JsValue) -> Result<ClientSettings, Error> {
    if !options.is_object() {
        return Err(invalid_input("options", "must be an object"));
    }
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
    let mut policy = RetryPolicy::default();
    if let Some(retries) = optional_number(options, "retries")? {
        if !(0.0..=10.0).contains(&retries) || retries.fract() != 0.0 {
            return Err(invalid_input(
                "retries",
                "must be a whole number from 0 to 10",
            ));
        }
        policy.max_attempts = retries as u32 + 1;
    }
    let transport = match Reflect::get(options, &"transport".into()) {
        Ok(t) if t.is_undefined() || t.is_null() => Transport::Fetch,
        Ok(t) => Transport::Custom(
            t.dyn_into::<Function>()
                .map_err(|_| invalid_input("transport", "must be a function"))?,
        ),
        Err(_) => Transport::Fetch,
    };
    Ok(ClientSettings {
        config,
        credentials,
        policy,
        transport,
    })
}

/// The options of `rotate`, `loginAndRotate`, `seed` and `claim`.
pub(crate) struct StoreSettings {
    pub(crate) store: JsStore,
    /// For secrets the store creates.
    pub(crate) description: Option<String>,
    /// Seeding: the id of the client's secret (claims it).
    pub(crate) secret_id: Option<String>,
    /// Seeding: claim the client's only secret.
    pub(crate) claim: bool,
    /// Whether to hold a Web Lock (where the host has them); default true.
    pub(crate) lock: bool,
    /// The Web Lock's name, instead of one derived from the store's record.
    pub(crate) lock_name: Option<String>,
}

impl StoreSettings {
    /// Parses `{store, description?, secretId?, claim?, lock?, lockName?}`.
    pub(crate) fn read(options: &JsValue) -> Result<Self, Error> {
        if !options.is_object() {
            return Err(invalid_input("options", "must be an object with a `store`"));
        }
        let store =
            JsStore::new(Reflect::get(options, &"store".into()).unwrap_or(JsValue::UNDEFINED))?;
        Ok(Self {
            store,
            description: optional_string(options, "description")?,
            secret_id: optional_string(options, "secretId")?,
            claim: optional_bool(options, "claim")?.unwrap_or(false),
            lock: optional_bool(options, "lock")?.unwrap_or(true),
            lock_name: optional_string(options, "lockName")?,
        })
    }
}

/// A boolean property, absent as `None`.
pub(crate) fn optional_bool(obj: &JsValue, key: &str) -> Result<Option<bool>, Error> {
    let value = Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| invalid_input(key, "must be a boolean"))
}

/// A string property that must be there.
pub(crate) fn required_string(obj: &JsValue, key: &str) -> Result<String, Error> {
    optional_string(obj, key)?.ok_or_else(|| invalid_input(key, "is required"))
}

/// A string property, absent as `None` (`undefined` or `null`).
pub(crate) fn optional_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let value = Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid_input(key, "must be a string"))
}

/// A number property, absent as `None`.
pub(crate) fn optional_number(obj: &JsValue, key: &str) -> Result<Option<f64>, Error> {
    let value = Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| invalid_input(key, "must be a number"))
}
