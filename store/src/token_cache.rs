//! [`TokenCacheFile`]: the access token shared by every process of one store
//! (`<store>.token` beside it: mode 0600, replaced atomically) and the lock
//! (`<store>.token.lock`) a process holds while it logs in and writes, so
//! many processes at once cause one login. The format and when a token may
//! be reused are the core's (`mapsindoors_auth::token_file`).

use crate::FileStore;
use crate::guard::{no_symlink, open_record, trusted_dir, trusted_file};
use crate::lock::{StoreLock, acquire};
use mapsindoors_auth::token_file::MAX_TOKEN_FILE_BYTES;
use mapsindoors_auth::{Error, StoreErrorKind};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use zeroize::Zeroize;

/// The token cache file of one store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCacheFile {
    path: PathBuf,
}

impl TokenCacheFile {
    /// The cache beside `store`: `<store>.token`.
    #[must_use]
    pub fn beside(store: &FileStore) -> Self {
        let mut name = store
            .path()
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(".token");
        Self {
            path: store.path().with_file_name(name),
        }
    }

    /// The cache file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Takes the cache's exclusive lock (`<store>.token.lock`), waiting up to `wait`.
    ///
    /// # Errors
    /// `Store` of kind `Locked` after the wait, `Io` if it cannot be taken.
    pub fn lock(&self, wait: Duration) -> Result<StoreLock, Error> {
        acquire(&self.path, wait)
    }

    /// The file's text, if there is a trustworthy one: a regular file (not a
    /// link) of this user, readable by no one else, at most
    /// [`MAX_TOKEN_FILE_BYTES`]. Anything else is no cache (`None`).
    #[must_use]
    pub fn read(&self) -> Option<String> {
        let mut file = open_record(&self.path).ok()??;
        let meta = file.metadata().ok()?;
        trusted_file(&self.path, &meta).ok()?;
        let limit = u64::try_from(MAX_TOKEN_FILE_BYTES).unwrap_or(u64::MAX) + 1;
        let mut text = String::new();
        if (&mut file).take(limit).read_to_string(&mut text).is_err()
            || text.len() > MAX_TOKEN_FILE_BYTES
        {
            text.zeroize();
            return None;
        }
        Some(text)
    }

    /// Replaces the file with `text` atomically (a 0600 temp file in the
    /// same folder, renamed over it).
    ///
    /// # Errors
    /// `Store` of kind `Io` when the folder is not trusted or writing fails.
    pub fn write(&self, text: &str) -> Result<(), Error> {
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        trusted_dir(dir)?;
        no_symlink(&self.path)?;
        let io = |what: &str, e: &std::io::Error| {
            Error::store(
                StoreErrorKind::Io,
                format!("cannot {what} the token cache {}: {e}", self.path.display()),
            )
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".mapsindoors-auth-token-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io("create a temp file for", &e))?;
        temp.write_all(text.as_bytes())
            .map_err(|e| io("write", &e))?;
        temp.persist(&self.path)
            .map_err(|e| io("replace", &e.error))?;
        Ok(())
    }
}
