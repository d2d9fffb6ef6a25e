//! The shared hostile-server corpus (`tests/hostile/cases.json`) against the
//! real CLI binary and the emulator's hostile mode: every case ends in the
//! expected typed error (exit code and `--json` error), within its time,
//! sends nothing to the second origin, keeps memory bounded (peak RSS growth
//! over a plain run, sampled from `/proc`), and leaves the store in a state
//! the next run recovers from. Prints `hostile: N passed, 0 failed (cli)`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::{CLIENT, CUSTOMER, Harness, Run, bin};
use mapsindoors_auth_emulator::FaultRule;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";

fn corpus() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile/cases.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Runs the CLI, sampling its peak RSS (`VmHWM`, KiB) every 5 ms.
fn cli_measured(store: &Path, args: &[&str]) -> (Run, u64, Duration) {
    let start = Instant::now();
    let mut child = Command::new(bin())
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("MAPSINDOORS_CLIENT_SECRET")
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        if let Some(kib) = std::fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        }) {
            peak = kib;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().unwrap();
    let took = start.elapsed();
    let run = Run::from(out);
    (run, peak, took)
}

/// The CLI arguments for a case's call.
fn args_of(corpus: &Value, case: &Value) -> Vec<String> {
    let settings = &corpus["settings"];
    let mut args: Vec<String> = vec![
        "--json".into(),
        "--timeout-ms".into(),
        settings["timeout_ms"].to_string(),
        "--retries".into(),
        settings["retries"].to_string(),
    ];
    match case["call"].as_str().unwrap() {
        "token" => args.push("token".into()),
        "list" => args.push("list".into()),
        "create" => args.extend([
            "create".into(),
            "--description".into(),
            corpus["description"].as_str().unwrap().into(),
        ]),
        "delete" => args.extend([
            "delete".into(),
            corpus["delete_id"].as_str().unwrap().into(),
        ]),
        "rotate" => args.push("rotate".into()),
        other => panic!("unknown call {other}"),
    }
    args
}

/// What is wrong with the outcome, if anything.
fn check_outcome(case: &Value, run: &Run, took: Duration) -> Result<(), String> {
    let max_ms = case["max_ms"].as_u64().unwrap_or(1500);
    if took > Duration::from_millis(max_ms) {
        return Err(format!("took {} ms > {max_ms} ms", took.as_millis()));
    }
    for text in [&run.stdout, &run.stderr] {
        if text.contains(SECRET) {
            return Err("the secret reached the output".into());
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err("a control character reached the terminal".into());
        }
    }
    let expect = &case["expect"];
    if expect.get("ok").is_some() {
        return if run.code == Some(0) {
            Ok(())
        } else {
            Err(format!("expected success: {run:?}"))
        };
    }
    let want = &expect["error"];
    if run.code == Some(0) {
        return Err(format!("succeeded against a hostile server: {run:?}"));
    }
    let line = run
        .stdout
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .ok_or_else(|| format!("no JSON error: {run:?}"))?;
    let got: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let got = &got["error"];
    let kinds: Vec<&str> = want["kind"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let kind = got["code"].as_str().unwrap_or_default();
    if !kinds.contains(&kind) {
        return Err(format!("kind {kind}, want one of {kinds:?}: {run:?}"));
    }
    for (field, ours) in [
        ("status", "status"),
        ("transport_kind", "transport_kind"),
        ("oauth_code", "oauth_error"),
    ] {
        if let Some(w) = want.get(field) {
            if &got[ours] != w {
                return Err(format!("{field} {}, want {w}: {run:?}", got[ours]));
            }
        }
    }
    let message = got["message"].as_str().unwrap_or_default();
    for part in want["message_has"].as_array().into_iter().flatten() {
        let part = part.as_str().unwrap();
        if !message.contains(part) {
            return Err(format!("message lacks {part:?}: {message}"));
        }
    }
    for part in want["message_lacks"].as_array().into_iter().flatten() {
        let part = part.as_str().unwrap();
        if message.contains(part) || run.stderr.contains(part) {
            return Err(format!("message holds {part:?}: {message}"));
        }
    }
    Ok(())
}

/// Runs one case on a fresh emulator; returns the peak RSS (KiB) and time.
fn run_case(corpus: &Value, case: &Value) -> Result<(u64, Duration), String> {
    let h = Harness::alone();
    h.init(SECRET);
    let before = h.server_ids();
    for fault in case["faults"].as_array().unwrap() {
        let rule: FaultRule = serde_json::from_value(fault.clone()).map_err(|e| e.to_string())?;
        h.emu.inject(rule);
    }
    let args = args_of(corpus, case);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (run, peak, took) = cli_measured(&h.store, &args);
    check_outcome(case, &run, took)?;
    let got = run
        .stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str::<Value>(l).ok()?.get("error").cloned())
        .map_or_else(
            || "ok".to_owned(),
            |e| format!("{}/{}/{}", e["code"], e["status"], e["transport_kind"]).replace('"', ""),
        );
    println!(
        "hostile case {}: {got} in {} ms",
        case["name"].as_str().unwrap_or_default(),
        took.as_millis()
    );
    let hits = h.emu.elsewhere();
    if !hits.is_empty() {
        return Err(format!("reached the second origin: {hits:?}"));
    }
    h.emu.clear_faults();
    if case["call"] == "rotate" {
        let again = h.cli(&["--json", "rotate"]);
        if again.code != Some(0) {
            return Err(format!("the next rotation failed: {again:?}"));
        }
        if !h.current_works() {
            return Err("the store's secret does not log in".into());
        }
        let record = h.record();
        let want: std::collections::BTreeSet<String> = record.current.id.iter().cloned().collect();
        if h.server_ids() != want {
            return Err(format!(
                "the server holds {:?}, the store {want:?}: a secret was orphaned or a delete counted as done",
                h.server_ids()
            ));
        }
    } else if h.server_ids() != before {
        return Err(format!(
            "the server's secrets changed: {:?} -> {:?}",
            before,
            h.server_ids()
        ));
    }
    let _ = (CLIENT, CUSTOMER);
    Ok((peak, took))
}

#[test]
fn every_hostile_case_ends_in_a_typed_error_in_time_and_sends_nothing_on() {
    let corpus = corpus();
    // Baseline: a plain `token` against an honest emulator that answers after
    // 300 ms, so the sampler sees the process at work, not just started.
    let h = Harness::alone();
    h.init(SECRET);
    h.emu.inject(
        serde_json::from_value(serde_json::json!({"route": "token", "action": {"delay_ms": 300}}))
            .unwrap(),
    );
    let (run, base, _) = cli_measured(&h.store, &["--json", "token"]);
    assert_eq!(run.code, Some(0), "{run:?}");

    let cases = corpus["cases"].as_array().unwrap();
    let mut failed = Vec::new();
    let mut deadline_cases = Vec::new();
    let (mut peak, mut peak_case) = (0, "");
    let (mut slowest, mut slowest_case) = (Duration::ZERO, "");
    for case in cases {
        let name = case["name"].as_str().unwrap();
        match run_case(&corpus, case) {
            Ok((rss, took)) => {
                if case["expect"]["error"]["transport_kind"] == "timeout" {
                    deadline_cases.push(format!("{name} {} ms", took.as_millis()));
                }
                if rss > peak {
                    (peak, peak_case) = (rss, name);
                }
                if took > slowest {
                    (slowest, slowest_case) = (took, name);
                }
            }
            Err(e) => failed.push(format!("{name}: {e}")),
        }
    }
    println!(
        "hostile: slowest {} ms ({slowest_case}, deadline {} ms); peak RSS {peak} KiB ({peak_case}) vs {base} KiB for a plain token: growth {} KiB",
        slowest.as_millis(),
        corpus["settings"]["timeout_ms"],
        peak.saturating_sub(base)
    );
    println!(
        "hostile: time to a timeout error (deadline {} ms): {}",
        corpus["settings"]["timeout_ms"],
        deadline_cases.join(", ")
    );
    println!(
        "hostile: {} passed, {} failed (cli)",
        cases.len() - failed.len(),
        failed.len()
    );
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(peak < base + 16 * 1024, "peak RSS {peak} KiB vs {base} KiB");
}
