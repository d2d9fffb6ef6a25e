//! `Client`: the JS entry point. A thin holder of a core [`Session`] (which
//! makes every protocol decision: token cache and single flight, re-login
//! after a 401, seeding, which secret to use after a rotation) plus the JS
//! host ([`Platform`]) and, optionally, a store. Each method runs one core
//! task through the one drive loop and returns a Promise.

use std::pin::Pin;
use std::rc::Rc;

use js_sys::Promise;
use mapsindoors_auth::{Error, Operation, Outcome, SeedOptions, Session, StoreErrorKind, Task};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use crate::drive::drive;
use crate::errors::{invalid_input, to_js};
use crate::lock::with_lock;
use crate::options::{
    StoreOptions, login, optional_bool, optional_string, required_string, settings,
};
use crate::platform::Platform;
use crate::record::JsStoreRecord;
use crate::store::JsStore;
use crate::values::{JsCreatedSecret, JsToken, report, secret_list};

/// A client for the MapsIndoors auth API: tokens, client secrets, rotation.
#[wasm_bindgen]
pub struct Client {
    session: Session,
    host: Rc<Platform>,
    store: Option<JsStore>,
}

/// Builds a method's task from the session when its job starts (with the
/// host's randomness). Boxed, like [`Job`], so the drive loop is compiled
/// once, not per method.
type Make = Box<dyn FnOnce(&Session, &Platform) -> Result<Task, Error>>;

/// A method's work, resolved by the one drive loop.
type Job<T> = Pin<Box<dyn Future<Output = Result<T, Error>>>>;

#[wasm_bindgen]
impl Client {
    /// A client. Throws an `InvalidInputError` for unusable options; sends nothing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: &JsValue,
    ) -> Result<Client, JsValue> {
        let build = || {
            let (settings, host) = settings(options)?;
            let (config, credentials) = login(options)?;
            let store = StoreOptions::read(options)?.store;
            let session = Session::new(config, credentials, settings)?;
            Ok(Client {
                session,
                host: Rc::new(host),
                store,
            })
        };
        build().map_err(|e: Error| to_js(&e))
    }

    /// A client that logs in with the secret `store` holds, at its server
    /// and customer, and rotates that store by default. Rejects with a
    /// `StoreError` (`storeKind: "missing"`) for an empty store.
    #[wasm_bindgen(js_name = fromStore, unchecked_return_type = "Promise<Client>")]
    pub fn from_store(
        #[wasm_bindgen(unchecked_param_type = "FromStoreOptions")] options: JsValue,
    ) -> Promise {
        promise(Box::pin(async move {
            let (settings, host) = settings(&options)?;
            let store = StoreOptions::read(&options)?
                .store
                .ok_or_else(|| invalid_input("store", "is required"))?;
            let Some(record) = store.load().await? else {
                return Err(Error::store(
                    StoreErrorKind::Missing,
                    "the store is empty: build the client with credentials and seed it",
                ));
            };
            let session = Session::from_record(&record, settings)?;
            Ok(Client {
                session,
                host: Rc::new(host),
                store: Some(store),
            }
            .into())
        }))
    }

    /// An access token: the cached one while fresh, else a new login.
    /// Concurrent calls share one login.
    #[wasm_bindgen(unchecked_return_type = "Promise<Token>")]
    pub fn token(&self) -> Promise {
        promise(self.job(Box::new(|s, _| Ok(s.token())), None))
    }

    /// The customer's client secrets (never their values).
    #[wasm_bindgen(js_name = listSecrets, unchecked_return_type = "Promise<SecretInfo[]>")]
    pub fn list_secrets(&self) -> Promise {
        promise(self.job(Box::new(|s, _| Ok(s.call(Operation::List))), None))
    }

    /// Creates a secret. Its value is in the result, this once. `clientId`
    /// names the client it is for (needed when signed in as a user).
    #[wasm_bindgen(js_name = createSecret, unchecked_return_type = "Promise<CreatedSecret>")]
    pub fn create_secret(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CreateSecretOptions")] options: Option<JsValue>,
    ) -> Promise {
        let make = move |s: &Session, _: &Platform| {
            let o = options.unwrap_or_default();
            Ok(s.call(Operation::Create {
                description: optional_string(&o, "description")?,
                client_id: optional_string(&o, "clientId")?,
            }))
        };
        promise(self.job(Box::new(make), None))
    }

    /// Deletes a secret by id.
    #[wasm_bindgen(js_name = deleteSecret, unchecked_return_type = "Promise<void>")]
    pub fn delete_secret(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Promise {
        let make = move |s: &Session, _: &Platform| {
            let id = id
                .as_string()
                .ok_or_else(|| invalid_input("id", "must be a string"))?;
            Ok(s.call(Operation::Delete { id }))
        };
        promise(self.job(Box::new(make), None))
    }

    /// Rotates the secret kept in the store (the call's `store`, else the
    /// client's): crash-safe, an interrupted rotation is finished by the
    /// next. Every save is a compare-and-swap
    /// (`save(record, expectedGeneration)`); a `StoreConflictError` means
    /// another run changed the store meanwhile: run again. An empty store is
    /// seeded first with this client's own client secret, unclaimed (see
    /// `seed`). A client whose secret was rotated switches to the new one.
    #[wasm_bindgen(unchecked_return_type = "Promise<RotationReport>")]
    pub fn rotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoreOptions")] options: Option<JsValue>,
    ) -> Promise {
        let make = |s: &Session, host: &Platform| Ok(s.rotate(host.random()?));
        promise(self.job(Box::new(make), Some(options.unwrap_or_default())))
    }

    /// Rotates, then gives this client's token (of the new secret, once the
    /// client switched to it): "rotate at every login" in one call.
    #[wasm_bindgen(js_name = loginAndRotate, unchecked_return_type = "Promise<Token>")]
    pub fn login_and_rotate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "StoreOptions")] options: Option<JsValue>,
    ) -> Promise {
        let rotation = self.job(
            Box::new(|s, host| Ok(s.rotate(host.random()?))),
            Some(options.unwrap_or_default()),
        );
        let login = self.job(Box::new(|s, _| Ok(s.token())), None);
        promise(Box::pin(async move {
            rotation.await?;
            login.await
        }))
    }

    /// Seeds an empty store with this client's own client secret (the
    /// core's seed flow): logs in, lists the client's secrets to identify
    /// it, and saves generation 1 (`save(record, 0)`) before any remote
    /// change. `secretId` names (and claims) it; `claim: true` claims the
    /// client's only secret. An unclaimed secret is never deleted by a
    /// rotation: it is reported as kept. A store that holds a record is
    /// left as it is; its record is the result.
    #[wasm_bindgen(unchecked_return_type = "Promise<StoreRecord>")]
    pub fn seed(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SeedStoreOptions")] options: Option<JsValue>,
    ) -> Promise {
        let options = options.unwrap_or_default();
        let read = options.clone();
        let make = move |s: &Session, host: &Platform| {
            let seed = SeedOptions {
                secret_id: optional_string(&read, "secretId")?,
                claim: optional_bool(&read, "claim")?.unwrap_or(false),
                ..SeedOptions::default()
            };
            Ok(s.seed(seed, host.random()?))
        };
        promise(self.job(Box::new(make), Some(options)))
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
        let read = options.clone();
        let make = move |s: &Session, _: &Platform| Ok(s.claim(&required_string(&read, "id")?));
        promise(self.job(Box::new(make), Some(options)))
    }

    /// `Client(client X at URL, customer C, [redacted])`; never a secret.
    #[wasm_bindgen(js_name = toString)]
    pub fn to_string_js(&self) -> String {
        format!("Client({}, [redacted])", self.session)
    }

    /// The same as `toString()`, for `JSON.stringify`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.to_string_js()
    }
}

impl Client {
    /// The task `make` builds (when awaited, so its errors are the job's),
    /// run through the drive loop, giving the method's JS result. With store
    /// `options`, the task gets the store and runs under its Web Lock, where
    /// the host has one.
    fn job(&self, make: Make, options: Option<JsValue>) -> Job<JsValue> {
        let host = self.host.clone();
        let (own, session) = (self.store.clone(), self.session.clone());
        Box::pin(async move {
            let (store, lock) = match options {
                None => (None, None),
                Some(options) => {
                    let o = StoreOptions::read(&options)?;
                    let store = o.store.or(own).ok_or_else(|| {
                        invalid_input("store", "is required (or build the client with one)")
                    })?;
                    let lock = o
                        .lock
                        .then(|| o.lock_name.unwrap_or_else(|| lock_name(&session)));
                    (Some(store), lock)
                }
            };
            let mut task = make(&session, &host)?;
            let run = async move { drive(&mut task, &host, store.as_ref()).await };
            with_lock(lock, run).await.map(outcome)
        })
    }
}

/// The default Web Lock: one per server, customer and client.
fn lock_name(session: &Session) -> String {
    let config = session.config();
    format!(
        "mapsindoors-auth {} {} {}",
        config.base_url().trim_end_matches('/'),
        config.customer_id().unwrap_or("-"),
        session.client_id()
    )
}

/// A task's outcome as the JS value its method resolves with.
fn outcome(outcome: Outcome) -> JsValue {
    match outcome {
        Outcome::Token(inner) => JsToken { inner }.into(),
        Outcome::Listed(list) => secret_list(&list),
        Outcome::Created(inner) => JsCreatedSecret { inner }.into(),
        Outcome::Rotated(r) => report(&r),
        Outcome::Record(inner) => JsStoreRecord { inner }.into(),
        // `Deleted`: the Promise resolves with nothing.
        _ => JsValue::UNDEFINED,
    }
}

fn promise(f: Job<JsValue>) -> Promise {
    future_to_promise(async move { f.await.map_err(|e| to_js(&e)) })
}
