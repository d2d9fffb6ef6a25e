#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod admin;
mod app;
mod credentials_api;
mod demo;
mod dotnet_time;
mod emulator;
mod fault;
mod hostile;
mod intercept;
mod request_log;
mod route;
mod secret;
mod seed;
mod server;
mod store;
mod token_endpoint;
mod token_request;

pub use demo::{
    DEFAULT_SCOPE, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID, DEMO_PASSWORD,
    DEMO_SECRET_DESCRIPTION, DEMO_SECRET_ID, DEMO_USERNAME, OTHER_CLIENT_ID, OTHER_CLIENT_SECRET,
    OTHER_CUSTOMER_ID, OTHER_SECRET_ID, PASSWORD_CLIENT_ID,
};
pub use emulator::{Emulator, EmulatorConfig};
pub use fault::{FaultAction, FaultRoute, FaultRule, StatusFault};
pub use hostile::ElsewhereHit;
pub use request_log::LogEntry;
pub use route::Route;
pub use seed::{Seed, SeedClient, SeedCustomer, SeedError, SeedSecret, SeedUser, Sensitive};
pub use store::SecretView;
