//! The `mapsindoors-auth-emulator` binary: first stdout line, startup time, demo credentials,
//! seed files, and a clean exit on SIGTERM.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::print_stdout
)]

mod common;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mapsindoors_auth_emulator::*;

const BIN: &str = env!("CARGO_BIN_EXE_mapsindoors-auth-emulator");

/// Spawns the binary and returns it with the lines of stdout read so far (at least the first).
fn spawn(args: &[&str]) -> (Child, mpsc::Receiver<String>, Duration) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let first = rx.recv_timeout(Duration::from_secs(5));
    let elapsed = start.elapsed();
    let first = first.expect("no line on stdout within 5 s");
    let (tx2, rx2) = mpsc::channel();
    tx2.send(first).unwrap();
    std::thread::spawn(move || {
        for line in rx {
            if tx2.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx2, elapsed)
}

fn terminate(mut child: Child) {
    let pid = child.id().to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !sent {
        child.kill().unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            if sent {
                assert!(status.success(), "exit status after SIGTERM: {status}");
            }
            return;
        }
        assert!(
            Instant::now() < deadline,
            "did not exit within 5 s of SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn prints_the_url_first_and_serves_the_demo_seed() {
    let (child, lines, startup) = spawn(&["--port", "0"]);
    println!("emulator binary startup (spawn to first stdout line): {startup:?}");
    assert!(startup < Duration::from_secs(5), "{startup:?}");
    let first = lines.recv().unwrap();
    let url = first
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    let port: u16 = url
        .strip_prefix("http://127.0.0.1:")
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    let mut banner = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(500)) {
        banner.push(line);
        if banner.iter().any(|l| l.starts_with("user ")) {
            break;
        }
    }
    let banner = banner.join("\n");
    for expected in [
        DEMO_CUSTOMER_ID,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        DEMO_USERNAME,
        DEMO_PASSWORD,
    ] {
        assert!(
            banner.contains(expected),
            "{expected} missing from:\n{banner}"
        );
    }

    let r = common::agent()
        .post(format!("{url}/connect/token"))
        .send_form([
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    terminate(child);
}

#[test]
fn flags_seed_file_lifetime_and_propagation() {
    let dir = std::env::temp_dir().join(format!("mia-emulator-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed_path = dir.join("seed.json");
    std::fs::write(
        &seed_path,
        r#"{"customers":[{"id":"acme","clients":[{"client_id":"acme-sync","secrets":[{"secret":"acme-secret","description":"ci"}]}]}],
            "users":[{"username":"ops@acme.test","password":"hunter2","customers":["acme"]}]}"#,
    )
    .unwrap();
    let (child, lines, _) = spawn(&[
        "--seed",
        seed_path.to_str().unwrap(),
        "--token-lifetime",
        "60",
        "--propagation-ms",
        "250",
        "--host",
        "127.0.0.1",
    ]);
    let url = lines
        .recv()
        .unwrap()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let agent = common::agent();
    let mut r = agent
        .post(format!("{url}/connect/token"))
        .send_form([
            ("grant_type", "password"),
            ("client_id", "client"),
            ("username", "ops@acme.test"),
            ("password", "hunter2"),
        ])
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_str(&r.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["expires_in"], 60);
    let propagation: serde_json::Value = serde_json::from_str(
        &agent
            .get(format!("{url}/_emulator/propagation"))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(propagation["ms"], 250);
    terminate(child);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_seed_file_fails_with_a_message() {
    let dir = std::env::temp_dir().join(format!("mia-emulator-badseed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let seed_path = dir.join("seed.json");
    std::fs::write(&seed_path, r#"{"customers":[{"id":"a"},{"id":"a"}]}"#).unwrap();
    let out = Command::new(BIN)
        .args(["--seed", seed_path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("listed twice"));
    let _ = std::fs::remove_dir_all(&dir);
}
