//! Wall-time medians with criterion: every (operation, side) as its own
//! benchmark, ours then the peer's for each operation, short runs so the
//! whole table fits in a few minutes on 2 cores. Medians are read back from
//! criterion's `estimates.json`.

use crate::fixture::Fixture;
use crate::ops::{Op, Runner, Side, drive};
use criterion::Criterion;
use std::path::Path;
use std::time::Duration;

/// The benchmark's name (and criterion's folder for it).
pub fn bench_id(op: Op, side: Side) -> String {
    format!("{}-{}", op.id(), side.id())
}

/// Runs every benchmark; criterion reports on stdout and writes under `dir`.
pub fn run(fixture: &Fixture, dir: &Path) {
    let mut c = Criterion::default()
        .output_directory(dir)
        .without_plots()
        .with_output_color(false)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(50)
        .nresamples(20_000);
    struct Bench<'a>(&'a mut Criterion);
    impl Runner for Bench<'_> {
        fn run<T, F: FnMut() -> T>(&mut self, op: Op, side: Side, mut f: F) {
            self.0
                .bench_function(&bench_id(op, side), |b| b.iter(&mut f));
        }
    }
    for op in Op::ALL {
        for side in Side::BOTH {
            drive(fixture, op, side, &mut Bench(&mut c));
        }
    }
    c.final_summary();
}

/// The median time of one benchmark, in nanoseconds.
///
/// # Errors
/// When criterion wrote no estimate for it.
pub fn median_ns(dir: &Path, op: Op, side: Side) -> Result<f64, String> {
    let file = dir
        .join(bench_id(op, side))
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    json.pointer("/median/point_estimate")
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| format!("no median in {}", file.display()))
}
