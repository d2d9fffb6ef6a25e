#![doc = include_str!("../README.md")]
// wasm-bindgen's generated glue for exported items is `pub` and undocumented by design.
#![allow(unreachable_pub)]

mod client;
mod drive;
mod errors;
mod fetch;
mod js;
mod lock;
mod options;
mod platform;
mod record;
mod store;
mod transport;
mod types;
mod values;

pub use client::Client;
pub use record::JsStoreRecord;
pub use values::{JsCreatedSecret, JsToken};
