//! Eight processes rotate one store at once, three rounds each: the lock
//! serialises them, nothing is lost, no orphan is left, and every rotation
//! reports a distinct, per-process increasing generation.
// Test helpers outside #[test] fns may unwrap, panic and index too (a failing test should
// fail loudly), and tests print their figures (matrix, round trips) for --nocapture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::Harness;
use std::collections::BTreeSet;

const PROCESSES: usize = 8;
const ROUNDS: usize = 3;

#[test]
fn eight_processes_rotate_one_store() {
    let h = Harness::new();
    h.init("store-secret-of-script-a-0123456789abcdef");
    let store = h.store.clone();
    let started = std::time::Instant::now();
    let workers: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let store = store.clone();
            std::thread::spawn(move || {
                (0..ROUNDS)
                    .map(|_| {
                        let run = common::run_cli(&store, &["rotate", "--json"], &[], None);
                        assert_eq!(run.code, Some(0), "{run:?}");
                        let report = run.json();
                        assert_eq!(report["rotated"], true, "{report}");
                        report["generation"].as_u64().unwrap()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut all = BTreeSet::new();
    for w in workers {
        let generations = w.join().unwrap();
        assert!(
            generations.windows(2).all(|p| p[0] < p[1]),
            "not increasing within a process: {generations:?}"
        );
        for g in generations {
            assert!(all.insert(g), "generation {g} reported twice");
        }
    }
    let record = h.record();
    assert_eq!(all.len(), PROCESSES * ROUNDS);
    assert_eq!(
        all.last().copied(),
        Some(record.generation),
        "the last rotation's generation is the store's"
    );
    assert!(h.current_works(), "the store's secret must work");
    h.clean().unwrap();
    println!(
        "concurrency: {} rotations by {PROCESSES} processes in {:.1} s; generations {:?}",
        PROCESSES * ROUNDS,
        started.elapsed().as_secs_f64(),
        all
    );
}
