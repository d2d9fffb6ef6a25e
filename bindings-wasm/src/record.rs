//! `StoreRecord`, the opaque JS class over the core's versioned store record.
//! A store saves it with `toStorageString()` and reads it back with
//! `StoreRecord.fromStorageString()`; `toJSON()` and `toString()` are redacted.

use mapsindoors_auth::{ClientSecret, Config, StoreRecord, mint_lineage};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::errors::to_js;
use crate::js::to_js as plain;
use crate::options::Options;
use crate::platform::{now_ms, random_bytes};
use crate::values::kept_list;

/// A secret store's record: the secret in use and the state of any rotation.
#[wasm_bindgen(js_name = StoreRecord)]
pub struct JsStoreRecord {
    pub(crate) inner: StoreRecord,
}

#[wasm_bindgen(js_class = StoreRecord)]
impl JsStoreRecord {
    /// A first record (generation 1: save it with `expectedGeneration` 0) for
    /// a secret you already have, without asking the server (prefer
    /// `client.seed`, which identifies the secret first). Naming `secretId`
    /// claims the secret as the store's own: the first rotation deletes it.
    /// Without it the secret is kept (never deleted by a rotation).
    #[wasm_bindgen(js_name = create)]
    pub fn create(
        #[wasm_bindgen(unchecked_param_type = "StoreRecordInit")] init: JsValue,
    ) -> Result<JsStoreRecord, JsValue> {
        let build = || {
            let mut init = Options::read(init)?;
            let [auth_url, customer_id, client_id, secret] = init.record_init()?;
            // EXPOSE: the caller hands us the secret to keep in the store.
            let secret = ClientSecret::new(secret);
            let secret_id = init.secret_id()?;
            let config = Config::new(&auth_url)?.with_customer_id(&customer_id)?;
            let lineage = mint_lineage(random_bytes::<8>()?);
            let mut record = StoreRecord::new(&config, &client_id, secret, secret_id, &lineage)?;
            record.description = init.description()?;
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
    #[wasm_bindgen(getter, js_name = hasUnfinishedRotation)]
    pub fn has_unfinished_rotation(&self) -> bool {
        self.inner.has_unfinished_rotation()
    }

    /// What an earlier rotation left to do: `deleting`, `verify`,
    /// `delete_old` or `sweep`; null when nothing.
    #[wasm_bindgen(getter, js_name = unfinishedStage)]
    pub fn unfinished_stage(&self) -> Option<String> {
        self.inner.unfinished_stage().map(str::to_owned)
    }

    /// Whether the secret in use is provably the store's own (created by its
    /// rotation, or claimed): only then is it deleted once replaced.
    #[wasm_bindgen(getter, js_name = currentOwned)]
    pub fn current_owned(&self) -> bool {
        self.inner.current.owned
    }

    /// Replaced secrets not provably the store's own: never deleted by a
    /// rotation. Each says what to do about it (`advice`).
    #[wasm_bindgen(getter, unchecked_return_type = "KeptSecret[]")]
    pub fn kept(&self) -> JsValue {
        kept_list(&self.inner.kept)
    }

    /// The next record with secret `id` claimed as the store's own (a kept
    /// secret, or the current one or one of its candidates): save it with
    /// `expectedGeneration` = this record's generation. `client.claim` does
    /// both. Throws an `InvalidInputError` for an id the record does not name.
    #[wasm_bindgen]
    pub fn claim(&self, id: &str) -> Result<JsStoreRecord, JsValue> {
        self.inner
            .claim(id, now_ms())
            .map(|inner| JsStoreRecord { inner })
            .map_err(|e| to_js(&e))
    }

    /// A redacted summary, for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "StoreRecordSummary")]
    pub fn to_json(&self) -> JsValue {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Summary<'a> {
            auth_url: &'a str,
            customer_id: &'a str,
            client_id: &'a str,
            generation: f64,
            current_id: Option<&'a str>,
            secret: &'a str,
        }
        let r = &self.inner;
        plain(&Summary {
            auth_url: &r.auth_url,
            customer_id: &r.customer_id,
            client_id: &r.client_id,
            generation: self.generation(),
            current_id: r.current.id.as_deref(),
            secret: "[redacted]",
        })
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
