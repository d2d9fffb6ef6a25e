#![doc = include_str!("../README.md")]
//! Crate layout: [`AuthClient`] in `client`, the loop over core flows in
//! `driver`, single-flight tokens in `tokens`, the per-client rotation lock
//! in `lock`, boundary types in `http`, `store`, `secrets` and `error`.

mod client;
mod driver;
mod error;
mod http;
mod lock;
mod secrets;
mod store;
mod tokens;

pub use client::{AuthClient, ClientConfig, LoginRotation, RotationReport, SeedOptions};
pub use error::{AuthError, StoreError, TransportError};
pub use http::{HttpHeader, HttpRequest, HttpResponse, HttpTransport};
pub use secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
pub use store::{Candidate, KeptSecret, SecretStore, StoreRecord};

uniffi::setup_scaffolding!();
