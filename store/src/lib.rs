#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod file;
mod guard;
mod lock;

pub use file::{FileStore, LOCK_WAIT};
pub use lock::StoreLock;
