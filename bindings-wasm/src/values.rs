//! The API's values as JS sees them: `Token` and `CreatedSecret` are classes
//! whose secret needs an explicit `expose…()` call (their `toJSON`/`toString`
//! redact); listed secrets, rotation reports and statuses hold none and are plain
//! objects, written by serde from the mirrors below (the core's types stay
//! free of serde and of JS names).

use mapsindoors_auth::{CreatedSecret, KeptSecret, RotationReport, SecretInfo, Status, Token};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::js::to_js;

/// What `JSON.stringify` shows of a value holding a secret.
const REDACTED: &str = "[redacted]";

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
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct View<'a> {
            access_token: &'a str,
            token_type: &'a str,
            expires_in: Option<f64>,
            scope: Option<&'a str>,
        }
        to_js(&View {
            access_token: REDACTED,
            token_type: &self.inner.token_type,
            expires_in: self.expires_in(),
            scope: self.inner.scope.as_deref(),
        })
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
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct View<'a> {
            id: &'a str,
            description: Option<&'a str>,
            created_at: &'a str,
            created_at_ms: f64,
            secret: &'a str,
        }
        let s = &self.inner;
        to_js(&View {
            id: &s.id,
            description: s.description.as_deref(),
            created_at: s.created_at.as_str(),
            created_at_ms: self.created_at_ms(),
            secret: REDACTED,
        })
    }

    /// `CreatedSecret(id, [redacted])`.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("CreatedSecret({}, [redacted])", self.inner.id)
    }
}

/// Listed secrets as `SecretInfo[]`.
pub(crate) fn secret_list(list: &[SecretInfo]) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Listed<'a> {
        id: &'a str,
        description: Option<&'a str>,
        client_id: Option<&'a str>,
        created_at: &'a str,
        created_at_ms: f64,
    }
    let listed: Vec<_> = list
        .iter()
        .map(|s| Listed {
            id: &s.id,
            description: s.description.as_deref(),
            client_id: s.client_id.as_deref(),
            created_at: s.created_at.as_str(),
            created_at_ms: s.created_at.unix_millis() as f64,
        })
        .collect();
    to_js(&listed)
}

/// A `RotationReport` (its token goes to the client's cache, not here).
pub(crate) fn report(r: &RotationReport) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Report<'a> {
        rotated: bool,
        resumed: bool,
        decision: &'a str,
        due_at_ms: Option<f64>,
        old_id: Option<&'a str>,
        new_id: Option<&'a str>,
        deleted: &'a [String],
        swept: &'a [String],
        kept: Vec<Kept<'a>>,
        round_trips: u32,
        persists: u32,
        generation: f64,
    }
    to_js(&Report {
        rotated: r.rotated,
        resumed: r.resumed,
        decision: r.decision.as_str(),
        due_at_ms: r.due_at_ms.map(|ms| ms as f64),
        old_id: r.old_id.as_deref(),
        new_id: r.new_id.as_deref(),
        deleted: &r.deleted,
        swept: &r.swept,
        kept: r.kept.iter().map(Kept::from).collect(),
        round_trips: r.round_trips,
        persists: r.persists,
        generation: r.generation as f64,
    })
}

/// A store's `Status`, with the core's verdict (`health`, `exitCode`,
/// `findings`). A refused secret's `refusal` is the error's text: never a secret.
pub(crate) fn status(s: &Status) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct View<'a> {
        health: &'a str,
        exit_code: u8,
        findings: Vec<String>,
        generation: f64,
        updated_at_ms: f64,
        client_id: &'a str,
        customer_id: &'a str,
        current_id: Option<&'a str>,
        current_created_at: Option<&'a str>,
        current_owned: bool,
        age_ms: Option<f64>,
        max_age_ms: Option<f64>,
        due_at_ms: Option<f64>,
        due: bool,
        unfinished: Option<&'a str>,
        kept: Vec<Kept<'a>>,
        last_rotation_ms: Option<f64>,
        check: Option<Check<'a>>,
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Check<'a> {
        accepted: bool,
        refusal: Option<&'a str>,
        refusal_kind: Option<&'a str>,
        secret_count: Option<u32>,
    }
    let ms = |v: Option<u64>| v.map(|n| n as f64);
    let health = s.health();
    to_js(&View {
        health: health.as_str(),
        exit_code: health.exit_code(),
        findings: s.findings(),
        generation: s.generation as f64,
        updated_at_ms: s.updated_at_ms as f64,
        client_id: &s.client_id,
        customer_id: &s.customer_id,
        current_id: s.current_id.as_deref(),
        current_created_at: s.current_created_at.as_deref(),
        current_owned: s.current_owned,
        age_ms: ms(s.age_ms),
        max_age_ms: ms(s.max_age_ms),
        due_at_ms: ms(s.due_at_ms),
        due: s.due,
        unfinished: s.unfinished,
        kept: s.kept.iter().map(Kept::from).collect(),
        last_rotation_ms: ms(s.last_rotation_ms),
        check: s.check.as_ref().map(|c| Check {
            accepted: c.accepted,
            refusal: c.refusal.as_deref(),
            refusal_kind: c.refusal_kind.as_deref(),
            secret_count: c.secret_count,
        }),
    })
}

/// Kept secrets as `KeptSecret[]`: id, createdAt, candidates, reason and advice.
pub(crate) fn kept_list(kept: &[KeptSecret]) -> JsValue {
    to_js(&kept.iter().map(Kept::from).collect::<Vec<_>>())
}

/// A `KeptSecret` as JS sees it, with its advice.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Kept<'a> {
    id: Option<&'a str>,
    created_at: Option<&'a str>,
    candidates: Vec<Candidate<'a>>,
    reason: &'a str,
    advice: String,
}

/// A `SecretCandidate`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Candidate<'a> {
    id: &'a str,
    created_at: Option<&'a str>,
}

impl<'a> From<&'a KeptSecret> for Kept<'a> {
    fn from(k: &'a KeptSecret) -> Self {
        Kept {
            id: k.id.as_deref(),
            created_at: k.created_at.as_deref(),
            candidates: k
                .candidates
                .iter()
                .map(|c| Candidate {
                    id: &c.id,
                    created_at: c.created_at.as_deref(),
                })
                .collect(),
            reason: &k.reason,
            advice: k.advice(),
        }
    }
}
