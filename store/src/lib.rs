#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod file;
mod guard;
mod lock;

pub use file::FileStore;
pub use lock::StoreLock;
