//! Instructions per operation under callgrind, by difference: the binary
//! runs one (operation, side) `WARM` times, then in a second process
//! `WARM + MEASURED` times; (Ir₂ − Ir₁) / MEASURED cancels start-up, input
//! set-up, the checks and the first iterations' allocator growth, and needs
//! no symbol names (which LTO inlining makes unreliable).

use crate::ops::{Op, Side};
use std::path::Path;
use std::process::Command;

/// Iterations in the first run (they also warm the allocator).
pub const WARM: u64 = 20;
/// Extra iterations in the second run: the divisor.
pub const MEASURED: u64 = 200;

/// Instructions one `op` takes on `side`.
///
/// # Errors
/// When valgrind is missing or fails, or its output cannot be read.
pub fn per_op(exe: &Path, out: &Path, op: Op, side: Side) -> Result<f64, String> {
    let base = total(exe, out, op, side, WARM)?;
    let more = total(exe, out, op, side, WARM + MEASURED)?;
    let extra = more.checked_sub(base).ok_or_else(|| {
        format!(
            "{}/{}: {more} instructions for {} runs but {base} for {WARM}",
            op.id(),
            side.id(),
            WARM + MEASURED
        )
    })?;
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    Ok(extra as f64 / MEASURED as f64)
}

/// Total instructions of one run of `n` iterations.
fn total(exe: &Path, out: &Path, op: Op, side: Side, n: u64) -> Result<u64, String> {
    let file = out.join(format!("callgrind.{}.{}.{n}", op.id(), side.id()));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--quiet")
        .arg(format!("--callgrind-out-file={}", file.display()))
        .arg(exe)
        .args(["run", op.id(), side.id(), &n.to_string()])
        .status()
        .map_err(|e| {
            format!("cannot start valgrind ({e}); install it (apt-get install valgrind)")
        })?;
    if !status.success() {
        return Err(format!("valgrind {} {} {n}: {status}", op.id(), side.id()));
    }
    let text = std::fs::read_to_string(&file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    text.lines()
        .find_map(|line| {
            line.strip_prefix("totals:")
                .or_else(|| line.strip_prefix("summary:"))
        })
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("no instruction total in {}", file.display()))
}
