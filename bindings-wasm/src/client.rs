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
use crate::options::Options;
use crate::platform::Platform;
use crate::record::JsStoreRecord;
use crate::store::JsStore;
use crate::values::{JsCreatedSecret, JsToken, report, secret_list, status};

/// A client for the MapsIndoors auth API: tokens, client secrets, rotation.
#[wasm_bindgen]
pub struct Client {
    session: Session,
    host: Rc<Platform>,
    store: Option<JsStore>,
}

/// Builds a method's task from the session when its job starts (with the
/// host's randomness and the call's options). Boxed, like [`Job`], so the
/// drive loop is compiled once, not per method.
type Make = Box<dyn FnOnce(&Session, &Platform, &mut Options) -> Result<Task, Error>>;

/// Whether a method works on a store, and if it changes it (then it runs
/// under the store's Web Lock).
#[derive(Clone, Copy, PartialEq)]
enum Uses {
    Store,
    /// Reads the store only: no lock.
    StoreToRead,
    Nothing,
}

/// A method's work, resolved by the one drive loop.
type Job<T> = Pin<Box<dyn Future<Output = Result<T, Error>>>>;

#[wasm_bindgen]
impl Client {
    /// A client. Throws an `InvalidInputError` for unusable options; sends nothing.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ClientOptions")] options: JsValue,
    ) -> Result<Client, JsValue> {
        let build = || {
            let mut options = Options::read(options)?;
            let (settings, host) = options.settings()?;
            let (config, credentials) = options.login()?;
            let store = options.store()?;
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
            let mut options = Options::read(options)?;
            let (settings, host) = options.settings()?;
            let store = options
                .store()?
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
        promise(self.job(Box::new(|s, _, _| Ok(s.token())), None, Uses::Nothing))
    }

    /// The customer's client secrets (never their values).
    #[wasm_bindgen(js_name = listSecrets, unchecked_return_type = "Promise<SecretInfo[]>")]
    pub fn list_secrets(&self) -> Promise {
        let make = |s: &Session, _: &Platform, _: &mut Options| Ok(s.call(Operation::List));
        promise(self.job(Box::new(make), None, Uses::Nothing))
    }

    /// Creates a secret. Its value is in the result, this once. `clientId`
    /// names the client it is for (needed when signed in as a user).
    #[wasm_bindgen(js_name = createSecret, unchecked_return_type = "Promise<CreatedSecret>")]
    pub fn create_secret(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "CreateSecretOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let make = |s: &Session, _: &Platform, o: &mut Options| {
            Ok(s.call(Operation::Create {
                description: o.description()?,
                client_id: o.client_id()?,
            }))
        };
        promise(self.job(Box::new(make), options, Uses::Nothing))
    }

    /// Deletes a secret by id.
    #[wasm_bindgen(js_name = deleteSecret, unchecked_return_type = "Promise<void>")]
    pub fn delete_secret(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Promise {
        let make = move |s: &Session, _: &Platform, _: &mut Options| {
            let id = id
                .as_string()
                .ok_or_else(|| invalid_input("id", "must be a string"))?;
            Ok(s.call(Operation::Delete { id }))
        };
        promise(self.job(Box::new(make), None, Uses::Nothing))
    }

    /// Rotates the secret kept in the store (the call's `store`, else the
    /// client's): crash-safe, an interrupted rotation is finished by the
    /// next. Every save is a compare-and-swap
    /// (`save(record, expectedGeneration)`); a `StoreConflictError` means
    /// another run changed the store meanwhile: run again. An empty store is
    /// seeded first with this client's own client secret, unclaimed (see
    /// `seed`). A client whose secret was rotated switches to the new one.
    ///
    /// With `maxAgeDays` (or `maxAgeMs`) a new secret is created only when
    /// the current one is at least that old (its date from the store, else
    /// one listing; unknown: rotate); unfinished work is finished either
    /// way. The report's `decision` says why, `dueAtMs` when it is due.
    #[wasm_bindgen(unchecked_return_type = "Promise<RotationReport>")]
    pub fn rotate(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RotateOptions")] options: Option<JsValue>,
    ) -> Promise {
        promise(self.job(Box::new(rotation), options, Uses::Store))
    }

    /// Rotates (when due, with `maxAgeDays` or `maxAgeMs`), then gives this
    /// client's token (of the new secret, once the client switched to it):
    /// "rotate at every login" in one call.
    #[wasm_bindgen(js_name = loginAndRotate, unchecked_return_type = "Promise<Token>")]
    pub fn login_and_rotate(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "RotateOptions")] options: Option<JsValue>,
    ) -> Promise {
        let rotation = self.job(Box::new(rotation), options, Uses::Store);
        let login = self.job(Box::new(|s, _, _| Ok(s.token())), None, Uses::Nothing);
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
        #[wasm_bindgen(unchecked_optional_param_type = "SeedStoreOptions")] options: Option<
            JsValue,
        >,
    ) -> Promise {
        let make = |s: &Session, host: &Platform, o: &mut Options| {
            let seed = SeedOptions {
                secret_id: o.secret_id()?,
                claim: o.claim()?,
                ..SeedOptions::default()
            };
            Ok(s.seed(seed, host.random()?))
        };
        promise(self.job(Box::new(make), options, Uses::Store))
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
        let make = |s: &Session, _: &Platform, o: &mut Options| Ok(s.claim(&o.id()?));
        promise(self.job(Box::new(make), Some(options), Uses::Store))
    }

    /// The store's status (the call's `store`, else the client's), for
    /// monitoring: its generation, the current secret's id, age and when it
    /// is due (with `maxAgeDays` or `maxAgeMs`), an unfinished rotation's
    /// stage, kept secrets, and the verdict: `health` (`ok`, `warning`,
    /// `critical`), `exitCode` (0, 1, 2) and `findings`. With `probe: true`
    /// it also logs in once with the store's current secret (a refusal is
    /// `critical`, not an error) and lists once (`check`). Reads the store
    /// only: no lock. An empty store rejects with a `StoreError`
    /// (`storeKind: "missing"`).
    #[wasm_bindgen(unchecked_return_type = "Promise<Status>")]
    pub fn status(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "StatusOptions")] options: Option<JsValue>,
    ) -> Promise {
        let make = |s: &Session, _: &Platform, o: &mut Options| {
            let probe = o.probe()?;
            Ok(s.status(probe, o.max_age_ms()?))
        };
        promise(self.job(Box::new(make), options, Uses::StoreToRead))
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
    /// The task `make` builds from the call's `options` (when awaited, so
    /// its errors are the job's), run through the drive loop, giving the
    /// method's JS result. A method that uses a store gets the call's (else
    /// the client's) and runs under its Web Lock, where the host has one.
    fn job(&self, make: Make, options: Option<JsValue>, uses: Uses) -> Job<JsValue> {
        let host = self.host.clone();
        let (own, session) = (self.store.clone(), self.session.clone());
        Box::pin(async move {
            let mut o = Options::read(options.unwrap_or_default())?;
            let (store, lock) = match uses {
                Uses::Nothing => (None, None),
                Uses::StoreToRead => (Some(store_of(&mut o, own)?), None),
                Uses::Store => {
                    let store = store_of(&mut o, own)?;
                    let lock = match (o.lock()?, o.lock_name()?) {
                        (false, _) => None,
                        (true, name) => Some(name.unwrap_or_else(|| lock_name(&session))),
                    };
                    (Some(store), lock)
                }
            };
            let mut task = make(&session, &host, &mut o)?;
            let run = async move { drive(&mut task, &host, store.as_ref()).await };
            with_lock(lock, run).await.map(outcome)
        })
    }
}

/// The call's store, else the client's.
fn store_of(o: &mut Options, own: Option<JsStore>) -> Result<JsStore, Error> {
    o.store()?
        .or(own)
        .ok_or_else(|| invalid_input("store", "is required (or build the client with one)"))
}

/// A rotation's task: when due, with a maximum age; else always.
fn rotation(s: &Session, host: &Platform, o: &mut Options) -> Result<Task, Error> {
    Ok(match o.max_age_ms()? {
        Some(max_age_ms) => s.rotate_if_older_than(max_age_ms, host.random()?),
        None => s.rotate(host.random()?),
    })
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
        Outcome::Status(s) => status(&s),
        // `Deleted`: the Promise resolves with nothing.
        _ => JsValue::UNDEFINED,
    }
}

fn promise(f: Job<JsValue>) -> Promise {
    future_to_promise(async move { f.await.map_err(|e| to_js(&e)) })
}
