//! `mia-bench`: the core beside oauth2-rs on the same inputs. Every mode
//! first checks that both sides produce the same result.
//!
//! ```text
//! mia-bench [table]        checks, callgrind instructions, criterion medians, one table on stdout
//! mia-bench check          the checks only
//! mia-bench run OP SIDE N  OP (build|parse_token|round_trip|parse_list) N times on SIDE (ours|peer)
//! mia-bench time           the criterion runs alone (its report on stdout)
//! ```
//! Output goes under `$MIA_BENCH_OUT` (default: `bench-out` beside the binary).
//! `scripts/bench-core.sh` builds and runs it.

mod callgrind;
mod check;
mod fixture;
mod ops;
mod ours;
mod peer;
mod table;
mod timing;

use fixture::Fixture;
use ops::{Op, Side};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        [] | ["table"] => table(),
        ["check"] => checked_fixture().map(|_| eprintln!("checks passed")),
        ["run", op, side, n] => run(op, side, n),
        ["time"] => checked_fixture().and_then(|f| {
            timing::run(&f, &out_dir()?.join("criterion"));
            Ok(())
        }),
        _ => Err("usage: mia-bench [table | check | run OP SIDE N | time]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mia-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn checked_fixture() -> Result<Fixture, String> {
    let fixture = Fixture::new()?;
    check::all(&fixture).map_err(|e| format!("the two sides disagree: {e}"))?;
    Ok(fixture)
}

fn out_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("MIA_BENCH_OUT") {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    Ok(exe.parent().unwrap_or(Path::new(".")).join("bench-out"))
}

fn run(op: &str, side: &str, n: &str) -> Result<(), String> {
    let op = Op::from_id(op).ok_or_else(|| format!("no operation `{op}`"))?;
    let side = Side::from_id(side).ok_or_else(|| format!("no side `{side}`"))?;
    let n = n.parse().map_err(|_| format!("not a count: `{n}`"))?;
    ops::repeat(&checked_fixture()?, op, side, n);
    Ok(())
}

fn table() -> Result<(), String> {
    drop(checked_fixture()?);
    eprintln!("checks passed: both sides give the same results on the same inputs");
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this binary: {e}"))?;
    let out = out_dir()?;
    let cg_dir = out.join("callgrind");
    std::fs::create_dir_all(&cg_dir).map_err(|e| format!("{}: {e}", cg_dir.display()))?;
    let mut instructions = Vec::new();
    for op in Op::ALL {
        let ours = callgrind::per_op(&exe, &cg_dir, op, Side::Ours)?;
        let peer = callgrind::per_op(&exe, &cg_dir, op, Side::Peer)?;
        eprintln!("callgrind {}: {ours:.0} vs {peer:.0} instructions", op.id());
        instructions.push((ours, peer));
    }
    // criterion in a child process, its report on our stderr: stdout keeps only the table.
    let criterion_dir = out.join("criterion");
    let status = Command::new(&exe)
        .arg("time")
        .env("MIA_BENCH_OUT", &out)
        .env("CRITERION_HOME", &criterion_dir)
        .stdout(std::io::stderr())
        .status()
        .map_err(|e| format!("cannot start the criterion run: {e}"))?;
    if !status.success() {
        return Err(format!("the criterion run failed: {status}"));
    }
    let mut rows = Vec::new();
    for (op, instructions) in Op::ALL.into_iter().zip(instructions) {
        rows.push(table::Row {
            op,
            instructions,
            median_ns: (
                timing::median_ns(&criterion_dir, op, Side::Ours)?,
                timing::median_ns(&criterion_dir, op, Side::Peer)?,
            ),
        });
    }
    print!("{}", table::render(&rows));
    println!(
        "instructions: callgrind, (Ir of {} runs - Ir of {} runs) / {} in two processes; \
         medians: criterion, {} samples over 2 s each",
        callgrind::WARM + callgrind::MEASURED,
        callgrind::WARM,
        callgrind::MEASURED,
        50
    );
    Ok(())
}
