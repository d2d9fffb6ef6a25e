#![doc = include_str!("../README.md")]
// `AuthError` carries the same seven fields in every variant (so Kotlin and
// Swift read them on the base type); it is built once per failed call and
// crosses the FFI as a serialized buffer, and uniffi cannot box an error type.
#![allow(clippy::result_large_err)]
//! Crate layout: [`AuthClient`] in `client` (a core `Session` plus the
//! app's transport, store and platform), the one loop over core tasks in
//! `driver`, the per-client lock of store writers in `lock`, setup in
//! `config`, the clock/sleep/randomness in `platform`, step reports in
//! `progress` (before) and `events` (after), and boundary types in `http`,
//! `store`, `secrets`, `rotation`, `status` and `error`.

mod client;
mod config;
mod driver;
mod error;
mod events;
mod http;
mod lock;
mod platform;
mod progress;
mod rotation;
mod secrets;
mod status;
mod store;

pub use client::AuthClient;
pub use config::ClientConfig;
pub use error::{AuthError, StoreError, TransportError, error_codes};
pub use events::{AuthEvent, EventListener};
pub use http::{HttpHeader, HttpRequest, HttpResponse, HttpTransport};
pub use platform::Platform;
pub use progress::{Progress, ProgressStep};
pub use rotation::{LoginRotation, RotationReport, SeedOptions};
pub use secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
pub use status::{StatusCheck, StoreStatus};
pub use store::{Candidate, KeptSecret, SecretStore, StoreRecord};

/// A count or time as a Kotlin `Long`.
pub(crate) fn long(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

uniffi::setup_scaffolding!();
