//! `_Core`: one client's configuration, credentials, retry policy and token
//! cache (the core's single flight). It hands out flows and takes their
//! results back into the cache; the Python clients only ask and wait.

use crate::errors::{misuse, py_result};
use crate::flow::{Flow, Inner, same_secret};
use crate::record::{StoreRecord, nonce};
use crate::values::Token;
use mapsindoors_auth::{
    ApiCall, ClientSecret, Config, Credentials, Error, FetchTicket, Lookup, Operation, Password,
    PropagationPolicy, RetryPolicy, RotateOptions, Rotation, Seed, SeedOptions, TokenCache,
    TokenFlow,
};
use pyo3::prelude::*;
use std::collections::HashMap;

/// A client's state. Not for direct use: see `Client` and `AsyncClient`.
#[pyclass(module = "mapsindoors_auth._native", name = "_Core")]
pub struct Core {
    config: Config,
    credentials: Credentials,
    policy: RetryPolicy,
    cache: TokenCache,
    tickets: HashMap<u64, FetchTicket>,
    next_ticket: u64,
}

fn credentials(
    client_id: Option<&str>,
    client_secret: Option<String>,
    username: Option<&str>,
    password: Option<String>,
) -> Result<Credentials, Error> {
    let invalid = |reason: &str| Error::InvalidInput {
        field: "credentials".to_owned(),
        reason: reason.to_owned(),
    };
    match (client_secret, username, password) {
        (Some(secret), None, None) => Credentials::client(
            client_id.ok_or_else(|| invalid("client_secret needs client_id"))?,
            ClientSecret::new(secret),
        ),
        (None, Some(user), Some(pw)) => match client_id {
            Some(id) => Credentials::password_with_client(id, user, Password::new(pw)),
            None => Credentials::password(user, Password::new(pw)),
        },
        (None, None, None) => Err(invalid(
            "give client_id and client_secret, or username and password",
        )),
        _ => Err(invalid(
            "give either client_secret or username and password, not a mix",
        )),
    }
}

impl Core {
    /// A core with an empty token cache; `retries` counts attempts after the first.
    fn with(config: Config, credentials: Credentials, retries: u32) -> Self {
        let policy = RetryPolicy {
            max_attempts: retries.saturating_add(1),
            ..RetryPolicy::default()
        };
        Self {
            config,
            credentials,
            policy,
            cache: TokenCache::new(),
            tickets: HashMap::new(),
            next_ticket: 0,
        }
    }
}

#[pymethods]
impl Core {
    #[new]
    #[pyo3(signature = (*, auth_url, customer_id=None, client_id=None, client_secret=None, username=None, password=None, retries=3))]
    fn new(
        py: Python<'_>,
        auth_url: &str,
        customer_id: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<String>,
        username: Option<&str>,
        password: Option<String>,
        retries: u32,
    ) -> PyResult<Self> {
        let config = py_result(py, Config::new(auth_url))?;
        let config = match customer_id {
            Some(c) => py_result(py, config.with_customer_id(c))?,
            None => config,
        };
        let credentials = py_result(
            py,
            credentials(client_id, client_secret, username, password),
        )?;
        Ok(Self::with(config, credentials, retries))
    }

    /// A core configured from a store record: its URL, customer and current secret.
    #[staticmethod]
    #[pyo3(signature = (record, *, retries=3))]
    fn from_record(py: Python<'_>, record: &StoreRecord, retries: u32) -> PyResult<Self> {
        let config = py_result(py, record.inner.config())?;
        let credentials = py_result(py, record.inner.current_credentials())?;
        Ok(Self::with(config, credentials, retries))
    }

    /// `("hit", Token)`, `("fetch", ticket)` or `("wait", None)`.
    fn lookup(&mut self, py: Python<'_>, now_ms: u64) -> PyResult<Py<PyAny>> {
        let out = match self.cache.lookup(now_ms) {
            Lookup::Hit(inner) => ("hit", Some(Token { inner }), None::<u64>).into_pyobject(py)?,
            Lookup::Fetch(ticket) => {
                self.next_ticket += 1;
                self.tickets.insert(self.next_ticket, ticket);
                ("fetch", None::<Token>, Some(self.next_ticket)).into_pyobject(py)?
            }
            Lookup::Wait => ("wait", None::<Token>, None::<u64>).into_pyobject(py)?,
        };
        Ok(out.into_any().unbind())
    }

    /// Ends the fetch granted with `ticket`, storing `token` if it succeeded.
    #[pyo3(signature = (ticket, token, now_ms))]
    fn complete(&mut self, ticket: u64, token: Option<&Token>, now_ms: u64) -> PyResult<bool> {
        let granted = self
            .tickets
            .remove(&ticket)
            .ok_or_else(|| misuse("unknown ticket"))?;
        Ok(self
            .cache
            .complete(granted, token.map(|t| t.inner.clone()), now_ms))
    }

    /// Stores a token obtained by another flow.
    fn insert(&mut self, token: &Token, now_ms: u64) {
        self.cache.insert(token.inner.clone(), now_ms);
    }

    /// The cached token if fresh, without joining single flight.
    fn fresh(&self, now_ms: u64) -> Option<Token> {
        self.cache
            .fresh(now_ms)
            .cloned()
            .map(|inner| Token { inner })
    }

    /// Forgets the cached token and any fetch in flight.
    fn clear(&mut self) {
        self.cache.clear();
        self.tickets.clear();
    }

    /// A flow that logs in.
    fn token_flow(&self) -> Flow {
        Flow {
            inner: Inner::Token(Box::new(TokenFlow::new(
                &self.config,
                &self.credentials,
                self.policy,
            ))),
        }
    }

    /// Refuses a call the core would refuse, before any request (a token
    /// fetch included) is sent.
    #[pyo3(signature = (operation, argument))]
    fn check_call(&self, py: Python<'_>, operation: &str, argument: Option<&str>) -> PyResult<()> {
        let op = to_operation(py, operation, argument.map(str::to_owned))?;
        py_result(py, ApiCall::check(&self.config, &op))
    }

    /// A call to the secrets endpoint: `operation` is `list`, `create` (with
    /// an optional description) or `delete` (with the id).
    #[pyo3(signature = (operation, argument, token))]
    fn api_flow(
        &self,
        py: Python<'_>,
        operation: &str,
        argument: Option<String>,
        token: Option<&Token>,
    ) -> PyResult<Flow> {
        let op = to_operation(py, operation, argument)?;
        let token = token.map(|t| t.inner.access_token.clone());
        Ok(Flow {
            inner: Inner::Api(Box::new(ApiCall::new(
                &self.config,
                &self.credentials,
                self.policy,
                op,
                token,
            ))),
        })
    }

    /// The core's seeding of an empty store with this client's secret: log
    /// in, list, then persist generation 1 (the store must be empty). The
    /// core identifies the secret and mints the lineage.
    #[pyo3(signature = (*, secret_id=None, claim=false, description=None))]
    fn seed_flow(
        &self,
        py: Python<'_>,
        secret_id: Option<String>,
        claim: bool,
        description: Option<String>,
    ) -> PyResult<Flow> {
        let Credentials::Client { client_id, secret } = &self.credentials else {
            return py_result(
                py,
                Err(Error::InvalidInput {
                    field: "credentials".to_owned(),
                    reason:
                        "a store holds a client secret: seed it from client_id and client_secret"
                            .to_owned(),
                }),
            );
        };
        let options = SeedOptions {
            secret_id,
            claim,
            description,
            retry: self.policy,
        };
        let seed = py_result(
            py,
            Seed::new(&self.config, client_id, secret.clone(), options, nonce(py)?),
        )?;
        Ok(Flow {
            inner: Inner::Seed(Box::new(seed)),
        })
    }

    /// A rotation of `record`. `nonce` is 8 fresh random bytes.
    #[pyo3(signature = (record, description, nonce, now_ms, max_propagation_wait_ms=None))]
    fn rotation_flow(
        &self,
        py: Python<'_>,
        record: &StoreRecord,
        description: Option<String>,
        nonce: [u8; 8],
        now_ms: u64,
        max_propagation_wait_ms: Option<u64>,
    ) -> PyResult<Flow> {
        let cached = if same_secret(&self.credentials, &record.inner) {
            self.cache.fresh(now_ms).cloned()
        } else {
            None
        };
        let mut propagation = PropagationPolicy::default();
        if let Some(ms) = max_propagation_wait_ms {
            propagation.max_wait_ms = ms;
        }
        let options = RotateOptions {
            description,
            retry: self.policy,
            propagation,
        };
        let rotation = py_result(
            py,
            Rotation::new(record.inner.clone(), options, cached, nonce),
        )?;
        Ok(Flow {
            inner: Inner::Rotation {
                rotation: Box::new(rotation),
                before: Box::new(record.inner.clone()),
            },
        })
    }

    /// After a rotation finished: switch to the record's new current secret
    /// if this client used the one it replaced (the core decides), and cache
    /// the token it obtained when it belongs to this client's secret.
    fn rotation_done(&mut self, flow: &Flow, report_token: Option<&Token>, now_ms: u64) {
        let Some((before, after)) = flow.rotation_outcome() else {
            return;
        };
        if let Some(next) = self.credentials.after_rotation(before, after) {
            self.credentials = next;
            self.cache.clear();
            self.tickets.clear();
        }
        if let (true, Some(t)) = (same_secret(&self.credentials, after), report_token) {
            self.cache.insert(t.inner.clone(), now_ms);
        }
    }

    /// The base URL, ending in `/`.
    #[getter]
    fn auth_url(&self) -> &str {
        self.config.base_url()
    }

    #[getter]
    fn customer_id(&self) -> Option<&str> {
        self.config.customer_id()
    }

    #[getter]
    fn client_id(&self) -> &str {
        self.credentials.client_id()
    }

    fn __repr__(&self) -> String {
        format!(
            "<_Core {} client_id={:?}>",
            self.config.base_url(),
            self.credentials.client_id()
        )
    }
}

/// The core operation a Python call names.
fn to_operation(py: Python<'_>, operation: &str, argument: Option<String>) -> PyResult<Operation> {
    match (operation, argument) {
        ("list", _) => Ok(Operation::List),
        ("create", description) => Ok(Operation::Create { description }),
        ("delete", Some(id)) => Ok(Operation::Delete { id }),
        ("delete", None) => py_result(
            py,
            Err(Error::InvalidInput {
                field: "id".to_owned(),
                reason: "must not be empty".to_owned(),
            }),
        ),
        _ => Err(misuse("unknown operation")),
    }
}
