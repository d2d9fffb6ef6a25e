//! The file store against real files in temp dirs: round trips, 0600,
//! compare-and-swap, atomicity leftovers, refusals that leave bytes alone, locks.
// Test helpers outside #[test] fns may unwrap, panic and index too (a failing test should
// fail loudly), and tests print their figures (matrix, round trips) for --nocapture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

use mapsindoors_auth::{ClientSecret, Config, StoreRecord};
use mapsindoors_auth_store::FileStore;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

const CANARY: &str = "CANARY-store-secret-7f3a";

fn record() -> StoreRecord {
    let config = Config::new("http://127.0.0.1:9")
        .unwrap()
        .with_customer_id("cust")
        .unwrap();
    StoreRecord::new(
        &config,
        "client-a",
        ClientSecret::new(CANARY),
        Some("id-1".into()),
        "l-0011",
    )
    .unwrap()
}

fn next(r: &StoreRecord) -> StoreRecord {
    let mut n = r.clone();
    n.generation += 1;
    n
}

fn kind(e: &mapsindoors_auth::Error) -> String {
    match e {
        mapsindoors_auth::Error::Store { kind, .. } => kind.to_string(),
        other => format!("not a store error: {other}"),
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn create_load_round_trip_with_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    store.create(&record()).unwrap();
    assert_eq!(mode(store.path()), 0o600);
    assert_eq!(store.load().unwrap(), record());
}

/// A store in a folder that does not exist is `missing` (run init), not an
/// I/O error about the folder; nothing is created.
#[test]
fn a_store_in_a_missing_folder_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("no-such-folder").join("s.json"));
    let e = store.load().unwrap_err();
    assert_eq!(kind(&e), "missing", "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    assert!(e.to_string().contains("init"), "{e}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn create_refuses_an_existing_file_and_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    std::fs::write(store.path(), b"not mine").unwrap();
    let e = store.create(&record()).unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
    assert_eq!(std::fs::read(store.path()).unwrap(), b"not mine");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn missing_is_its_own_kind() {
    let dir = tempfile::tempdir().unwrap();
    let e = FileStore::new(dir.path().join("none.json"))
        .load()
        .unwrap_err();
    assert_eq!(kind(&e), "missing");
}

#[test]
fn save_is_compare_and_swap_and_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    let r1 = record();
    store.create(&r1).unwrap();
    let r2 = next(&r1);
    store.save(&r2).unwrap();
    assert_eq!(store.load().unwrap().generation, 2);
    assert_eq!(mode(store.path()), 0o600);
    // The same generation again, or a skipped one: conflict, file unchanged.
    let before = std::fs::read(store.path()).unwrap();
    for bad in [r2.clone(), next(&next(&r2)), r1.clone()] {
        let e = store.save(&bad).unwrap_err();
        assert_eq!(kind(&e), "conflict", "{e}");
        assert_eq!(std::fs::read(store.path()).unwrap(), before);
    }
    // Another lineage is never written over.
    let mut other = next(&r2);
    other.lineage = "l-other".into();
    assert_eq!(kind(&store.save(&other).unwrap_err()), "conflict");
    store.save(&next(&r2)).unwrap();
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "temp files left behind: {names:?}");
}

#[test]
fn save_into_a_missing_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    assert_eq!(kind(&store.save(&next(&record())).unwrap_err()), "missing");
    assert!(!store.path().exists());
}

#[test]
fn bad_files_are_refused_clearly_and_left_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let good = record().to_json();
    let cases: Vec<(&str, Vec<u8>, u32, &str, &str)> = vec![
        (
            "corrupt",
            b"{\"format\": nonsense".to_vec(),
            0o600,
            "corrupt",
            "not valid JSON",
        ),
        (
            "truncated",
            good.as_bytes()[..good.len() / 2].to_vec(),
            0o600,
            "corrupt",
            "truncated",
        ),
        ("empty", Vec::new(), 0o600, "corrupt", "empty"),
        (
            "future",
            good.replace("\"version\": 2", "\"version\": 7")
                .into_bytes(),
            0o600,
            "corrupt",
            "unknown record version 7",
        ),
        (
            "binary",
            vec![0xff, 0xfe, 0x00, 0x80],
            0o600,
            "corrupt",
            "UTF-8",
        ),
        ("open", good.clone().into_bytes(), 0o644, "io", "chmod 600"),
        ("group", good.clone().into_bytes(), 0o640, "io", "mode 0640"),
    ];
    for (name, bytes, perm, want_kind, want_text) in cases {
        let path = dir.path().join(format!("{name}.json"));
        std::fs::write(&path, &bytes).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(perm)).unwrap();
        let store = FileStore::new(&path);
        let e = store.load().unwrap_err();
        assert_eq!(kind(&e), want_kind, "{name}: {e}");
        assert!(e.to_string().contains(want_text), "{name}: {e}");
        assert!(
            !e.to_string().contains(CANARY),
            "{name}: secret in error: {e}"
        );
        let e = store.save(&next(&record())).unwrap_err();
        assert_eq!(kind(&e), want_kind, "{name}: save: {e}");
        assert!(store.create(&record()).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), bytes, "{name}: file changed");
        assert_eq!(mode(&path), perm, "{name}: mode changed");
    }
}

#[test]
fn lock_is_exclusive_until_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    let held = store.lock().unwrap();
    assert!(held.path().ends_with("s.json.lock"));
    assert_eq!(mode(held.path()), 0o600);
    let e = store.try_lock().unwrap_err();
    assert_eq!(kind(&e), "locked");
    let waiter = {
        let store = store.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let _l = store.lock().unwrap();
            started.elapsed()
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(200));
    drop(held);
    let waited = waiter.join().unwrap();
    assert!(
        waited >= std::time::Duration::from_millis(150),
        "lock() did not wait: {waited:?}"
    );
    drop(store.try_lock().unwrap());
}

#[test]
fn debug_of_the_store_and_errors_hold_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    store.create(&record()).unwrap();
    assert!(!format!("{store:?} {:?}", store.load().unwrap()).contains(CANARY));
    assert!(
        std::fs::read_to_string(store.path())
            .unwrap()
            .contains(CANARY)
    );
}

#[test]
fn racing_saves_without_the_lock_let_exactly_one_win() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileStore::new(dir.path().join("s.json"));
    let r1 = record();
    store.create(&r1).unwrap();
    for round in 0..10 {
        let base = store.load().unwrap();
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let wins: usize = (0..8)
            .map(|i| {
                let (store, barrier) = (store.clone(), barrier.clone());
                let mut mine = next(&base);
                mine.description = Some(format!("writer {i}"));
                std::thread::spawn(move || {
                    barrier.wait();
                    match store.save(&mine) {
                        Ok(()) => 1,
                        Err(e) => {
                            assert_eq!(kind(&e), "conflict", "{e}");
                            0
                        }
                    }
                })
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|t| t.join().unwrap())
            .sum();
        assert_eq!(wins, 1, "round {round}: {wins} writers won one generation");
        assert_eq!(store.load().unwrap().generation, base.generation + 1);
    }
}
