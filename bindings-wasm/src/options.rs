//! Reads the JS options objects (`ClientOptions`, the store options of
//! `rotate`, `seed` and `claim`, `createSecret`'s and `StoreRecord.create`'s)
//! into core values with serde-wasm-bindgen, refusing wrong types as
//! `invalid_input` (naming the option, never quoting it) before anything is
//! sent. The core checks the ranges.

use mapsindoors_auth::{
    ClientSecret, Config, Credentials, DEFAULT_BASE_URL, Error, Password, Settings,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::errors::invalid_input;
use crate::js::{Js, Prop, from_js};
use crate::platform::{Hooks, Platform};
use crate::store::JsStore;
use crate::transport::Transport;

const STRING: &str = "must be a string";
const WHOLE: &str = "must be a whole number, 0 or more";
const FUNCTION: &str = "must be a function";
const DAYS: &str = "must be a number of days, 0 or more";
/// One day in ms, for `maxAgeDays`.
const DAY_MS: f64 = 86_400_000.0;

/// Every option the API's options objects take, by its JS name. They share
/// names and meanings across calls, so one shape reads them all; each call
/// takes what it documents and ignores the rest, as before.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Options {
    auth_url: Prop<String>,
    customer_id: Prop<String>,
    client_id: Prop<String>,
    client_secret: Prop<String>,
    username: Prop<String>,
    password: Prop<String>,
    /// Whole numbers (checked by [`whole`]).
    retries: Prop<f64>,
    propagation_wait_ms: Prop<f64>,
    timeout_ms: Prop<f64>,
    description: Prop<String>,
    transport: Prop<Js>,
    on_progress: Prop<Js>,
    on_event: Prop<Js>,
    test_hooks: Prop<Hooks>,
    store: Prop<Js>,
    lock: Prop<bool>,
    lock_name: Prop<String>,
    secret_id: Prop<String>,
    claim: Prop<bool>,
    id: Prop<String>,
    max_age_days: Prop<f64>,
    max_age_ms: Prop<f64>,
    probe: Prop<bool>,
}

impl Options {
    /// Reads an options object; `undefined` and `null` are `{}`.
    pub(crate) fn read(value: JsValue) -> Result<Self, Error> {
        from_js(value, "options")
    }

    /// Where and as whom `ClientOptions` logs in.
    pub(crate) fn login(&mut self) -> Result<(Config, Credentials), Error> {
        let auth_url = take(&mut self.auth_url, "authUrl", STRING)?
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
        let mut config = Config::new(&auth_url)?;
        if let Some(customer) = take(&mut self.customer_id, "customerId", STRING)? {
            config = config.with_customer_id(&customer)?;
        }
        let client_id = take(&mut self.client_id, "clientId", STRING)?;
        let credentials = match (take(&mut self.username, "username", STRING)?, client_id) {
            (Some(username), client_id) => {
                // EXPOSE: the password goes straight into its redacting newtype.
                let password = Password::new(required(&mut self.password, "password")?);
                match client_id {
                    Some(id) => Credentials::password_with_client(&id, &username, password)?,
                    None => Credentials::password(&username, password)?,
                }
            }
            (None, Some(id)) => Credentials::client(
                &id,
                // EXPOSE: the secret goes straight into its redacting newtype.
                ClientSecret::new(required(&mut self.client_secret, "clientSecret")?),
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
    /// and the host parts (`transport`, `onProgress`, `onEvent`, `testHooks`).
    pub(crate) fn settings(&mut self) -> Result<(Settings, Platform), Error> {
        let mut settings = Settings::default();
        if let Some(n) = whole(&mut self.retries, "retries")? {
            settings.retries = u32::try_from(n).unwrap_or(u32::MAX);
        }
        if let Some(n) = whole(&mut self.propagation_wait_ms, "propagationWaitMs")? {
            settings.propagation_wait_ms = n;
        }
        if let Some(n) = whole(&mut self.timeout_ms, "timeoutMs")? {
            settings.timeout_ms = n;
        }
        settings.description = take(&mut self.description, "description", STRING)?;
        let transport = match function(&mut self.transport, "transport")? {
            Some(f) => Transport::Custom(f),
            None => Transport::Fetch,
        };
        let platform = Platform {
            transport,
            timeout_ms: settings.timeout_ms,
            progress: function(&mut self.on_progress, "onProgress")?,
            events: function(&mut self.on_event, "onEvent")?,
            // Not for production: anything but an object is no hooks.
            hooks: std::mem::take(&mut self.test_hooks)
                .ok()
                .unwrap_or_default(),
        };
        Ok((settings, platform))
    }

    /// The call's `store`, if given (checked to have `load` and `save`).
    pub(crate) fn store(&mut self) -> Result<Option<JsStore>, Error> {
        // Any value: `JsStore::new` checks it.
        std::mem::take(&mut self.store)
            .ok()
            .map(|s| JsStore::new(s.0))
            .transpose()
    }

    /// Whether to hold a Web Lock (where the host has them); default true.
    pub(crate) fn lock(&mut self) -> Result<bool, Error> {
        Ok(take(&mut self.lock, "lock", "must be a boolean")?.unwrap_or(true))
    }

    /// The Web Lock's name, instead of one named after the client.
    pub(crate) fn lock_name(&mut self) -> Result<Option<String>, Error> {
        take(&mut self.lock_name, "lockName", STRING)
    }

    /// `seed`'s `secretId` and `StoreRecord.create`'s.
    pub(crate) fn secret_id(&mut self) -> Result<Option<String>, Error> {
        take(&mut self.secret_id, "secretId", STRING)
    }

    /// `seed`'s `claim`; default false.
    pub(crate) fn claim(&mut self) -> Result<bool, Error> {
        Ok(take(&mut self.claim, "claim", "must be a boolean")?.unwrap_or(false))
    }

    /// `claim`'s `id`, required.
    pub(crate) fn id(&mut self) -> Result<String, Error> {
        required(&mut self.id, "id")
    }

    /// `rotate`'s and `status`'s maximum age in ms: `maxAgeDays` (any
    /// number of days, 0 or more) or `maxAgeMs` (whole), not both; `None`
    /// when neither. The core checks the range (field `max_age`).
    pub(crate) fn max_age_ms(&mut self) -> Result<Option<u64>, Error> {
        let ms = whole(&mut self.max_age_ms, "maxAgeMs")?;
        let days = match take(&mut self.max_age_days, "maxAgeDays", DAYS)? {
            Some(d) if d.is_finite() && d >= 0.0 => Some((d * DAY_MS).round() as u64),
            Some(_) => return Err(invalid_input("maxAgeDays", DAYS)),
            None => None,
        };
        match (days, ms) {
            (Some(_), Some(_)) => Err(invalid_input(
                "options",
                "give `maxAgeDays` or `maxAgeMs`, not both",
            )),
            (days, ms) => Ok(days.or(ms)),
        }
    }

    /// `status`'s `probe`; default false.
    pub(crate) fn probe(&mut self) -> Result<bool, Error> {
        Ok(take(&mut self.probe, "probe", "must be a boolean")?.unwrap_or(false))
    }

    /// `createSecret`'s and `StoreRecord.create`'s `description`.
    pub(crate) fn description(&mut self) -> Result<Option<String>, Error> {
        take(&mut self.description, "description", STRING)
    }

    /// `createSecret`'s `clientId`.
    pub(crate) fn client_id(&mut self) -> Result<Option<String>, Error> {
        take(&mut self.client_id, "clientId", STRING)
    }

    /// `StoreRecord.create`'s required strings: `authUrl`, `customerId`,
    /// `clientId` and `clientSecret`.
    pub(crate) fn record_init(&mut self) -> Result<[String; 4], Error> {
        Ok([
            required(&mut self.auth_url, "authUrl")?,
            required(&mut self.customer_id, "customerId")?,
            required(&mut self.client_id, "clientId")?,
            required(&mut self.client_secret, "clientSecret")?,
        ])
    }
}

/// Property `prop` (named `field` in JS), taken out of the options.
fn take<T>(prop: &mut Prop<T>, field: &str, must: &str) -> Result<Option<T>, Error> {
    std::mem::take(prop).get(field, must)
}

/// A whole number property: a JS number, 0 or more, at most
/// `Number.MAX_SAFE_INTEGER` (the core checks the ranges).
fn whole(prop: &mut Prop<f64>, field: &str) -> Result<Option<u64>, Error> {
    match take(prop, field, WHOLE)? {
        None => Ok(None),
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => {
            Ok(Some(n as u64))
        }
        Some(_) => Err(invalid_input(field, WHOLE)),
    }
}

/// A string property that must be there.
fn required(prop: &mut Prop<String>, field: &str) -> Result<String, Error> {
    take(prop, field, STRING)?.ok_or_else(|| invalid_input(field, "is required"))
}

/// A function property, absent as `None`.
fn function(prop: &mut Prop<Js>, field: &str) -> Result<Option<js_sys::Function>, Error> {
    match std::mem::take(prop).get(field, FUNCTION)? {
        None => Ok(None),
        Some(js) => js
            .function()
            .map(Some)
            .ok_or_else(|| invalid_input(field, FUNCTION)),
    }
}
