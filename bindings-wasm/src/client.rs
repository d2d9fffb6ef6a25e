//! `Client`: the JS entry point. It reads options, keeps a token cache with
//! single-flight refresh (one fetch, the rest await a shared Promise), and
//! drives the core flows (seed, rotation, claim) over the caller's
//! compare-and-swap store, under a Web Lock where the host has one; every
//! method returns a Promise.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use mapsindoors_auth::{
    ApiCall, ApiOutput, Config, Credentials, Error, Lookup, Operation, RetryPolicy, RotateOptions,
    Rotation, RotationReport, Seed, SeedOptions, StoreErrorKind, StoreRecord, Token, TokenCache,
    TokenFlow,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::drive::drive;
use crate::errors::{invalid_input, to_js};
use crate::lock::with_lock;
use crate::options::{StoreSettings, client_settings, optional_string, required_string};
use crate::platform::{now_ms, random_bytes, sleep};
use crate::record::JsStoreRecord;
use crate::transport::Transport;
use crate::values::{JsCreatedSecret, JsToken, report, secret_list};

struct Inner {
    config: Config,
    credentials: Credentials,
    policy: RetryPolicy,
    transport: Transport,
    cache: TokenCache,
    /// Resolved when the fetch in flight ends, for callers told to `Wait`.
    waiter: Option<(Promise, Function)>,
}

type Shared = Rc<RefCell<Inner>>;

/// A client for the MapsIndoors auth API: tokens, client secrets, rotation.
#[wasm_bindgen]
pub struct Client {
    inner: Shared,
}

#[wasm_bindgen]
impl Client {
    /// A client. Throws an `InvalidInputError` for unusable options; sends nothing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: &JsValue,
    ) -> Result<Client, JsValue> {
        let s = client_settings(options).map_err(|e| to_js(&e))?;
        let inner = Inner {
            config: s.config,
            credentials: s.credentials,
            policy: s.policy,
            transport: s.transport,
            cache: TokenCache::new(),
            waiter: None,
        };
        Ok(Client {
            inner: Rc::new(RefCell::new(inner)),
        })
    }

    /// An access token: the cached one while fresh, else a new login.
    /// Concurrent calls share one login.
    #[wasm_bindgen(unchecked_return_type = "Promise<Token>")]
    pub fn token(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move { token(&inner).await.map(|inner| JsToken { inner }.into()) })
    }

    /// The customer's client secrets (never their values).
    #[wasm_bindgen(js_name = listSecrets, unchecked_return_type = "Promise<SecretInfo[]>")]
    pub fn list_secrets(&self) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            match call(&inner, Operation::List).await? {
                ApiOutput::Listed(list) => Ok(secret_list(&list)),
                _ => Err(invalid_input("operation", "unexpected output")),
            }
        })
    }

    /// Creates a secret. Its value is in the result, this once.
    #[wasm_bindgen(js_name = createSecret, unchecked_return_type = "Promise<CreatedSecret>")]
    pub fn create_secret(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateSecretOptions")] options: Option<JsValue>,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let description = match options.filter(JsValue::is_object) {
                Some(o) => optional_string(&o, "description")?,
                None => None,
            };
            match call(&inner, Operation::Create { description }).await? {
                ApiOutput::Created(inner) => Ok(JsCreatedSecret { inner }.into()),
                _ => Err(invalid_input("operation", "unexpected output")),
            }
        })
    }

    /// Deletes a secret by id.
    #[wasm_bindgen(js_name = deleteSecret, unchecked_return_type = "Promise<void>")]
    pub fn delete_secret(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let id = id
                .as_string()
                .ok_or_else(|| invalid_input("id", "must be a string"))?;
            call(&inner, Operation::Delete { id })
                .await
                .map(|_| JsValue::UNDEFINED)
        })
    }

    /// Rotates the secret kept in `store` (crash-safe: an interrupted rotation
    /// is finished by the next). Every save is a compare-and-swap
    /// (`save(record, expectedGeneration)`); a `StoreConflictError` means
    /// another run changed the store meanwhile: run again. An empty store is
    /// first seeded with this client's own client secret (see `seed`). A
    /// client whose secret was rotated switches to the new one.
    #[wasm_bindgen(unchecked_return_type = "Promise<RotationReport>")]
    pub fn rotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RotateOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move { rotate(inner, &options).await.map(|(r, _)| report(&r)) })
    }

    /// Rotates, then gives a token of the store's new secret: "rotate at
    /// every login" in one call.
    #[wasm_bindgen(js_name = loginAndRotate, unchecked_return_type = "Promise<Token>")]
    pub fn login_and_rotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RotateOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let (report, record) = rotate(inner.clone(), &options).await?;
            let token = match report.token {
                Some(t) => t,
                None => {
                    let (config, transport, policy) = {
                        let i = inner.borrow();
                        (record.config()?, i.transport.clone(), i.policy)
                    };
                    let mut flow = TokenFlow::new(&config, &record.current_credentials()?, policy);
                    drive(&mut flow, &transport, None).await?
                }
            };
            Ok(JsToken { inner: token }.into())
        })
    }

    /// Seeds an empty `store` with this client's own client secret (the
    /// core's seed flow): logs in, lists the client's secrets to identify
    /// it, and saves generation 1 (`save(record, 0)`) before any remote
    /// change. `secretId` names (and claims) it; `claim: true` claims the
    /// client's only secret. An unclaimed secret is never deleted by a
    /// rotation: it is reported as kept. Rejects with a `StoreConflictError`
    /// when the store holds a record already.
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreRecord>")]
    pub fn seed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SeedStoreOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let settings = StoreSettings::read(&options)?;
            let name = lock_name(&inner, &settings).await?;
            let work = async move {
                if let Some(held) = settings.store.load().await? {
                    return Err(Error::store(
                        StoreErrorKind::Conflict,
                        format!(
                            "the store holds a record already (generation {}); not seeded",
                            held.generation
                        ),
                    ));
                }
                seed(&inner, &settings).await
            };
            let record = with_lock(name, work).await?;
            Ok(JsStoreRecord { inner: record }.into())
        })
    }

    /// Claims secret `id` as the store's own and saves that with a
    /// compare-and-swap: a kept secret (the next `rotate` deletes it), or
    /// the current secret or one of its candidates (deleted once a rotation
    /// replaces it). Claim only a secret nothing else uses. Sends nothing;
    /// gives the record saved.
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreRecord>")]
    pub fn claim(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ClaimOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move {
            let settings = StoreSettings::read(&options)?;
            let id = required_string(&options, "id")?;
            let name = lock_name(&inner, &settings).await?;
            let work = async move {
                let Some(record) = settings.store.load().await? else {
                    return Err(Error::store(
                        StoreErrorKind::Missing,
                        "the store is empty: nothing to claim",
                    ));
                };
                let claimed = record.claim(&id, now_ms())?;
                settings
                    .store
                    .save(claimed.clone(), record.generation)
                    .await?;
                Ok(claimed)
            };
            let record = with_lock(name, work).await?;
            Ok(JsStoreRecord { inner: record }.into())
        })
    }

    /// `Client(url, customer, client id)`; never a secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        let i = self.inner.borrow();
        format!(
            "Client({}, customer {}, client {}, [redacted])",
            i.config.base_url(),
            i.config.customer_id().unwrap_or("-"),
            i.credentials.client_id()
        )
    }

    /// The same as `toString()`, for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.to_string_js()
    }
}

fn promise(f: impl Future<Output = Result<JsValue, Error>> + 'static) -> Promise {
    future_to_promise(async move { f.await.map_err(|e| to_js(&e)) })
}

/// A token through the cache, with single flight.
async fn token(inner: &Shared) -> Result<Token, Error> {
    loop {
        let lookup = inner.borrow_mut().cache.lookup(now_ms());
        match lookup {
            Lookup::Hit(t) => return Ok(t),
            Lookup::Wait => {
                let waiter = inner.borrow().waiter.as_ref().map(|(p, _)| p.clone());
                match waiter {
                    Some(p) => {
                        let _ = JsFuture::from(p).await;
                    }
                    None => sleep(10).await,
                }
            }
            Lookup::Fetch(ticket) => {
                let mut resolve = None;
                let shared = Promise::new(&mut |res, _rej| resolve = Some(res));
                let (mut flow, transport) = {
                    let mut i = inner.borrow_mut();
                    if let Some(r) = &resolve {
                        i.waiter = Some((shared, r.clone()));
                    }
                    (
                        TokenFlow::new(&i.config, &i.credentials, i.policy),
                        i.transport.clone(),
                    )
                };
                let result = drive(&mut flow, &transport, None).await;
                {
                    let mut i = inner.borrow_mut();
                    let _ = i
                        .cache
                        .complete(ticket, result.as_ref().ok().cloned(), now_ms());
                    i.waiter = None;
                }
                if let Some(r) = resolve {
                    let _ = r.call0(&JsValue::NULL);
                }
                return result;
            }
        }
    }
}

/// A secrets-endpoint call with a cached (or freshly fetched) token.
async fn call(inner: &Shared, operation: Operation) -> Result<ApiOutput, Error> {
    // Refuse bad input before any request, the token fetch included.
    ApiCall::check(&inner.borrow().config, &operation)?;
    let token = token(inner).await?;
    let (mut call, transport) = {
        let i = inner.borrow();
        let access = token.access_token.clone();
        (
            ApiCall::new(&i.config, &i.credentials, i.policy, operation, Some(access)),
            i.transport.clone(),
        )
    };
    let result = drive(&mut call, &transport, None).await;
    let mut i = inner.borrow_mut();
    match result {
        Ok(out) => {
            if let Some(t) = out.new_token {
                i.cache.insert(t, now_ms());
            }
            Ok(out.value)
        }
        Err(e) => {
            if matches!(e, Error::Unauthorized { .. }) {
                i.cache.invalidate(&token.access_token);
            }
            Err(e)
        }
    }
}

/// Runs a rotation over the caller's store (under its Web Lock, if any);
/// gives the report and the final record.
async fn rotate(inner: Shared, options: &JsValue) -> Result<(RotationReport, StoreRecord), Error> {
    let settings = StoreSettings::read(options)?;
    let name = lock_name(&inner, &settings).await?;
    with_lock(name, rotate_locked(inner, settings)).await
}

async fn rotate_locked(
    inner: Shared,
    settings: StoreSettings,
) -> Result<(RotationReport, StoreRecord), Error> {
    let store = &settings.store;
    let record = match store.load().await? {
        Some(r) => r,
        None => seed(&inner, &settings).await?,
    };
    let (cached, transport, policy) = {
        let i = inner.borrow();
        let own = owns(&i, &record)
            && matches!(&i.credentials, Credentials::Client { secret, .. } if *secret == record.current.secret);
        (
            if own {
                i.cache.fresh(now_ms()).cloned()
            } else {
                None
            },
            i.transport.clone(),
            i.policy,
        )
    };
    let options = RotateOptions {
        description: settings.description.clone(),
        retry: policy,
        ..RotateOptions::default()
    };
    let before = record.clone();
    let mut rotation = Rotation::new(record, options, cached, random_bytes::<8>()?)?;
    let result = drive(&mut rotation, &transport, Some(store)).await;
    let last = rotation.record().clone();
    {
        let mut i = inner.borrow_mut();
        // Which secret this client logs in with from now on is the core's call.
        if let Some(next) = i
            .credentials
            .after_rotation(&before, &last)
            .filter(|_| owns(&i, &last))
        {
            i.credentials = next;
            i.cache.clear();
        }
        let current = last.current_credentials().is_ok_and(|c| c == i.credentials);
        if let (true, Ok(r)) = (current && owns(&i, &last), &result) {
            if let Some(t) = r.token.clone() {
                i.cache.insert(t, now_ms());
            }
        }
    }
    result.map(|r| (r, last))
}

/// The Web Lock to hold, if any: the caller's `lockName`, else one named
/// after the store's record (its server, customer and client), or after this
/// client for an empty store. `None` when locking is off or unavailable.
async fn lock_name(inner: &Shared, settings: &StoreSettings) -> Result<Option<String>, Error> {
    if !settings.lock || !crate::lock::available() {
        return Ok(None);
    }
    if let Some(name) = &settings.lock_name {
        return Ok(Some(name.clone()));
    }
    let (url, customer, client) = match settings.store.load().await? {
        Some(r) => (r.auth_url, r.customer_id, r.client_id),
        None => {
            let i = inner.borrow();
            (
                i.config.base_url().trim_end_matches('/').to_owned(),
                i.config.customer_id().unwrap_or("-").to_owned(),
                i.credentials.client_id().to_owned(),
            )
        }
    };
    Ok(Some(format!("mapsindoors-auth {url} {customer} {client}")))
}

/// Whether `record` is this client's own line of secrets.
fn owns(i: &Inner, record: &StoreRecord) -> bool {
    i.credentials.client_id() == record.client_id
        && i.config.customer_id() == Some(record.customer_id.as_str())
        && i.config.base_url().trim_end_matches('/') == record.auth_url.trim_end_matches('/')
}

/// Seeds the (empty) store through the core's seed flow with this client's
/// own client secret; keeps the seed's token. Gives the record saved.
async fn seed(inner: &Shared, settings: &StoreSettings) -> Result<StoreRecord, Error> {
    let (mut flow, transport) = {
        let i = inner.borrow();
        let Credentials::Client { client_id, secret } = &i.credentials else {
            return Err(invalid_input(
                "store",
                "the store is empty: seed it with a client signed in with its client id and secret, or save a StoreRecord in it",
            ));
        };
        let options = SeedOptions {
            secret_id: settings.secret_id.clone(),
            claim: settings.claim,
            description: settings.description.clone(),
            retry: i.policy,
        };
        let flow = Seed::new(
            &i.config,
            client_id,
            secret.clone(),
            options,
            random_bytes::<8>()?,
        )?;
        (flow, i.transport.clone())
    };
    let seeded = drive(&mut flow, &transport, Some(&settings.store)).await?;
    inner.borrow_mut().cache.insert(seeded.token, now_ms());
    Ok(seeded.record)
}
