//! The API's values as JS sees them: `Token` and `CreatedSecret` are classes
//! whose secret needs an explicit `expose…()` call (their `toJSON`/`toString`
//! redact); listed secrets and rotation reports hold none and are plain objects.

use js_sys::{Array, Object, Reflect};
use mapsindoors_auth::{CreatedSecret, KeptSecret, RotationReport, SecretInfo, Token};
use wasm_bindgen::prelude::*;

/// An access token. `toString()` and `JSON.stringify` never show its value.
#[wasm_bindgen(js_name = Token)]
pub struct JsToken {
    pub(crate) inner: Token,
}

#[wasm_bindgen(js_class = Token)]
impl JsToken {
    /// The bearer token, for an `Authorization: Bearer …` header.
    #[wasm_bindgen(js_name = exposeAccessToken)]
    pub fn expose_access_token(&self) -> String {
        // EXPOSE: the caller needs the token to call MapsIndoors APIs.
        self.inner.access_token.expose_secret().to_owned()
    }

    /// Always `Bearer`.
    #[wasm_bindgen(getter, js_name = tokenType)]
    pub fn token_type(&self) -> String {
        self.inner.token_type.clone()
    }

    /// Lifetime in seconds, if the server said.
    #[wasm_bindgen(getter, js_name = expiresIn)]
    pub fn expires_in(&self) -> Option<f64> {
        self.inner.expires_in.map(|s| s as f64)
    }

    /// Granted scopes, space-separated, if the server said.
    #[wasm_bindgen(getter)]
    pub fn scope(&self) -> Option<String> {
        self.inner.scope.clone()
    }

    /// A redacted view for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ accessToken: \"[redacted]\"; tokenType: string; expiresIn: number | null; scope: string | null }")]
    pub fn to_json(&self) -> JsValue {
        Fields::new()
            .set("accessToken", "[redacted]")
            .set("tokenType", self.token_type())
            .opt("expiresIn", self.expires_in())
            .opt("scope", self.scope())
            .into()
    }

    /// `Token([redacted])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        "Token([redacted])".to_owned()
    }
}

/// A secret just created. Its value is shown this once: `exposeSecret()`.
#[wasm_bindgen(js_name = CreatedSecret)]
pub struct JsCreatedSecret {
    pub(crate) inner: CreatedSecret,
}

#[wasm_bindgen(js_class = CreatedSecret)]
impl JsCreatedSecret {
    /// The new secret's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id.clone()
    }

    /// Its description, if any.
    #[wasm_bindgen(getter)]
    pub fn description(&self) -> Option<String> {
        self.inner.description.clone()
    }

    /// When it was created, as the server wrote it.
    #[wasm_bindgen(getter, js_name = createdAt)]
    pub fn created_at(&self) -> String {
        self.inner.created_at.as_str().to_owned()
    }

    /// When it was created, in Unix milliseconds.
    #[wasm_bindgen(getter, js_name = createdAtMs)]
    pub fn created_at_ms(&self) -> f64 {
        self.inner.created_at.unix_millis() as f64
    }

    /// The secret itself. MapsPeople does not store it: keep it now.
    #[wasm_bindgen(js_name = exposeSecret)]
    pub fn expose_secret(&self) -> String {
        // EXPOSE: the caller must see the new secret once to keep it.
        self.inner.secret.expose_secret().to_owned()
    }

    /// A redacted view for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON, unchecked_return_type = "{ id: string; description: string | null; createdAt: string; createdAtMs: number; secret: \"[redacted]\" }")]
    pub fn to_json(&self) -> JsValue {
        Fields::new()
            .set("id", self.id())
            .opt("description", self.description())
            .set("createdAt", self.created_at())
            .set("createdAtMs", self.created_at_ms())
            .set("secret", "[redacted]")
            .into()
    }

    /// `CreatedSecret(id, [redacted])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("CreatedSecret({}, [redacted])", self.inner.id)
    }
}

/// Listed secrets as `SecretInfo[]`.
pub(crate) fn secret_list(list: &[SecretInfo]) -> JsValue {
    array(list, |s| {
        Fields::new()
            .set("id", s.id.as_str())
            .opt("description", s.description.as_deref())
            .opt("clientId", s.client_id.as_deref())
            .set("createdAt", s.created_at.as_str())
            .set("createdAtMs", s.created_at.unix_millis() as f64)
            .into()
    })
}

/// A `RotationReport` (its token goes to the client's cache, not here).
pub(crate) fn report(r: &RotationReport) -> JsValue {
    let strings = |v: &[String]| array(v, |s| s.as_str().into());
    Fields::new()
        .set("rotated", r.rotated)
        .set("resumed", r.resumed)
        .opt("oldId", r.old_id.as_deref())
        .opt("newId", r.new_id.as_deref())
        .set("deleted", strings(&r.deleted))
        .set("swept", strings(&r.swept))
        .set("kept", kept_list(&r.kept))
        .set("roundTrips", r.round_trips)
        .set("persists", r.persists)
        .set("generation", r.generation as f64)
        .into()
}

/// Kept secrets as `KeptSecret[]`: id, createdAt, candidates, reason and advice.
pub(crate) fn kept_list(kept: &[KeptSecret]) -> JsValue {
    array(kept, |k| {
        let candidates = array(&k.candidates, |c| {
            Fields::new()
                .set("id", c.id.as_str())
                .opt("createdAt", c.created_at.as_deref())
                .into()
        });
        Fields::new()
            .opt("id", k.id.as_deref())
            .opt("createdAt", k.created_at.as_deref())
            .set("candidates", candidates)
            .set("reason", k.reason.as_str())
            .set("advice", k.advice())
            .into()
    })
}

/// A plain JS object, built one field at a time.
pub(crate) struct Fields(Object);

impl Fields {
    pub(crate) fn new() -> Self {
        Self(Object::new())
    }

    /// Sets `key` to `value`.
    pub(crate) fn set(self, key: &str, value: impl Into<JsValue>) -> Self {
        let _ = Reflect::set(&self.0, &key.into(), &value.into());
        self
    }

    /// Sets `key` to `value`, or to `null` when absent.
    pub(crate) fn opt(self, key: &str, value: Option<impl Into<JsValue>>) -> Self {
        self.set(key, value.map_or(JsValue::NULL, Into::into))
    }
}

impl From<Fields> for JsValue {
    fn from(fields: Fields) -> Self {
        fields.0.into()
    }
}

/// An array of `items`, each converted by `f`.
pub(crate) fn array<T>(items: &[T], f: impl Fn(&T) -> JsValue) -> JsValue {
    items.iter().map(f).collect::<Array>().into()
}
