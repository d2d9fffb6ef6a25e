//! The exhaustive model check of the rotation protocol (issue 9): every
//! interleaving within a bound, on the real state machine. `make test` runs
//! the small bound; `make verify` sets `MIA_MODEL_BOUND=large`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

mod model;
mod sim;

use model::{Bound, configs, explore};
use std::time::Instant;

fn bound() -> Bound {
    match std::env::var("MIA_MODEL_BOUND").as_deref() {
        // The small bound plus a person acting in the two-store configuration.
        Ok("large") => Bound {
            crashes: 1,
            faults: 1,
            admin: 1,
            max_depth: 80,
            starts: 1,
            two_store_admin: 1,
        },
        _ => Bound {
            crashes: 1,
            faults: 1,
            admin: 1,
            max_depth: 60,
            starts: 1,
            // The two-store configuration without a person: its person
            // runs are the largest part and are in `make verify`.
            two_store_admin: 0,
        },
    }
}

#[test]
fn the_rotation_protocol_holds_in_every_interleaving() {
    let bound = bound();
    let started = Instant::now();
    let (mut states, mut transitions, mut depth, mut copies, mut finals) = (0, 0, 0, 0, 0);
    let mut violations = Vec::new();
    // One thread per configuration: the machines here have 2 cores.
    let tallies: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = configs(bound.starts, bound.two_store_admin)
            .into_iter()
            .map(|config| {
                s.spawn(move || {
                    let t = Instant::now();
                    let tally = explore(&config, bound);
                    (config, tally, t.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (config, tally, elapsed) in tallies {
        println!(
            "  {}: {} states, {} transitions, {} violations, max depth {}, {} end states, {} runs ended after a wait ({:.1} s)",
            config.name,
            tally.states,
            tally.transitions,
            tally.violations.len(),
            tally.max_depth,
            tally.finals,
            tally.ends_after_sleep,
            elapsed.as_secs_f64()
        );
        states += tally.states;
        transitions += tally.transitions;
        depth = depth.max(tally.max_depth);
        copies += tally.copy_deletes;
        finals += tally.finals;
        assert!(
            tally.ends_after_sleep > 0,
            "{}: no run ended after a wait",
            config.name
        );
        violations.extend(tally.violations);
    }
    println!(
        "model check: {states} states, {transitions} transitions, {} violations, max depth {depth} ({bound:?}; {finals} end states checked; {copies} deletes of a copied orphan tag allowed by the weakened I2; {:.1} s)",
        violations.len(),
        started.elapsed().as_secs_f64()
    );
    for v in violations.iter().take(5) {
        println!("VIOLATION {v}");
    }
    assert!(violations.is_empty(), "{} violations", violations.len());
    assert!(
        finals > 0,
        "no end state was reached: the bound is too small"
    );
}
