//! The store record's JSON form, read and written with serde: versions 1
//! and 2 in, version 2 out. Each field's type is checked here so an error
//! names the field; nothing a record holds is ever quoted.

use crate::record::{
    Candidate, KeptSecret, MAX_KEPT, MAX_OPEN_ROTATIONS, RECORD_FORMAT, RECORD_VERSION,
    StartedRotation, StoreRecord, StoredSecret,
};
use crate::secret::ClientSecret;
use crate::wire::{self, Field, Shape};
use serde::{Deserialize, Serialize};

/// Why a record could not be read.
pub(crate) enum ReadError {
    /// Not JSON (grammar or truncation).
    Syntax(String),
    /// Another format.
    NotARecord,
    /// No version, or a version this build does not read.
    Version(Option<u64>),
    /// JSON of the wrong shape.
    Invalid(String),
}

#[derive(Deserialize)]
struct RecordIn<'a> {
    #[serde(borrow, default)]
    format: Field<'a>,
    #[serde(borrow, default)]
    version: Field<'a>,
    #[serde(borrow, default)]
    auth_url: Field<'a>,
    #[serde(borrow, default)]
    customer_id: Field<'a>,
    #[serde(borrow, default)]
    client_id: Field<'a>,
    #[serde(borrow, default)]
    lineage: Field<'a>,
    #[serde(borrow, default)]
    generation: Field<'a>,
    #[serde(borrow, default)]
    updated_at_ms: Field<'a>,
    #[serde(borrow, default)]
    description: Field<'a>,
    #[serde(borrow, default)]
    current: Shape<SecretIn<'a>>,
    #[serde(borrow, default)]
    pending: Shape<SecretIn<'a>>,
    #[serde(borrow, default)]
    previous_id: Field<'a>,
    #[serde(borrow, default)]
    kept: Shape<KeptIn<'a>>,
    #[serde(borrow, default)]
    deleting: Field<'a>,
    #[serde(borrow, default)]
    rotations: Shape<RotationIn<'a>>,
    /// Version 1: a started rotation (now in `rotations`).
    #[serde(borrow, default)]
    intent: Field<'a>,
    /// Version 1: a replaced secret of unknown id (now in `kept`).
    #[serde(borrow, default)]
    previous_unidentified: Field<'a>,
}

#[derive(Deserialize)]
struct SecretIn<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    secret: Field<'a>,
    #[serde(borrow, default)]
    created_at: Field<'a>,
    #[serde(borrow, default)]
    rotation: Field<'a>,
    #[serde(borrow, default)]
    owned: Field<'a>,
    #[serde(borrow, default)]
    candidates: Shape<CandidateIn<'a>>,
}

#[derive(Deserialize)]
struct CandidateIn<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    created_at: Field<'a>,
}

#[derive(Deserialize)]
struct KeptIn<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    created_at: Field<'a>,
    #[serde(borrow, default)]
    reason: Field<'a>,
    #[serde(borrow, default)]
    candidates: Shape<CandidateIn<'a>>,
}

#[derive(Deserialize)]
struct RotationIn<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    started_ms: Field<'a>,
}

/// Reads a record of version 1 or 2 (as version 2). The caller checks what
/// spans fields (roles, lineage, generation bounds).
pub(crate) fn read(text: &str) -> Result<StoreRecord, ReadError> {
    let parsed = wire::parse::<Shape<RecordIn<'_>>>(text.as_bytes()).map_err(|e| {
        if e.syntax {
            ReadError::Syntax(e.reason)
        } else {
            ReadError::Invalid(e.reason)
        }
    })?;
    let Shape::Object(v) = parsed else {
        return Err(ReadError::NotARecord);
    };
    if v.format.as_str() != Some(RECORD_FORMAT) {
        return Err(ReadError::NotARecord);
    }
    let version = match v.version {
        Field::Uint(n @ (1 | 2)) => n,
        Field::Uint(n) => return Err(ReadError::Version(Some(n))),
        _ => return Err(ReadError::Version(None)),
    };
    record(v, version).map_err(ReadError::Invalid)
}

fn record(v: RecordIn<'_>, version: u64) -> Result<StoreRecord, String> {
    let updated_at_ms = opt_u64(v.updated_at_ms, "updated_at_ms")?;
    let mut kept = objects(v.kept, "kept", MAX_KEPT)?
        .into_iter()
        .map(|k| {
            Ok(KeptSecret {
                id: opt_str(k.id, "id")?,
                created_at: opt_str(k.created_at, "created_at")?,
                candidates: candidates(k.candidates)?,
                reason: opt_str(k.reason, "reason")?.unwrap_or_default(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut rotations = objects(v.rotations, "rotations", MAX_OPEN_ROTATIONS)?
        .into_iter()
        .map(|r| {
            Ok(StartedRotation {
                id: req_str(r.id, "id")?,
                started_ms: opt_u64(r.started_ms, "started_ms")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if version == 1 {
        if opt_bool(v.previous_unidentified, "previous_unidentified")? {
            kept.push(KeptSecret::new(
                None,
                "replaced secret of unknown id (recorded by an older version)",
            ));
        }
        if let Some(intent) = opt_str(v.intent, "intent")? {
            rotations.push(StartedRotation {
                id: intent,
                started_ms: updated_at_ms,
            });
        }
    }
    let pending = match v.pending {
        Shape::Absent | Shape::Null => None,
        Shape::Object(p) => {
            let mut p = secret(p, "pending", version)?;
            // A pending secret is always this store's own creation.
            p.owned = true;
            Some(p)
        }
        _ => return Err("field `pending` must be an object".to_owned()),
    };
    let current = match v.current {
        Shape::Object(c) => secret(c, "current", version)?,
        Shape::Absent => return Err("missing field `current`".to_owned()),
        _ => return Err("field `current` must be an object".to_owned()),
    };
    Ok(StoreRecord {
        format: RECORD_FORMAT.to_owned(),
        version: RECORD_VERSION,
        auth_url: req_str(v.auth_url, "auth_url")?,
        customer_id: req_str(v.customer_id, "customer_id")?,
        client_id: req_str(v.client_id, "client_id")?,
        lineage: req_str(v.lineage, "lineage")?,
        generation: match v.generation {
            Field::Uint(n) => n,
            _ => return Err("field `generation` must be an integer".to_owned()),
        },
        updated_at_ms,
        description: opt_str(v.description, "description")?,
        current,
        pending,
        previous_id: opt_str(v.previous_id, "previous_id")?,
        kept,
        deleting: opt_str(v.deleting, "deleting")?,
        rotations,
    })
}

fn secret(v: SecretIn<'_>, name: &str, version: u64) -> Result<StoredSecret, String> {
    let secret = match v.secret {
        // Moved, not copied, when the text held escapes.
        Field::Str(s) => ClientSecret::new(s.into_owned()),
        _ => return Err(format!("field `{name}.secret` must be a string")),
    };
    let id = opt_str(v.id, "id")?;
    let rotation = opt_str(v.rotation, "rotation")?;
    let owned = if version == 1 {
        // Version 1 kept an id only for secrets it created or was told.
        id.is_some() || rotation.is_some()
    } else {
        opt_bool(v.owned, "owned")?
    };
    Ok(StoredSecret {
        id,
        secret,
        created_at: opt_str(v.created_at, "created_at")?,
        rotation,
        owned,
        candidates: candidates(v.candidates)?,
    })
}

fn candidates(shape: Shape<CandidateIn<'_>>) -> Result<Vec<Candidate>, String> {
    objects(shape, "candidates", MAX_KEPT)?
        .into_iter()
        .map(|c| {
            Ok(Candidate {
                id: req_str(c.id, "id")?,
                created_at: opt_str(c.created_at, "created_at")?,
            })
        })
        .collect()
}

/// The first `limit` objects of an array field (absent or `null`: none).
fn objects<T>(shape: Shape<T>, key: &str, limit: usize) -> Result<Vec<T>, String> {
    match shape {
        Shape::Absent | Shape::Null => Ok(Vec::new()),
        Shape::Array(items) => items
            .into_iter()
            .take(limit)
            .map(|item| item.ok_or_else(|| format!("field `{key}` must hold objects")))
            .collect(),
        _ => Err(format!("field `{key}` must be an array")),
    }
}

fn req_str(field: Field<'_>, key: &str) -> Result<String, String> {
    field
        .into_string()
        .ok_or_else(|| format!("field `{key}` must be a string"))
}

fn opt_str(field: Field<'_>, key: &str) -> Result<Option<String>, String> {
    match field {
        Field::Absent | Field::Null => Ok(None),
        Field::Str(s) => Ok(Some(s.into_owned())),
        _ => Err(format!("field `{key}` must be a string or null")),
    }
}

fn opt_bool(field: Field<'_>, key: &str) -> Result<bool, String> {
    match field {
        Field::Absent | Field::Null => Ok(false),
        Field::Bool(b) => Ok(b),
        _ => Err(format!("field `{key}` must be a boolean")),
    }
}

fn opt_u64(field: Field<'_>, key: &str) -> Result<u64, String> {
    match field {
        Field::Absent | Field::Null => Ok(0),
        Field::Uint(n) => Ok(n),
        _ => Err(format!("field `{key}` must be an integer")),
    }
}

#[derive(Serialize)]
struct RecordOut<'a> {
    format: &'a str,
    version: u32,
    auth_url: &'a str,
    customer_id: &'a str,
    client_id: &'a str,
    lineage: &'a str,
    generation: u64,
    updated_at_ms: u64,
    description: Option<&'a str>,
    previous_id: Option<&'a str>,
    deleting: Option<&'a str>,
    rotations: Vec<RotationOut<'a>>,
    kept: Vec<KeptOut<'a>>,
    current: SecretOut<'a>,
    pending: Option<SecretOut<'a>>,
}

#[derive(Serialize)]
struct SecretOut<'a> {
    id: Option<&'a str>,
    secret: &'a str,
    created_at: Option<&'a str>,
    rotation: Option<&'a str>,
    owned: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    candidates: Vec<CandidateOut<'a>>,
}

#[derive(Serialize)]
struct CandidateOut<'a> {
    id: &'a str,
    created_at: Option<&'a str>,
}

#[derive(Serialize)]
struct KeptOut<'a> {
    id: Option<&'a str>,
    created_at: Option<&'a str>,
    reason: &'a str,
    candidates: Vec<CandidateOut<'a>>,
}

#[derive(Serialize)]
struct RotationOut<'a> {
    id: &'a str,
    started_ms: u64,
}

fn candidates_out(candidates: &[Candidate]) -> Vec<CandidateOut<'_>> {
    candidates
        .iter()
        .map(|c| CandidateOut {
            id: &c.id,
            created_at: c.created_at.as_deref(),
        })
        .collect()
}

fn secret_out(s: &StoredSecret) -> SecretOut<'_> {
    SecretOut {
        id: s.id.as_deref(),
        // EXPOSE: the store record must hold the secret itself to log in later.
        secret: s.secret.expose_secret(),
        created_at: s.created_at.as_deref(),
        rotation: s.rotation.as_deref(),
        owned: s.owned,
        candidates: candidates_out(&s.candidates),
    }
}

/// The record as pretty JSON, ending in a newline. It holds secrets.
pub(crate) fn write(r: &StoreRecord) -> String {
    let out = RecordOut {
        format: &r.format,
        version: r.version,
        auth_url: &r.auth_url,
        customer_id: &r.customer_id,
        client_id: &r.client_id,
        lineage: &r.lineage,
        generation: r.generation,
        updated_at_ms: r.updated_at_ms,
        description: r.description.as_deref(),
        previous_id: r.previous_id.as_deref(),
        deleting: r.deleting.as_deref(),
        rotations: r
            .rotations
            .iter()
            .map(|x| RotationOut {
                id: &x.id,
                started_ms: x.started_ms,
            })
            .collect(),
        kept: r
            .kept
            .iter()
            .map(|k| KeptOut {
                id: k.id.as_deref(),
                created_at: k.created_at.as_deref(),
                reason: &k.reason,
                candidates: candidates_out(&k.candidates),
            })
            .collect(),
        current: secret_out(&r.current),
        pending: r.pending.as_ref().map(secret_out),
    };
    // Sized exactly by a first pass: growing would leave copies of the
    // secrets in freed memory.
    let mut size = ByteCount(0);
    let _ = serde_json::to_writer_pretty(&mut size, &out);
    let mut buf = Vec::with_capacity(size.0 + 1);
    // Only strings, integers and booleans: serialising cannot fail.
    if serde_json::to_writer_pretty(&mut buf, &out).is_err() {
        buf.clear();
    }
    buf.push(b'\n');
    String::from_utf8(buf).unwrap_or_default()
}

/// Counts the bytes written to it (to size a buffer before writing secrets).
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
