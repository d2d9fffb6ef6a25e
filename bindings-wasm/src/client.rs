//! `Client`: the JS entry point. It reads options, keeps a token cache with
//! single-flight refresh (one fetch, the rest await a shared Promise), and
//! drives the core flows; every method returns a Promise.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use mapsindoors_auth::record::random_id;
use mapsindoors_auth::{
    ApiCall, ApiOutput, Config, Credentials, Error, Lookup, Operation, RetryPolicy, RotateOptions,
    Rotation, RotationReport, StoreRecord, Token, TokenCache, TokenFlow,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::drive::drive;
use crate::errors::{invalid_input, to_js};
use crate::options::{client_settings, optional_string};
use crate::platform::{now_ms, random_bytes, sleep};
use crate::store::JsStore;
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
    /// is finished by the next). An empty store is seeded with this client's
    /// own client secret. A client whose secret was rotated switches to the new one.
    #[wasm_bindgen(unchecked_return_type = "Promise<RotationReport>")]
    pub fn rotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RotateOptions")] options: JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        promise(async move { rotate(&inner, &options).await.map(|(r, _)| report(&r)) })
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
            let (report, record) = rotate(&inner, &options).await?;
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

/// Runs a rotation over the caller's store; gives the report and the final record.
async fn rotate(inner: &Shared, options: &JsValue) -> Result<(RotationReport, StoreRecord), Error> {
    if !options.is_object() {
        return Err(invalid_input("options", "must be an object with a `store`"));
    }
    let store = JsStore::new(Reflect::get(options, &"store".into()).unwrap_or(JsValue::UNDEFINED))?;
    let description = optional_string(options, "description")?;
    let record = match store.load().await? {
        Some(r) => r,
        None => seed(&inner.borrow())?,
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
        description,
        retry: policy,
        ..RotateOptions::default()
    };
    let before = record.clone();
    let mut rotation = Rotation::new(record, options, cached, random_bytes::<8>()?)?;
    let result = drive(&mut rotation, &transport, Some(&store)).await;
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

/// Whether `record` is this client's own line of secrets.
fn owns(i: &Inner, record: &StoreRecord) -> bool {
    i.credentials.client_id() == record.client_id
        && i.config.customer_id() == Some(record.customer_id.as_str())
        && i.config.base_url().trim_end_matches('/') == record.auth_url.trim_end_matches('/')
}

/// A first record from this client's own client secret.
fn seed(i: &Inner) -> Result<StoreRecord, Error> {
    let lineage = random_id("l-", &random_bytes::<8>()?);
    StoreRecord::from_credentials(&i.config, &i.credentials, &lineage)
}
