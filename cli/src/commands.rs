//! The store-backed subcommands: `init`, `token`, `list`, `create`, `delete`,
//! `rotate` and `claim`. Each loads the store, runs one core flow through the
//! driver and prints the result (human text or `--json`). The demo is in `demo.rs`.

use crate::args::{InitArgs, RotateArgs};
use crate::crash::CrashPoint;
use crate::driver::{Event, drive};
use crate::output::{Out, candidates_json, candidates_text, report_json};
use crate::transport::Transport;
use mapsindoors_auth::{
    ApiCall, ApiOutput, ClientSecret, Config, Error, Operation, PropagationPolicy, RetryPolicy,
    RotateOptions, Rotation, RotationReport, Seed, SeedOptions, Seeded, StoreErrorKind,
    StoreRecord, TokenFlow,
};
use mapsindoors_auth_store::FileStore;
use serde_json::json;
use std::io::Read;
use zeroize::Zeroize;

/// The environment variable `init` reads the secret from.
pub(crate) const SECRET_ENV: &str = "MAPSINDOORS_CLIENT_SECRET";

/// Fresh bytes from the OS CSPRNG.
pub(crate) fn random_bytes() -> Result<[u8; 8], Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| Error::InvalidInput {
        field: "random".into(),
        reason: format!("no OS randomness: {e}"),
    })?;
    Ok(bytes)
}

fn read_secret() -> Result<ClientSecret, Error> {
    if let Ok(mut value) = std::env::var(SECRET_ENV) {
        tracing::debug!("reading the client secret from {SECRET_ENV}");
        let secret = ClientSecret::new(value.trim());
        value.zeroize();
        return Ok(secret);
    }
    tracing::debug!("reading the client secret from stdin");
    let mut text = String::new();
    std::io::stdin()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| Error::InvalidInput {
            field: "client_secret".into(),
            reason: format!("cannot read stdin: {e}"),
        })?;
    let secret = ClientSecret::new(text.lines().next().unwrap_or_default().trim());
    text.zeroize();
    if secret.is_empty() {
        return Err(Error::InvalidInput {
            field: "client_secret".into(),
            reason: format!("none given: set {SECRET_ENV} or pipe the secret on stdin"),
        });
    }
    Ok(secret)
}

/// Seeds `store` through the core's `Seed` flow: log in with the secret, list
/// the client's secrets, save generation 1 (the file must not exist) before
/// any remote change.
pub(crate) fn seed(
    store: &FileStore,
    transport: &Transport,
    config: &Config,
    client_id: &str,
    secret: ClientSecret,
    options: SeedOptions,
    observer: &mut dyn FnMut(&Event<'_>),
) -> Result<Seeded, Error> {
    let mut flow = Seed::new(config, client_id, secret, options, random_bytes()?)?;
    drive(&mut flow, transport, Some(store), observer)
}

/// What the store knows about the secret handed in, and what a rotation will
/// do with it, in one sentence.
fn seeded_advice(record: &StoreRecord) -> String {
    let current = &record.current;
    match (&current.id, current.candidates.as_slice()) {
        (Some(id), _) if current.owned => format!(
            "secret {id} is claimed as this store's own: the first rotation deletes it once replaced"
        ),
        (Some(id), _) => format!(
            "identified the secret handed in as {id} (the client's only secret). It is kept (never deleted) after rotations, as another job or installation may use it. If nothing else uses it, claim it: `mapsindoors-auth claim {id}` (the next rotation then deletes it)"
        ),
        (None, []) => format!(
            "the server lists no secret for client {}: the secret handed in is of unknown id and is kept (never deleted) after rotations; delete it by hand once nothing uses it",
            record.client_id
        ),
        (None, candidates) => format!(
            "the client has {} secrets; the one handed in is one of: {}. It is kept (never deleted) after rotations. If nothing else uses it, claim the right one: `mapsindoors-auth claim ID` (or init with --secret-id ID)",
            candidates.len(),
            candidates_text(candidates)
        ),
    }
}

/// `init`: seeds a new store (mode 0600); never overwrites one.
pub(crate) fn init(
    store: &FileStore,
    transport: &Transport,
    args: &InitArgs,
    out: &Out,
) -> Result<(), Error> {
    let config = Config::new(&args.auth_url)?.with_customer_id(&args.customer_id)?;
    // Refuse before any request; the seed's own save refuses a store created meanwhile.
    if std::fs::symlink_metadata(store.path()).is_ok() {
        return Err(Error::store(
            StoreErrorKind::Io,
            format!(
                "a store already exists at {}; it was left untouched",
                store.path().display()
            ),
        ));
    }
    let secret = read_secret()?;
    let options = SeedOptions {
        secret_id: args.secret_id.clone(),
        claim: args.claim,
        description: args.description.clone().filter(|d| !d.trim().is_empty()),
        retry: RetryPolicy::default(),
    };
    let seeded = seed(
        store,
        transport,
        &config,
        &args.client_id,
        secret,
        options,
        &mut log_event,
    )?;
    let record = &seeded.record;
    let lineage = &record.lineage;
    tracing::info!(store = %store.path().display(), %lineage, "store created");
    let advice = seeded_advice(record);
    out.value(
        &json!({
            "store": store.path(),
            "lineage": lineage,
            "generation": record.generation,
            "client_id": record.client_id,
            "secret_id": record.current.id,
            "owned": record.current.owned,
            "candidates": candidates_json(&record.current.candidates),
            "advice": advice,
        }),
        || {
            format!(
                "created {} (client {}, lineage {lineage})\n{advice}",
                store.path().display(),
                record.client_id
            )
        },
    )
}

/// `claim ID`: under the store lock, claims a kept secret (or the current
/// one) as the store's own and saves the next generation (compare-and-swap).
pub(crate) fn claim(store: &FileStore, id: &str, out: &Out) -> Result<(), Error> {
    let _lock = store.lock()?;
    let record = store.load()?;
    let next = record.claim(id, crate::driver::now_ms())?;
    store.save(&next)?;
    tracing::info!(generation = next.generation, id, "claimed");
    let what = if next.previous_id.as_deref() == Some(id) {
        format!("the next rotation deletes secret {id} (run `mapsindoors-auth rotate`)")
    } else {
        format!(
            "secret {id} is the current secret, now this store's own: the next rotation replaces it, then deletes it"
        )
    };
    out.value(
        &json!({"claimed": id, "generation": next.generation, "next_rotation": what}),
        || format!("claimed {id} as this store's own; {what}"),
    )
}

fn log_event(event: &Event<'_>) {
    match event {
        Event::Persisted { save, record } => tracing::info!(
            generation = record.generation,
            why = save.name(),
            deleting = record.deleting.as_deref(),
            "{}",
            save.label()
        ),
        Event::Received { call, response, .. } => tracing::info!(
            status = response.as_ref().ok().map(|r| r.status),
            "{}",
            call.label()
        ),
        Event::Sleeping(_) => {}
    }
}

/// `token`: prints an access token for the store's current secret.
pub(crate) fn token(store: &FileStore, transport: &Transport, out: &Out) -> Result<(), Error> {
    let record = store.load()?;
    let mut flow = TokenFlow::new(
        &record.config()?,
        &record.current_credentials()?,
        RetryPolicy::default(),
    );
    let token = drive(&mut flow, transport, None, &mut log_event)?;
    // EXPOSE: printing the token on stdout is what this command is for.
    let access = token.access_token.expose_secret();
    out.value(&json!({"access_token": access, "token_type": token.token_type, "expires_in": token.expires_in}), || {
        access.to_owned()
    })
}

/// `list`, `create` and `delete`: one call to the secrets endpoint.
pub(crate) fn call(
    store: &FileStore,
    transport: &Transport,
    operation: Operation,
    out: &Out,
) -> Result<(), Error> {
    let record = store.load()?;
    if let Operation::Delete { id } = &operation {
        if record.in_use(id) {
            return Err(Error::InvalidInput {
                field: "id".to_owned(),
                reason: "that is the store's current or pending secret: deleting it would lock the store out (rotate first)".to_owned(),
            });
        }
    }
    let mut flow = ApiCall::new(
        &record.config()?,
        &record.current_credentials()?,
        RetryPolicy::default(),
        operation,
        None,
    );
    let output = drive(&mut flow, transport, None, &mut log_event)?;
    match output.value {
        ApiOutput::Listed(secrets) => {
            let rows: Vec<_> = secrets
                .iter()
                .map(|s| json!({"id": s.id, "description": s.description, "client_id": s.client_id, "created_at": s.created_at.to_rfc3339()}))
                .collect();
            out.value(&json!(rows), || {
                secrets
                    .iter()
                    .map(|s| {
                        format!(
                            "{}  {}  {}  {}",
                            s.id,
                            s.created_at.to_rfc3339(),
                            s.client_id.as_deref().unwrap_or("-"),
                            s.description.as_deref().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
        }
        ApiOutput::Created(created) => {
            // EXPOSE: `create` shows the new secret once, on stdout, by design.
            let secret = created.secret.expose_secret();
            out.value(
                &json!({"id": created.id, "description": created.description, "created_at": created.created_at.to_rfc3339(), "secret": secret}),
                || format!("id:     {}\nsecret: {secret}\n(shown once: store it now; the server keeps no copy)", created.id),
            )
        }
        ApiOutput::Deleted => out.value(&json!({"deleted": true}), || "deleted".to_owned()),
        _ => Ok(()),
    }
}

/// `rotate`: holds the store lock (an optimisation), loads the record under it,
/// runs the rotation; every save is a compare-and-swap.
pub(crate) fn rotate(
    store: &FileStore,
    transport: &Transport,
    args: &RotateArgs,
    out: &Out,
) -> Result<(), Error> {
    let report = run_rotation(store, transport, args, out)?;
    out.value(&report_json(&report), || {
        crate::output::report_text(&report)
    })
}

/// `token --rotate`: rotation at every login. Rotates like `rotate`, then prints
/// the token the verify step got from the new secret (no extra round trip).
pub(crate) fn token_rotating(
    store: &FileStore,
    transport: &Transport,
    args: &RotateArgs,
    out: &Out,
) -> Result<(), Error> {
    let report = run_rotation(store, transport, args, out)?;
    tracing::info!(round_trips = report.round_trips, "rotated at login");
    let Some(token) = &report.token else {
        return Err(Error::InvalidInput {
            field: "token".into(),
            reason: "the rotation ended without a token from the current secret".into(),
        });
    };
    // EXPOSE: printing the token on stdout is what this command is for.
    let access = token.access_token.expose_secret();
    out.value(
        &json!({"access_token": access, "token_type": token.token_type, "expires_in": token.expires_in,
                "rotation": report_json(&report)}),
        || access.to_owned(),
    )
}

/// Locks the store, loads the record under the lock and drives a rotation;
/// on failure prints the partial report and returns the error. The lock only
/// spares a second process wasted work: safety rests on the compare-and-swap
/// saves (a stale run fails its fence before it deletes anything).
fn run_rotation(
    store: &FileStore,
    transport: &Transport,
    args: &RotateArgs,
    out: &Out,
) -> Result<RotationReport, Error> {
    let crash = CrashPoint::from_env().map_err(|reason| Error::InvalidInput {
        field: crate::crash::ENV.into(),
        reason,
    })?;
    let _lock = store.lock()?;
    tracing::debug!("store locked");
    let record = store.load()?;
    let options = RotateOptions {
        description: args.description.clone(),
        retry: RetryPolicy {
            max_attempts: args.attempts.max(1),
            ..RetryPolicy::default()
        },
        propagation: PropagationPolicy {
            max_wait_ms: args.propagation_max_ms,
            ..PropagationPolicy::default()
        },
    };
    let mut rotation = Rotation::new(record, options, None, random_bytes()?)?;
    let result = drive(&mut rotation, transport, Some(store), &mut |event| {
        log_event(event);
        if let Some(point) = crash {
            point.observe(event);
        }
    });
    if result.is_err() {
        out.partial(&report_json(rotation.report()));
    }
    result
}
