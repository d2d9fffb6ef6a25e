#![doc = include_str!("../README.md")]
//! Crate layout: [`AuthClient`] in `client`, the loop over core flows in
//! `driver`, single-flight tokens in `tokens`, boundary types in `http`,
//! `store`, `secrets` and `error`.

mod client;
mod driver;
mod error;
mod http;
mod secrets;
mod store;
mod tokens;

pub use client::{AuthClient, ClientConfig, KeptSecret, LoginRotation, RotationReport};
pub use error::{AuthError, StoreError, TransportError};
pub use http::{HttpHeader, HttpRequest, HttpResponse, HttpTransport};
pub use secrets::{AccessToken, ClientSecret, CreatedSecret, SecretInfo};
pub use store::{SecretStore, StoreRecord};

uniffi::setup_scaffolding!();
