//! `StoreRecord`, the opaque JS class over the core's versioned store record.
//! A store saves it with `toStorageString()` and reads it back with
//! `StoreRecord.fromStorageString()`; `toJSON()` and `toString()` are redacted.

use js_sys::{Object, Reflect};
use mapsindoors_auth::{ClientSecret, Config, StoreRecord, record::random_id};
use wasm_bindgen::prelude::*;

use crate::errors::to_js;
use crate::options::{optional_string, required_string};
use crate::platform::random_bytes;

/// A secret store's record: the secret in use and the state of any rotation.
#[wasm_bindgen(js_name = StoreRecord)]
pub struct JsStoreRecord {
    pub(crate) inner: StoreRecord,
}

#[wasm_bindgen(js_class = StoreRecord)]
impl JsStoreRecord {
    /// A first record for a secret you already have (e.g. from `createSecret`).
    #[wasm_bindgen(js_name = create)]
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "StoreRecordInit")] init: &JsValue,
    ) -> Result<JsStoreRecord, JsValue> {
        let build = || {
            let auth_url = required_string(init, "authUrl")?;
            let customer_id = required_string(init, "customerId")?;
            let client_id = required_string(init, "clientId")?;
            // EXPOSE: the caller hands us the secret to keep in the store.
            let secret = ClientSecret::new(required_string(init, "clientSecret")?);
            let secret_id = optional_string(init, "secretId")?;
            let config = Config::new(&auth_url)?.with_customer_id(&customer_id)?;
            let lineage = random_id("l-", &random_bytes::<8>()?);
            let mut record = StoreRecord::new(&config, &client_id, secret, secret_id, &lineage)?;
            record.description = optional_string(init, "description")?;
            Ok::<_, mapsindoors_auth::Error>(record)
        };
        build()
            .map(|inner| JsStoreRecord { inner })
            .map_err(|e| to_js(&e))
    }

    /// Parses what `toStorageString()` wrote; throws a `StoreError` for a
    /// corrupt, truncated or unknown-version record (without echoing it).
    #[wasm_bindgen(js_name = fromStorageString)]
    pub fn from_storage_string(text: &str) -> Result<JsStoreRecord, JsValue> {
        StoreRecord::from_json(text)
            .map(|inner| JsStoreRecord { inner })
            .map_err(|e| to_js(&e))
    }

    /// The record as the JSON text to store. It holds the secret: write it
    /// only to the store.
    #[wasm_bindgen(js_name = toStorageString)]
    pub fn to_storage_string(&self) -> String {
        self.inner.to_json()
    }

    /// The secret in use. Say why you need it where you call this.
    #[wasm_bindgen(js_name = exposeCurrentSecret)]
    pub fn expose_current_secret(&self) -> String {
        // EXPOSE: explicit accessor, named so call sites stand out.
        self.inner.current.secret.expose_secret().to_owned()
    }

    /// The id of the secret in use, when known.
    #[wasm_bindgen(getter, js_name = currentId)]
    pub fn current_id(&self) -> Option<String> {
        self.inner.current.id.clone()
    }

    /// Bumped by every save.
    #[wasm_bindgen(getter)]
    pub fn generation(&self) -> f64 {
        self.inner.generation as f64
    }

    /// The auth server's base URL.
    #[wasm_bindgen(getter, js_name = authUrl)]
    pub fn auth_url(&self) -> String {
        self.inner.auth_url.clone()
    }

    /// The customer whose secrets these are.
    #[wasm_bindgen(getter, js_name = customerId)]
    pub fn customer_id(&self) -> String {
        self.inner.customer_id.clone()
    }

    /// The client the secrets belong to.
    #[wasm_bindgen(getter, js_name = clientId)]
    pub fn client_id(&self) -> String {
        self.inner.client_id.clone()
    }

    /// Whether a rotation stopped part-way (the next `rotate` finishes it).
    #[wasm_bindgen(getter, js_name = hasPendingWork)]
    pub fn has_pending_work(&self) -> bool {
        let r = &self.inner;
        r.pending.is_some()
            || r.previous_id.is_some()
            || r.previous_unidentified
            || r.intent.is_some()
    }

    /// A redacted summary, for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "StoreRecordSummary")]
    pub fn to_json(&self) -> JsValue {
        let o = Object::new();
        let set = |k: &str, v: JsValue| {
            let _ = Reflect::set(&o, &k.into(), &v);
        };
        set("authUrl", self.auth_url().into());
        set("customerId", self.customer_id().into());
        set("clientId", self.client_id().into());
        set("generation", self.generation().into());
        set(
            "currentId",
            self.current_id().map_or(JsValue::NULL, Into::into),
        );
        set("secret", "[redacted]".into());
        o.into()
    }

    /// `StoreRecord(customer, client, generation N, [redacted])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!(
            "StoreRecord({}, {}, generation {}, [redacted])",
            self.inner.customer_id, self.inner.client_id, self.inner.generation
        )
    }
}
