//! Locks: the rotation lock, an exclusive advisory lock on the sidecar
//! `<file>.lock` held for as long as the [`StoreLock`] lives (an optimisation:
//! it saves wasted work, safety rests on the compare-and-swap save); and the
//! short directory lock that makes a save's compare and swap one step.

use fs4::fs_std::FileExt;
use mapsindoors_auth::{Error, StoreErrorKind};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Proof of holding a store's exclusive lock; dropping it (or the process
/// dying) releases the lock.
#[derive(Debug)]
pub struct StoreLock {
    file: File,
    path: PathBuf,
}

impl StoreLock {
    /// The sidecar lock file's path.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        // Closing the descriptor releases the lock too; unlock explicitly for clarity.
        let _ = FileExt::unlock(&self.file);
    }
}

pub(crate) fn lock_path(store: &Path) -> PathBuf {
    let mut name = store
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".lock");
    store.with_file_name(name)
}

fn open(path: &Path) -> Result<File, Error> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Never through a (dangling) link: it would create a file elsewhere.
        options
            .mode(0o600)
            .custom_flags(crate::guard::no_follow_no_block());
    }
    options.open(path).map_err(|e| {
        Error::store(
            StoreErrorKind::Io,
            format!("cannot open lock file {}: {e}", path.display()),
        )
    })
}

/// Takes the lock, waiting up to `wait` for another holder (none: fail at once).
pub(crate) fn acquire(store: &Path, wait: Duration) -> Result<StoreLock, Error> {
    let path = lock_path(store);
    let file = open(&path)?;
    let deadline = Instant::now() + wait;
    loop {
        match FileExt::try_lock_exclusive(&file) {
            Ok(true) => return Ok(StoreLock { file, path }),
            Ok(false) if Instant::now() < deadline => std::thread::sleep(POLL),
            Ok(false) => {
                let waited = if wait.is_zero() {
                    String::new()
                } else {
                    format!(" after waiting {} s", wait.as_secs())
                };
                return Err(Error::store(
                    StoreErrorKind::Locked,
                    format!(
                        "{} is still locked by another process{waited} (a rotation is running, or hung: if none is, its process holds the lock; the store itself is safe either way)",
                        path.display()
                    ),
                ));
            }
            Err(e) => {
                return Err(Error::store(
                    StoreErrorKind::Io,
                    format!("cannot lock {}: {e}", path.display()),
                ));
            }
        }
    }
}

/// How often a waiting `lock` tries again.
const POLL: Duration = Duration::from_millis(100);

/// Holds an exclusive lock on a directory until dropped: the critical section
/// of a compare-and-swap save (read, compare, rename). Unix only; elsewhere the
/// compare-and-swap is exact only among writers that hold the rotation lock.
pub(crate) struct DirGuard {
    #[cfg(unix)]
    file: File,
}

impl Drop for DirGuard {
    fn drop(&mut self) {
        #[cfg(unix)]
        {
            let _ = FileExt::unlock(&self.file);
        }
    }
}

#[cfg(unix)]
pub(crate) fn hold_dir(dir: &Path) -> Result<DirGuard, Error> {
    let failed = |what: &str, e: std::io::Error| {
        Error::store(
            StoreErrorKind::Io,
            format!("cannot {what} directory {}: {e}", dir.display()),
        )
    };
    let file = File::open(dir).map_err(|e| failed("open", e))?;
    FileExt::lock_exclusive(&file).map_err(|e| failed("lock", e))?;
    Ok(DirGuard { file })
}

#[cfg(not(unix))]
pub(crate) fn hold_dir(_dir: &Path) -> Result<DirGuard, Error> {
    Ok(DirGuard {})
}
