#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
pub mod cache;
pub mod config;
pub mod error;
pub mod event;
pub mod excerpt;
mod exchange;
pub mod http;
pub mod model;
pub mod record;
mod record_json;
pub mod request;
pub mod response;
pub mod retry;
pub mod rotation;
pub mod secret;
pub mod seed;
pub mod session;
pub mod status;
pub mod step;
pub mod token_file;
mod wire;

pub use cache::{FetchTicket, Lookup, TokenCache};
pub use config::{Config, Credentials, DEFAULT_BASE_URL};
pub use error::{Error, ErrorKind, OAuthError, RetryAfter, StoreErrorKind};
pub use event::Event;
pub use http::{HttpRequest, HttpResponse, Method, TransportError, TransportErrorKind};
pub use model::{CreatedSecret, SecretInfo, Timestamp, Token};
pub use record::{
    Candidate, KeptSecret, StartedRotation, StoreRecord, StoredSecret, Tag, mint_lineage,
};
pub use retry::{PropagationPolicy, RetryPolicy};
pub use rotation::{Decision, ORPHAN_GRACE_MS, RotateOptions, Rotation, RotationReport};
pub use secret::{AccessToken, ClientSecret, Password};
pub use seed::{Seed, SeedOptions, Seeded};
pub use session::{Operation, Outcome, Session, Settings, Task};
pub use status::{Check, Health, Probe, Status};
pub use step::{Flow, PersistReason, Purpose, SleepReason, Step};
