//! [`FileStore`]: load, create and compare-and-swap save of one record file,
//! with atomic 0600 writes. The rotation lock lives in `lock.rs`; the format in core.

use crate::guard::{no_symlink, open_record, trusted_dir, trusted_file};
use crate::lock::{StoreLock, acquire, hold_dir};
use mapsindoors_auth::{Error, StoreErrorKind, StoreRecord};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tempfile::NamedTempFile;

/// How long [`FileStore::lock`] waits for another holder: longer than any
/// healthy rotation (each request has its own deadline), short enough that a
/// hung one does not hold every later run.
pub const LOCK_WAIT: Duration = Duration::from_secs(10 * 60);

/// A record file larger than this is refused as corrupt (a record is ~1 KB).
const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// A store record kept in one JSON file. See the crate docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    path: PathBuf,
}

fn io_error(path: &Path, what: &str, e: &std::io::Error) -> Error {
    Error::store(
        StoreErrorKind::Io,
        format!("cannot {what} {}: {e}", path.display()),
    )
}

impl FileStore {
    /// A store at this path; nothing is touched until a method is called.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The record file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads and parses the record.
    ///
    /// # Errors
    /// `Store` of kind `Missing` (no file), `Corrupt` (unparsable, truncated,
    /// unknown version, too large, not UTF-8) or `Io` (unreadable, or readable
    /// by group or others on Unix). The file is never modified.
    pub fn load(&self) -> Result<StoreRecord, Error> {
        let missing = |why: String| {
            let at = self.path.display();
            Error::store(
                StoreErrorKind::Missing,
                format!("no store at {at}{why} (run `mapsindoors-auth init` first)"),
            )
        };
        // A folder that does not exist holds no store: `Missing`, not an I/O error.
        if std::fs::symlink_metadata(self.dir())
            .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound)
        {
            let why = format!(": its folder {} does not exist", self.dir().display());
            return Err(missing(why));
        }
        trusted_dir(self.dir())?;
        let Some(file) = open_record(&self.path)? else {
            return Err(missing(String::new()));
        };
        let meta = file
            .metadata()
            .map_err(|e| io_error(&self.path, "stat", &e))?;
        trusted_file(&self.path, &meta)?;
        if meta.len() > MAX_RECORD_BYTES {
            return Err(Error::store(
                StoreErrorKind::Corrupt,
                format!(
                    "{} is {} bytes, larger than any record; left untouched",
                    self.path.display(),
                    meta.len()
                ),
            ));
        }
        let mut bytes = Vec::new();
        (&file)
            .take(MAX_RECORD_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&self.path, "read", &e))?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::store(
                StoreErrorKind::Corrupt,
                format!("{} is not UTF-8 text; left untouched", self.path.display()),
            )
        })?;
        StoreRecord::from_json(&text).map_err(|e| match e {
            Error::Store { kind, reason } => Error::store(
                kind,
                format!(
                    "{}: {reason}; the file was left untouched",
                    self.path.display()
                ),
            ),
            other => other,
        })
    }

    /// Writes a first record to a new file with mode 0600.
    ///
    /// # Errors
    /// `Store` of kind `Io`, including when a file already exists at the path
    /// (it is left untouched).
    pub fn create(&self, record: &StoreRecord) -> Result<(), Error> {
        trusted_dir(self.dir())?;
        no_symlink(&self.path)?;
        let temp = self.write_temp(record)?;
        match temp.persist_noclobber(&self.path) {
            Ok(_) => self.sync_dir(),
            Err(e) if e.error.kind() == ErrorKind::AlreadyExists => Err(Error::store(
                StoreErrorKind::Io,
                format!(
                    "a store already exists at {}; it was left untouched",
                    self.path.display()
                ),
            )),
            Err(e) => Err(io_error(&self.path, "create", &e.error)),
        }
    }

    /// Replaces the record of generation `record.generation - 1` with `record`
    /// (a compare-and-swap on the generation), atomically: temp file (0600) in
    /// the same directory, fsync, rename, fsync of the directory.
    ///
    /// The compare and the swap are one step against every other writer of
    /// this file, whether or not it holds [`FileStore::lock`]: they run under
    /// a short exclusive lock of the store's directory (Unix), taken only for
    /// the read–compare–rename. No caller needs the rotation lock for safety.
    ///
    /// # Errors
    /// `Store` of kind `Conflict` when the file holds another generation or
    /// another client; any [`FileStore::load`] error (the file is left as it was);
    /// `Io` when writing fails.
    pub fn save(&self, record: &StoreRecord) -> Result<(), Error> {
        trusted_dir(self.dir())?;
        no_symlink(&self.path)?;
        let temp = self.write_temp(record)?;
        let _guard = hold_dir(self.dir())?;
        let on_disk = self.load()?;
        let expected = record.generation.checked_sub(1);
        if Some(on_disk.generation) != expected {
            return Err(Error::store(
                StoreErrorKind::Conflict,
                format!(
                    "{} holds generation {}, not {} as expected: another process changed it",
                    self.path.display(),
                    on_disk.generation,
                    expected.map_or_else(|| "none".to_owned(), |g| g.to_string())
                ),
            ));
        }
        if on_disk.client_id != record.client_id || on_disk.lineage != record.lineage {
            return Err(Error::store(
                StoreErrorKind::Conflict,
                format!(
                    "{} holds another client or lineage; not replaced",
                    self.path.display()
                ),
            ));
        }
        temp.persist(&self.path)
            .map_err(|e| io_error(&self.path, "replace", &e.error))?;
        self.sync_dir()
    }

    /// Takes the store's exclusive rotation lock, waiting up to
    /// [`LOCK_WAIT`] for another holder to finish. An optimisation: two
    /// rotations of one store are safe without it (every save is a
    /// compare-and-swap), but the second would only find its saves refused
    /// and have to run again. Bounded, so a hung run never queues every later
    /// cron run behind it.
    ///
    /// # Errors
    /// `Store` of kind `Locked` when still held after the wait; `Io` when the
    /// lock file cannot be opened or locked.
    pub fn lock(&self) -> Result<StoreLock, Error> {
        self.lock_within(LOCK_WAIT)
    }

    /// [`FileStore::lock`], waiting up to `wait`.
    ///
    /// # Errors
    /// As [`FileStore::lock`].
    pub fn lock_within(&self, wait: Duration) -> Result<StoreLock, Error> {
        acquire(&self.path, wait)
    }

    /// Takes the store's exclusive lock if it is free.
    ///
    /// # Errors
    /// `Store` of kind `Locked` when another process holds it; `Io` otherwise.
    pub fn try_lock(&self) -> Result<StoreLock, Error> {
        acquire(&self.path, Duration::ZERO)
    }

    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// A synced temp file (0600) holding the record, in the store's directory.
    fn write_temp(&self, record: &StoreRecord) -> Result<NamedTempFile, Error> {
        let dir = self.dir();
        let mut temp = tempfile::Builder::new()
            .prefix(".mapsindoors-auth-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io_error(dir, "create a temp file in", &e))?;
        // EXPOSE: the record holds the secrets; it goes only into the 0600 store file.
        let json = record.to_json();
        temp.write_all(json.as_bytes())
            .map_err(|e| io_error(temp.path(), "write", &e))?;
        temp.write_all(b"\n")
            .map_err(|e| io_error(temp.path(), "write", &e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| io_error(temp.path(), "fsync", &e))?;
        Ok(temp)
    }

    fn sync_dir(&self) -> Result<(), Error> {
        #[cfg(unix)]
        {
            let dir = self.dir();
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_error(dir, "fsync directory", &e))?;
        }
        Ok(())
    }
}
