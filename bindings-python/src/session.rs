//! `_Session`: the core's `Session` (config, credentials, knobs, token
//! cache) as a Python object. It hands out `_Task`s and decides nothing:
//! the Python clients only drive what it hands out.

use crate::errors::py_result;
use crate::record::StoreRecord;
use crate::task::Task;
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Operation, Password, SeedOptions, Session as Core,
    Settings,
};
use pyo3::prelude::*;

/// One client's session. Not for direct use: see `Client` and `AsyncClient`.
#[pyclass(frozen, module = "mapsindoors_auth._native", name = "_Session")]
pub struct Session {
    inner: Core,
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

fn settings(
    retries: u32,
    propagation_wait_ms: u64,
    timeout_ms: u64,
    description: Option<String>,
) -> Settings {
    Settings {
        retries,
        propagation_wait_ms,
        timeout_ms,
        description,
    }
}

#[pymethods]
impl Session {
    #[new]
    #[pyo3(signature = (*, auth_url, customer_id=None, client_id=None, client_secret=None, username=None, password=None, retries=3, propagation_wait_ms=30_000, timeout_ms=30_000, description=None))]
    fn new(
        py: Python<'_>,
        auth_url: &str,
        customer_id: Option<&str>,
        client_id: Option<&str>,
        client_secret: Option<String>,
        username: Option<&str>,
        password: Option<String>,
        retries: u32,
        propagation_wait_ms: u64,
        timeout_ms: u64,
        description: Option<String>,
    ) -> PyResult<Self> {
        let built = Config::new(auth_url).and_then(|config| {
            let config = match customer_id {
                Some(c) => config.with_customer_id(c)?,
                None => config,
            };
            let credentials = credentials(client_id, client_secret, username, password)?;
            let settings = settings(retries, propagation_wait_ms, timeout_ms, description);
            Core::new(config, credentials, settings)
        });
        py_result(py, built).map(|inner| Self { inner })
    }

    #[staticmethod]
    #[pyo3(signature = (record, *, retries=3, propagation_wait_ms=30_000, timeout_ms=30_000, description=None))]
    fn from_record(
        py: Python<'_>,
        record: &StoreRecord,
        retries: u32,
        propagation_wait_ms: u64,
        timeout_ms: u64,
        description: Option<String>,
    ) -> PyResult<Self> {
        let settings = settings(retries, propagation_wait_ms, timeout_ms, description);
        py_result(py, Core::from_record(&record.inner, settings)).map(|inner| Self { inner })
    }

    fn token(&self) -> Task {
        Task::new(self.inner.token())
    }

    fn list(&self) -> Task {
        Task::new(self.inner.call(Operation::List))
    }

    #[pyo3(signature = (description=None, *, client_id=None))]
    fn create(&self, description: Option<String>, client_id: Option<String>) -> Task {
        Task::new(self.inner.call(Operation::Create {
            description,
            client_id,
        }))
    }

    fn delete(&self, id: String) -> Task {
        Task::new(self.inner.call(Operation::Delete { id }))
    }

    #[pyo3(signature = (nonce, *, max_age_ms=None))]
    fn rotate(&self, nonce: [u8; 16], max_age_ms: Option<u64>) -> Task {
        Task::new(match max_age_ms {
            Some(max_age_ms) => self.inner.rotate_if_older_than(max_age_ms, nonce),
            None => self.inner.rotate(nonce),
        })
    }

    #[pyo3(signature = (*, probe=false, max_age_ms=None))]
    fn status(&self, probe: bool, max_age_ms: Option<u64>) -> Task {
        Task::new(self.inner.status(probe, max_age_ms))
    }

    #[pyo3(signature = (nonce, *, secret_id=None, claim=false))]
    fn seed(&self, nonce: [u8; 8], secret_id: Option<String>, claim: bool) -> Task {
        let options = SeedOptions {
            secret_id,
            claim,
            ..SeedOptions::default()
        };
        Task::new(self.inner.seed(options, nonce))
    }

    fn claim(&self, id: &str) -> Task {
        Task::new(self.inner.claim(id))
    }

    /// The per-request timeout the transport applies.
    #[getter]
    fn timeout_ms(&self) -> u64 {
        self.inner.settings().timeout_ms
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("<_Session {}>", self.inner)
    }
}
