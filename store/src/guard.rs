//! What the store trusts before it reads or replaces a record file (Unix):
//! the path is no symbolic link (a rotation would replace the link, not the
//! secrets volume it points at), opening never follows a link nor blocks on
//! a FIFO, the file is a regular file of this user with mode 0600, and no
//! other user can swap files in its directory (not group- or other-writable
//! unless sticky, like `/tmp`).

use mapsindoors_auth::{Error, StoreErrorKind};
use std::fs::File;
use std::io::ErrorKind;
use std::path::Path;

fn refused(reason: String) -> Error {
    Error::store(StoreErrorKind::Io, reason)
}

/// Refuses a store path that is a symbolic link, naming its target.
pub(crate) fn no_symlink(path: &Path) -> Result<(), Error> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            let target = std::fs::read_link(path)
                .map(|t| t.display().to_string())
                .unwrap_or_else(|_| "its target".to_owned());
            Err(refused(format!(
                "{} is a symbolic link to {target}: a rotation would replace the link and leave the old secret in the target; point the store path at {target} itself",
                path.display()
            )))
        }
        _ => Ok(()),
    }
}

/// Opens the record for reading without following a link or waiting on a
/// FIFO; `Ok(None)` when there is no file.
pub(crate) fn open_record(path: &Path) -> Result<Option<File>, Error> {
    no_symlink(path)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, no_follow_no_block());
    match options.open(path) {
        Ok(f) => Ok(Some(f)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        // ELOOP: it became a link after the check above.
        Err(e) if is_loop(&e) => no_symlink(path).and(Err(refused(format!(
            "{} is a symbolic link",
            path.display()
        )))),
        Err(e) => Err(refused(format!("cannot open {}: {e}", path.display()))),
    }
}

#[cfg(unix)]
fn is_loop(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
}

#[cfg(not(unix))]
fn is_loop(_e: &std::io::Error) -> bool {
    false
}

/// `O_NOFOLLOW | O_NONBLOCK`, for `custom_flags`.
#[cfg(unix)]
pub(crate) fn no_follow_no_block() -> i32 {
    let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
    i32::try_from(flags.bits()).unwrap_or(0)
}

/// The record file is a regular file, owned by this process's effective
/// user, readable by no one else.
#[cfg(unix)]
pub(crate) fn trusted_file(path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if !meta.is_file() {
        return Err(refused(format!("{} is not a regular file", path.display())));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(refused(format!(
            "{} is owned by uid {}, not by this user (uid {me}): a store is trusted only from its owner; `chown` it or run as its owner",
            path.display(),
            meta.uid()
        )));
    }
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(refused(format!(
            "{} has mode {mode:04o}: a store holds secrets and must not be accessible by group or others; run `chmod 600 {}`",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn trusted_file(path: &Path, meta: &std::fs::Metadata) -> Result<(), Error> {
    if meta.is_file() {
        Ok(())
    } else {
        Err(refused(format!("{} is not a regular file", path.display())))
    }
}

/// No other user can replace files in the store's directory.
#[cfg(unix)]
pub(crate) fn trusted_dir(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(dir)
        .map_err(|e| refused(format!("cannot stat {}: {e}", dir.display())))?;
    let mode = meta.permissions().mode();
    if mode & 0o022 != 0 && mode & 0o1000 == 0 {
        return Err(refused(format!(
            "{} is writable by group or others (mode {:04o}) and not sticky: another user could swap the store; run `chmod go-w {}`",
            dir.display(),
            mode & 0o7777,
            dir.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn trusted_dir(_dir: &Path) -> Result<(), Error> {
    Ok(())
}
