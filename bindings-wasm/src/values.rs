//! The API's values as JS sees them: `Token` and `CreatedSecret` are classes
//! whose secret needs an explicit `expose…()` call (their `toJSON`/`toString`
//! redact); listed secrets and rotation reports hold none and are plain objects.

use js_sys::{Array, Object, Reflect};
use mapsindoors_auth::{Candidate, CreatedSecret, KeptSecret, RotationReport, SecretInfo, Token};
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
        let o = Object::new();
        set(&o, "accessToken", "[redacted]".into());
        set(&o, "tokenType", self.token_type().into());
        set(
            &o,
            "expiresIn",
            self.expires_in().map_or(JsValue::NULL, Into::into),
        );
        set(&o, "scope", self.scope().map_or(JsValue::NULL, Into::into));
        o.into()
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
        let o = Object::new();
        set(&o, "id", self.id().into());
        set(
            &o,
            "description",
            self.description().map_or(JsValue::NULL, Into::into),
        );
        set(&o, "createdAt", self.created_at().into());
        set(&o, "createdAtMs", self.created_at_ms().into());
        set(&o, "secret", "[redacted]".into());
        o.into()
    }

    /// `CreatedSecret(id, [redacted])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("CreatedSecret({}, [redacted])", self.inner.id)
    }
}

/// Listed secrets as `SecretInfo[]`.
pub(crate) fn secret_list(list: &[SecretInfo]) -> JsValue {
    list.iter()
        .map(|s| {
            let o = Object::new();
            set(&o, "id", s.id.as_str().into());
            set(
                &o,
                "description",
                s.description.as_deref().map_or(JsValue::NULL, Into::into),
            );
            set(
                &o,
                "clientId",
                s.client_id.as_deref().map_or(JsValue::NULL, Into::into),
            );
            set(&o, "createdAt", s.created_at.as_str().into());
            set(
                &o,
                "createdAtMs",
                (s.created_at.unix_millis() as f64).into(),
            );
            JsValue::from(o)
        })
        .collect::<Array>()
        .into()
}

/// A `RotationReport` (its token goes to the client's cache, not here).
pub(crate) fn report(r: &RotationReport) -> JsValue {
    let strings = |v: &[String]| v.iter().map(|s| JsValue::from_str(s)).collect::<Array>();
    let o = Object::new();
    set(&o, "rotated", r.rotated.into());
    set(&o, "resumed", r.resumed.into());
    set(
        &o,
        "oldId",
        r.old_id.as_deref().map_or(JsValue::NULL, Into::into),
    );
    set(
        &o,
        "newId",
        r.new_id.as_deref().map_or(JsValue::NULL, Into::into),
    );
    set(&o, "deleted", strings(&r.deleted).into());
    set(&o, "swept", strings(&r.swept).into());
    set(&o, "kept", kept_list(&r.kept));
    set(&o, "roundTrips", r.round_trips.into());
    set(&o, "persists", r.persists.into());
    set(&o, "generation", (r.generation as f64).into());
    o.into()
}

/// Kept secrets as `KeptSecret[]`: id, createdAt, candidates, reason and advice.
pub(crate) fn kept_list(kept: &[KeptSecret]) -> JsValue {
    kept.iter()
        .map(|k| {
            let e = Object::new();
            set(&e, "id", opt(k.id.as_deref()));
            set(&e, "createdAt", opt(k.created_at.as_deref()));
            set(&e, "candidates", candidates(&k.candidates));
            set(&e, "reason", k.reason.as_str().into());
            set(&e, "advice", k.advice().into());
            JsValue::from(e)
        })
        .collect::<Array>()
        .into()
}

fn candidates(list: &[Candidate]) -> JsValue {
    list.iter()
        .map(|c| {
            let e = Object::new();
            set(&e, "id", c.id.as_str().into());
            set(&e, "createdAt", opt(c.created_at.as_deref()));
            JsValue::from(e)
        })
        .collect::<Array>()
        .into()
}

fn opt(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, Into::into)
}

fn set(o: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(o, &key.into(), &value);
}
