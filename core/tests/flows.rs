//! The flow vectors (`tests/flows/*.json`): whole-flow transcripts every
//! binding replays. This file records each scenario by driving a real
//! [`Session`] against the in-memory server of `sim`, checks the recording
//! equals the committed file (`MIA_BLESS_FLOWS=1` rewrites it), and replays
//! every committed file from its JSON alone, as the bindings do.

// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

#[path = "flows/record.rs"]
#[allow(unreachable_pub)]
mod record;
#[path = "flows/replay.rs"]
#[allow(unreachable_pub)]
mod replay;
#[path = "flows/scenarios.rs"]
#[allow(unreachable_pub)]
mod scenarios;
mod sim;

use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/flows")
}

#[test]
fn recordings_match_the_committed_vectors() {
    let bless = std::env::var_os("MIA_BLESS_FLOWS").is_some();
    let mut stale = Vec::new();
    let scenarios = scenarios::all();
    for scenario in &scenarios {
        let recorded = record::record(scenario);
        let text = serde_json::to_string_pretty(&recorded).unwrap() + "\n";
        let path = dir().join(format!("{}.json", scenario.name));
        if bless {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(scenario.name);
        }
    }
    // No committed vector without a scenario.
    let names: Vec<&str> = scenarios.iter().map(|s| s.name).collect();
    for entry in std::fs::read_dir(dir()).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        if let Some(name) = file.strip_suffix(".json") {
            assert!(names.contains(&name), "{file} has no scenario");
        }
    }
    assert!(
        stale.is_empty(),
        "the core now behaves differently in {stale:?}; if intended, run with MIA_BLESS_FLOWS=1 and review the diff"
    );
}

#[test]
fn every_vector_replays() {
    let mut count = 0;
    let mut failures = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    for path in paths {
        let vector: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        count += 1;
        if let Err(e) = replay::replay(&vector) {
            failures.push(format!("{}: {e}", path.display()));
        }
    }
    println!("flow vectors: {} passed (rust)", count - failures.len());
    assert!(count >= 10, "too few flow vectors: {count}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
