#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod file;
mod guard;
mod lock;
mod token_cache;

pub use file::{FileStore, LOCK_WAIT};
pub use lock::StoreLock;
pub use token_cache::TokenCacheFile;
