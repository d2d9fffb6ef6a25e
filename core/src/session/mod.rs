//! [`Session`]: the one object every binding holds. It owns the config, the
//! credentials, the [`Settings`] and the token cache, and makes every
//! protocol decision; a binding only moves the [`Task`]s it hands out over
//! its platform's HTTP, store, clock and sleep.
//!
//! The decisions, one answer each, pinned by the flow vectors in `tests/flows/`:
//!
//! | decision | answer |
//! |---|---|
//! | token before an API call | the cache, single flight: one login however many tasks ask ([`crate::Step::Wait`]) |
//! | a 401 from the secrets endpoint, whatever its body | forget that token, log in once more, try once more |
//! | may a rotation reuse the cached token? | when the session logs in as the store's current secret, same URL and customer |
//! | empty store | seeded first (login, list, generation 1 saved by compare-and-swap), then rotated |
//! | rotate with a `max_age` | unfinished work first, always; then a new secret only when the current one is due, its date from the store or one listing (unknown: rotate); see [`crate::rotation::due`] |
//! | minting the lineage | from the caller's randomness ([`Session::rotate`], [`Session::seed`]) |
//! | after a rotation, does the session switch secret? | when it logged in with a secret the store knew (current or pending), same client, URL and customer; also after a failure that promoted |
//! | cache the rotation's token? | when the session now logs in with the store's current secret |
//! | the store's current secret refused at a rotation's login, before the run saved anything | load the store once more: its secret replaced (another run rotated) → a store conflict, "run again"; the same → `invalid_client` |

mod operation;
mod settings;
mod task;

pub use operation::Operation;
pub use settings::{MAX_PROPAGATION_WAIT_MS, MAX_RETRIES, MAX_TIMEOUT_MS, Settings};
pub use task::{Outcome, Task, WAIT_MS};

use crate::cache::TokenCache;
use crate::config::{Config, Credentials};
use crate::error::Error;
use crate::model::Token;
use crate::record::StoreRecord;
use crate::seed::SeedOptions;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// A logged-in (or about to log in) client of one auth server: config,
/// credentials, settings and token cache, shared by every [`Task`] it hands
/// out. Cheap to clone (clones share everything); `Send + Sync`.
#[derive(Clone)]
pub struct Session {
    shared: Arc<Mutex<Shared>>,
}

pub(crate) struct Shared {
    pub(crate) config: Config,
    pub(crate) credentials: Credentials,
    pub(crate) settings: Settings,
    pub(crate) cache: TokenCache,
}

impl Session {
    /// A session that logs in with `credentials` at `config`'s server.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a knob out of range.
    pub fn new(
        config: Config,
        credentials: Credentials,
        settings: Settings,
    ) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Self {
            shared: Arc::new(Mutex::new(Shared {
                config,
                credentials,
                settings,
                cache: TokenCache::new(),
            })),
        })
    }

    /// A session that logs in with a store record's current secret, at its
    /// server and customer.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unusable record or a knob out of range.
    pub fn from_record(record: &StoreRecord, settings: Settings) -> Result<Self, Error> {
        Self::new(record.config()?, record.current_credentials()?, settings)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Shared> {
        // The state stays consistent across a panic: every change is one assignment.
        self.shared.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The server and customer.
    #[must_use]
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// The knobs.
    #[must_use]
    pub fn settings(&self) -> Settings {
        self.lock().settings.clone()
    }

    /// The client id the session logs in with (`client` for a password login).
    #[must_use]
    pub fn client_id(&self) -> String {
        self.lock().credentials.client_id().to_owned()
    }

    /// The cached token, if still fresh at `now_ms`.
    #[must_use]
    pub fn cached_token(&self, now_ms: u64) -> Option<Token> {
        self.lock().cache.fresh(now_ms).cloned()
    }

    /// Forgets the cached token.
    pub fn clear_tokens(&self) {
        self.lock().cache.clear();
    }

    /// A valid access token: the cached one while fresh, else one login
    /// (single flight).
    #[must_use]
    pub fn token(&self) -> Task {
        Task::token(self.clone())
    }

    /// A call to the secrets endpoint with the session's token; one new
    /// login after a 401.
    #[must_use]
    pub fn call(&self, operation: Operation) -> Task {
        Task::call(self.clone(), operation)
    }

    /// Rotates the store's secret. It loads the store; an empty one is
    /// seeded first with the session's client secret (default
    /// [`SeedOptions`]). `nonce` is fresh randomness: 8 bytes name the
    /// rotation, 8 the lineage of a store it seeds.
    #[must_use]
    pub fn rotate(&self, nonce: [u8; 16]) -> Task {
        Task::rotate(self.clone(), nonce, None)
    }

    /// [`Session::rotate`], but a new secret is created only when the
    /// current one is at least `max_age_ms` old (see
    /// [`crate::rotation::due`]); unfinished work is finished either way.
    /// A secret not yet due gives a report with `rotated: false`, decision
    /// `not_due` and its `due_at_ms`, after no request at all when the store
    /// knows its date.
    #[must_use]
    pub fn rotate_if_older_than(&self, max_age_ms: u64, nonce: [u8; 16]) -> Task {
        Task::rotate(self.clone(), nonce, Some(max_age_ms))
    }

    /// Seeds an empty store with the session's client secret; a store that
    /// holds a record is left as it is. `nonce` names the lineage.
    #[must_use]
    pub fn seed(&self, options: SeedOptions, nonce: [u8; 8]) -> Task {
        Task::seed(self.clone(), options, nonce)
    }

    /// The store's status (see [`crate::status`]): from the record alone,
    /// or with `probe` also one login with its current secret (a refusal is
    /// reported as critical, not an error) and one listing. `max_age_ms`
    /// says when the secret is due.
    #[must_use]
    pub fn status(&self, probe: bool, max_age_ms: Option<u64>) -> Task {
        Task::status(self.clone(), probe, max_age_ms)
    }

    /// Claims a kept (or the current) secret as the store's own.
    #[must_use]
    pub fn claim(&self, id: &str) -> Task {
        Task::claim(self.clone(), id.to_owned())
    }

    /// After a rotation turned `before` into `after`: switch to the new
    /// current secret if the session used one the store knew, and cache
    /// `token` if it is now the session's own. One rule for every binding.
    pub(crate) fn adopt(
        &self,
        before: &StoreRecord,
        after: &StoreRecord,
        token: Option<&Token>,
        now_ms: u64,
    ) {
        let mut s = self.lock();
        if after.config().ok().as_ref() != Some(&s.config) {
            return;
        }
        if let Some(next) = s.credentials.after_rotation(before, after) {
            s.credentials = next;
            s.cache.clear();
        }
        let own = after
            .current_credentials()
            .is_ok_and(|c| c == s.credentials);
        if let (true, Some(token)) = (own, token) {
            s.cache.insert(token.clone(), now_ms);
        }
    }

    /// Whether the session logs in as this record's current secret, at its
    /// server and customer: then its cached token may serve the record.
    pub(crate) fn serves(&self, record: &StoreRecord) -> bool {
        let s = self.lock();
        record.config().ok().as_ref() == Some(&s.config)
            && record
                .current_credentials()
                .is_ok_and(|c| c == s.credentials)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string())
    }
}

/// `client X at URL, customer C` (or `user U ...`); never a secret.
impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.lock();
        match &s.credentials {
            Credentials::Client { client_id, .. } => write!(f, "client {client_id}")?,
            Credentials::Password { username, .. } => write!(f, "user {username}")?,
        }
        write!(
            f,
            " at {}, customer {}",
            s.config.base_url(),
            s.config.customer_id().unwrap_or("none")
        )
    }
}
