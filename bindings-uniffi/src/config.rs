//! How a client is set up: [`ClientConfig`] (where it talks to, and the
//! knobs every binding shares under the same names and units: `retries`,
//! `propagationWaitMs`, `timeoutMs`, `description`), turned into the core's
//! `Config` and `Settings`. The core checks every value.

use mapsindoors_auth::{Config, Credentials, Error, Session, Settings};

/// Where the client talks to and how patient it is.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ClientConfig {
    /// The auth server, `https://auth.mapsindoors.com` in production. Plain
    /// `http` is accepted only for loopback hosts (emulators, tests).
    pub auth_url: String,
    /// The customer whose secrets are managed; needed by every method but `token()`.
    #[uniffi(default)]
    pub customer_id: Option<String>,
    /// Retries after the first attempt of an idempotent request (token,
    /// list, delete) that failed transiently; 0 to 10. A create is never retried.
    #[uniffi(default = 3)]
    pub retries: i32,
    /// How long a rotation waits for a new secret to be accepted before
    /// stopping safely (the old secret stays in use), in milliseconds; at
    /// most 600 000.
    #[uniffi(default = 30000)]
    pub propagation_wait_ms: i64,
    /// How long the transport may wait for one response, in milliseconds
    /// (1 to 600 000); handed to it as `HttpRequest.timeoutMs()`.
    #[uniffi(default = 30000)]
    pub timeout_ms: i64,
    /// The description of secrets a rotation creates (a lineage tag is
    /// appended); `null` keeps the store's.
    #[uniffi(default)]
    pub description: Option<String>,
}

impl ClientConfig {
    /// A core session logging in with `credentials`; the core checks every value.
    pub(crate) fn session(self, credentials: Credentials) -> Result<Session, Error> {
        let mut config = Config::new(&self.auth_url)?;
        if let Some(customer) = &self.customer_id {
            config = config.with_customer_id(customer)?;
        }
        let knobs = settings(
            self.retries,
            self.propagation_wait_ms,
            self.timeout_ms,
            self.description,
        )?;
        Session::new(config, credentials, knobs)
    }
}

/// The core's settings from Kotlin/Swift integers (a negative value is refused).
pub(crate) fn settings(
    retries: i32,
    propagation_wait_ms: i64,
    timeout_ms: i64,
    description: Option<String>,
) -> Result<Settings, Error> {
    let settings = Settings {
        retries: unsigned("retries", retries)?,
        propagation_wait_ms: unsigned("propagation_wait_ms", propagation_wait_ms)?,
        timeout_ms: unsigned("timeout_ms", timeout_ms)?,
        description,
    };
    settings.validate()?;
    Ok(settings)
}

fn unsigned<T: TryInto<U>, U>(field: &str, value: T) -> Result<U, Error> {
    value.try_into().map_err(|_| Error::InvalidInput {
        field: field.to_owned(),
        reason: "must not be negative".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_the_cores() {
        let ours = settings(3, 30_000, 30_000, None);
        assert_eq!(ours, Ok(Settings::default()));
        assert!(settings(-1, 0, 1, None).is_err());
        assert!(settings(11, 0, 1, None).is_err());
        assert!(settings(0, 0, 0, None).is_err());
    }
}
