//! Hostile paths the store refuses instead of trusting: a symlinked store
//! (its target keeps the bytes), a FIFO (no hang), a file of another user,
//! a directory others can write to, and a dangling link at the lock path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mapsindoors_auth::{ClientSecret, Config, StoreRecord};
use mapsindoors_auth_store::FileStore;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

fn record() -> StoreRecord {
    let config = Config::new("http://127.0.0.1:9")
        .unwrap()
        .with_customer_id("cust")
        .unwrap();
    StoreRecord::new(
        &config,
        "client-a",
        ClientSecret::new("s-hostile-paths"),
        Some("id-1".into()),
        "l-0011",
    )
    .unwrap()
}

#[test]
fn a_symlinked_store_is_refused_and_its_target_kept() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("volume.json");
    FileStore::new(&target).create(&record()).unwrap();
    let before = std::fs::read(&target).unwrap();
    let link = dir.path().join("store.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let store = FileStore::new(&link);
    let e = store.load().unwrap_err().to_string();
    assert!(
        e.contains("symbolic link") && e.contains("volume.json"),
        "{e}"
    );
    let mut next = record();
    next.generation += 1;
    let e = store.save(&next).unwrap_err().to_string();
    assert!(e.contains("symbolic link"), "{e}");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read(&target).unwrap(), before);
}

#[test]
fn a_fifo_at_the_store_path_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let ok = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .unwrap();
    assert!(ok.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let store = FileStore::new(&path);
    std::thread::spawn(move || tx.send(store.load().map(drop)).unwrap());
    let start = Instant::now();
    let result = rx
        .recv_timeout(Duration::from_secs(5))
        .expect("load() hung on a FIFO");
    let e = result.unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_store_of_another_user_is_not_trusted() {
    if rustix::process::geteuid().as_raw() != 0 {
        return; // Only root can hand a file to another user.
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    FileStore::new(&path).create(&record()).unwrap();
    std::os::unix::fs::chown(&path, Some(65534), Some(65534)).unwrap();
    let e = FileStore::new(&path).load().unwrap_err().to_string();
    assert!(e.contains("owned by uid 65534"), "{e}");
}

#[test]
fn a_directory_others_can_write_is_refused_unless_sticky() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    FileStore::new(&path).create(&record()).unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let e = FileStore::new(&path).load().unwrap_err().to_string();
    assert!(e.contains("chmod go-w"), "{e}");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o1777)).unwrap();
    FileStore::new(&path).load().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_dangling_link_at_the_lock_path_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    FileStore::new(&path).create(&record()).unwrap();
    let elsewhere = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&elsewhere, dir.path().join("store.json.lock")).unwrap();
    assert!(FileStore::new(&path).lock().is_err());
    assert!(
        !elsewhere.exists(),
        "the lock created a file through the link"
    );
}

#[test]
fn a_held_lock_is_waited_for_only_so_long() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    FileStore::new(&path).create(&record()).unwrap();
    let _held = FileStore::new(&path).lock().unwrap();
    let start = Instant::now();
    let e = FileStore::new(&path)
        .lock_within(Duration::from_millis(300))
        .unwrap_err();
    let took = start.elapsed();
    assert!(e.to_string().contains("still locked"), "{e}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(2),
        "{took:?}"
    );
}
