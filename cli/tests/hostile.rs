//! Issue 11 against the real CLI binary: tiny hostile HTTP servers on
//! 127.0.0.1 (a thread per connection, std only) answer with redirects, drips,
//! endless bodies, a gzip bomb, control characters and a plain 400, and every
//! run must end in a typed error within its deadline, send nothing on, write no
//! control character from the server to the terminal, and exit with the
//! documented code. Core dumps are off for the process.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::{CLIENT, CUSTOMER, Run, bin, run_cli};
use mapsindoors_auth::{ClientSecret, Config, StoreRecord};
use mapsindoors_auth_store::FileStore;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SECRET: &str = "store-secret-of-script-a-0123456789abcdef";
const GOOD_TOKEN: &str =
    r#"{"access_token":"good-token-0123","token_type":"Bearer","expires_in":3600}"#;

/// What a hostile server saw of one request.
struct Request {
    method: String,
    path: String,
}

type Handler = dyn Fn(&Request, &mut TcpStream) + Send + Sync;

/// A server on 127.0.0.1 that counts its connections and answers each
/// request with `handler`; it lives until the test process ends.
struct Hostile {
    url: String,
    host: String,
    connections: Arc<AtomicUsize>,
}

fn serve(handler: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static) -> Hostile {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let handler: Arc<Handler> = Arc::new(handler);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let handler = handler.clone();
            std::thread::spawn(move || {
                if let Some(request) = read_request(&mut stream) {
                    handler(&request, &mut stream);
                }
            });
        }
    });
    Hostile {
        url: format!("http://{host}"),
        host,
        connections,
    }
}

/// Reads the head and a Content-Length body (at most 64 KiB of each).
fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 65536 || stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next()?.to_owned();
    let path = words.next()?.to_owned();
    let length = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(65536);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(Request { method, path })
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, &str)], body: &[u8]) {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    let _ = stream.write_all(out.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn json(stream: &mut TcpStream, status: &str, body: &str) {
    respond(
        stream,
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
}

/// A token for any POST to the token endpoint; everything else goes to `rest`.
fn with_token(
    rest: impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static,
) -> impl Fn(&Request, &mut TcpStream) + Send + Sync + 'static {
    move |request, stream| {
        if request.method == "POST" && request.path.contains("connect/token") {
            json(stream, "200 OK", GOOD_TOKEN);
        } else {
            rest(request, stream);
        }
    }
}

/// A store (in a temp dir) whose auth URL is the hostile server.
struct Store {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn store_at(url: &str) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.json");
    let config = Config::new(url)
        .unwrap()
        .with_customer_id(CUSTOMER)
        .unwrap();
    let record = StoreRecord::new(
        &config,
        CLIENT,
        ClientSecret::new(SECRET),
        Some("5f0000000000000000000001".to_owned()),
        "hostile-lineage",
    )
    .unwrap();
    FileStore::new(&path).create(&record).unwrap();
    Store { _dir: dir, path }
}

fn cli(store: &Path, args: &[&str]) -> (Run, Duration) {
    let start = Instant::now();
    let run = run_cli(store, args, &[], None);
    (run, start.elapsed())
}

/// Nothing from the server's control characters reaches the terminal: no
/// ESC, BEL, CR, DEL or C1 control in either stream (newlines are the CLI's).
fn assert_no_controls(run: &Run) {
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let bad: Vec<char> = text
            .chars()
            .filter(|c| c.is_control() && *c != '\n')
            .collect();
        assert!(
            bad.is_empty(),
            "{name} holds control characters {bad:?}: {run:?}"
        );
    }
}

/// A second origin: counts what reaches it, answers 200 to anything.
fn second_origin() -> Hostile {
    serve(|_, stream| json(stream, "200 OK", r#"{"ok":true}"#))
}

#[test]
fn a_token_endpoint_redirect_is_refused_naming_its_host_and_nothing_reaches_it() {
    for status in [
        "307 Temporary Redirect",
        "308 Permanent Redirect",
        "302 Found",
    ] {
        let second = second_origin();
        let target = format!("{}/connect/token?x=secret-path", second.url);
        let first =
            serve(move |_, stream| respond(stream, status, &[("Location", target.as_str())], b""));
        let store = store_at(&first.url);
        let (run, _) = cli(&store.path, &["--json", "token"]);
        assert_eq!(
            second.connections.load(Ordering::SeqCst),
            0,
            "{status} followed: {run:?}"
        );
        assert_ne!(run.code, Some(0), "{status}: {run:?}");
        assert!(
            run.stderr.contains(&second.host),
            "{status} names no host: {run:?}"
        );
        assert!(
            !run.stderr.contains("secret-path"),
            "{status} names the path: {run:?}"
        );
        assert!(!run.stdout.contains("access_token"), "{status}: {run:?}");
        assert_eq!(
            run.json()["error"]["code"],
            "unexpected_response",
            "{run:?}"
        );
    }
}

#[test]
fn a_delete_answered_with_a_redirect_is_not_counted_as_deleted() {
    let second = second_origin();
    let target = format!("{}/api/clientcredentials", second.url);
    let first = serve(with_token(move |_, stream| {
        respond(stream, "302 Found", &[("Location", target.as_str())], b"")
    }));
    let store = store_at(&first.url);
    let (run, _) = cli(&store.path, &["delete", "5f00000000000000000000ff"]);
    assert_eq!(
        second.connections.load(Ordering::SeqCst),
        0,
        "followed: {run:?}"
    );
    assert_ne!(run.code, Some(0), "{run:?}");
    assert!(!run.stdout.contains("deleted"), "{run:?}");
    assert!(run.stderr.contains(&second.host), "{run:?}");
}

/// The worst case over a drip in the head and a drip in the body, at a
/// 1000 ms whole-request deadline, must stay under 1500 ms.
#[test]
fn a_server_dripping_one_byte_every_200_ms_ends_in_a_timeout_within_the_deadline() {
    let drip = |prefix: &'static [u8]| {
        move |_: &Request, stream: &mut TcpStream| {
            for b in prefix.iter().copied().chain(std::iter::repeat(b' ')) {
                if stream
                    .write_all(&[b])
                    .and_then(|()| stream.flush())
                    .is_err()
                {
                    return;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    };
    let mut worst = Duration::ZERO;
    for (case, prefix) in [
        ("head", &b"HTTP/1.1 200 OK\r\nX-Drip: "[..]),
        (
            "body",
            &b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"access_token\":"[..],
        ),
    ] {
        let server = serve(drip(prefix));
        let store = store_at(&server.url);
        let (run, took) = cli(
            &store.path,
            &["--json", "--timeout-ms", "1000", "--retries", "0", "token"],
        );
        println!("drip in the {case}: typed error after {} ms", took.as_millis());
        assert_eq!(run.code, Some(4), "{case}: {run:?}");
        assert_eq!(run.json()["error"]["code"], "transport", "{case}: {run:?}");
        assert!(run.stderr.contains("timeout") || run.stderr.contains("timed out"), "{case}: {run:?}");
        worst = worst.max(took);
    }
    println!(
        "drip worst case: {} ms at a 1000 ms deadline",
        worst.as_millis()
    );
    assert!(worst < Duration::from_millis(1500), "worst case {worst:?}");
}

/// Runs the CLI under /usr/bin/time (if present) for its peak RSS in KiB.
fn cli_with_peak_rss(store: &Path, args: &[&str]) -> (Run, Option<u64>, Duration) {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        let (run, took) = cli(store, args);
        return (run, None, took);
    }
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("rss");
    let start = Instant::now();
    let out = Command::new(time)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&report)
        .arg(bin())
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("http_proxy")
        .env_remove("HTTP_PROXY")
        .env_remove("all_proxy")
        .env_remove("ALL_PROXY")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let took = start.elapsed();
    let run = Run::from(out);
    let kib = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| t.lines().last()?.trim().parse().ok());
    (run, kib, took)
}

#[test]
fn an_endless_body_and_a_gzip_bomb_end_in_a_typed_error_with_bounded_memory() {
    // Baseline: a plain 400 answered at once.
    let plain = serve(|_, stream| respond(stream, "400 Bad Request", &[], b"no"));
    let store = store_at(&plain.url);
    let (_, base, _) = cli_with_peak_rss(&store.path, &["--json", "--retries", "0", "token"]);

    let endless = serve(|_, stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        );
        let chunk = vec![b'a'; 64 * 1024];
        while stream.write_all(&chunk).is_ok() {}
    });
    let store = store_at(&endless.url);
    let (run, peak, took) = cli_with_peak_rss(&store.path, &["--json", "--retries", "0", "token"]);
    println!(
        "endless body: exit {:?} after {} ms, peak RSS {peak:?} KiB (baseline {base:?} KiB)",
        run.code,
        took.as_millis()
    );
    assert_eq!(run.code, Some(4), "{run:?}");
    assert_eq!(
        run.json()["error"]["code"],
        "unexpected_response",
        "{run:?}"
    );
    assert!(run.stderr.contains("cap"), "{run:?}");
    if let (Some(peak), Some(base)) = (peak, base) {
        assert!(
            peak < base + 16 * 1024,
            "peak {peak} KiB vs baseline {base} KiB"
        );
    }

    // 256 MiB of zeros, gzipped (about 256 KiB), sent as Content-Encoding: gzip.
    let Ok(gz) = Command::new("sh")
        .arg("-c")
        .arg("head -c 268435456 /dev/zero | gzip -c")
        .output()
    else {
        println!("gzip bomb: skipped (no sh/gzip)");
        return;
    };
    let bomb = gz.stdout;
    assert!(bomb.len() > 1000, "no gzip output");
    let server = serve(move |_, stream| {
        respond(
            stream,
            "200 OK",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
            ],
            &bomb,
        )
    });
    let store = store_at(&server.url);
    let (run, peak, took) = cli_with_peak_rss(&store.path, &["--json", "--retries", "0", "token"]);
    println!(
        "gzip bomb: exit {:?} after {} ms, peak RSS {peak:?} KiB (baseline {base:?} KiB)",
        run.code,
        took.as_millis()
    );
    assert_eq!(run.code, Some(4), "{run:?}");
    assert_eq!(
        run.json()["error"]["code"],
        "unexpected_response",
        "{run:?}"
    );
    if let (Some(peak), Some(base)) = (peak, base) {
        assert!(
            peak < base + 16 * 1024,
            "peak {peak} KiB vs baseline {base} KiB"
        );
    }
}

#[test]
fn a_token_that_is_not_an_rfc_6750_token_is_never_printed() {
    for token in [
        "abc\\r\\nX-Injected: 1",
        "\\u001b[2J\\u001b]0;pwned\\u0007",
        "a b",
        "tok\\u009ben",
    ] {
        let body =
            format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#);
        let server = serve(move |_, stream| json(stream, "200 OK", &body));
        let store = store_at(&server.url);
        for args in [&["token"][..], &["--json", "token"][..]] {
            let (run, _) = cli(&store.path, args);
            assert_ne!(run.code, Some(0), "{token}: {run:?}");
            assert!(!run.stdout.contains("access_token\""), "{token}: {run:?}");
            assert_no_controls(&run);
        }
    }
}

#[test]
fn control_characters_from_the_server_never_reach_the_terminal() {
    // An RFC 6749 error whose description carries escape sequences.
    let server = serve(|_, stream| {
        json(
            stream,
            "400 Bad Request",
            r#"{"error":"invalid_client","error_description":"\u001b[31mred\u001b[0m\r\nerror: fake\u0007\u009b2J\u007f"}"#,
        )
    });
    let store = store_at(&server.url);
    for args in [&["token"][..], &["--json", "token"][..]] {
        let (run, _) = cli(&store.path, args);
        assert_eq!(run.code, Some(3), "{run:?}");
        assert_no_controls(&run);
    }
    // A listed secret whose description and id carry them.
    let server = serve(with_token(|_, stream| {
        json(
            stream,
            "200 OK",
            r#"[{"id":"5f01\u001b[1m","description":"\u001b]0;title\u0007x\r\u009b","client_id":"acme-sync","createdAt":"2024-01-01T00:00:00Z"}]"#,
        )
    }));
    let store = store_at(&server.url);
    for args in [&["list"][..], &["--json", "list"][..]] {
        let (run, _) = cli(&store.path, args);
        assert_eq!(run.code, Some(0), "{run:?}");
        assert!(run.stdout.contains("5f01"), "{run:?}");
        assert_no_controls(&run);
        if args[0] == "--json" {
            // Still valid JSON with the original text.
            assert_eq!(run.json()[0]["description"], "\u{1b}]0;title\u{7}x\r\u{9b}");
        }
    }
}

#[test]
fn a_plain_400_from_the_secrets_endpoint_is_a_client_error_not_a_network_one() {
    let server = serve(with_token(|_, stream| {
        respond(
            stream,
            "400 Bad Request",
            &[("Content-Type", "text/plain")],
            b"bad request",
        )
    }));
    let store = store_at(&server.url);
    for args in [&["--json", "list"][..], &["--json", "create"][..]] {
        let (run, _) = cli(&store.path, args);
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        let error = &run.json()["error"];
        assert_eq!(error["status"], 400, "{run:?}");
        assert_eq!(error["exit_code"], 2, "{run:?}");
    }
}

#[test]
fn core_dumps_are_off_for_the_process() {
    // A server that never answers keeps the CLI alive while its limits are read.
    let server = serve(|_, stream| {
        std::thread::sleep(Duration::from_secs(20));
        let _ = stream.flush();
    });
    let store = store_at(&server.url);
    // The shell raises the soft limit first, so the CLI inherits a non-zero one.
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -c unlimited 2>/dev/null || ulimit -c 1024; exec "$0" "$@""#)
        .arg(bin())
        .arg("--store")
        .arg(&store.path)
        .args(["--timeout-ms", "10000", "--retries", "0", "token"])
        .env_remove("http_proxy")
        .env_remove("all_proxy")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.connections.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id()));
    let _ = child.kill();
    let _ = child.wait();
    let limits = limits.unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let values: Vec<&str> = line.split_whitespace().skip(4).take(2).collect();
    assert_eq!(values, ["0", "0"], "{line}");
}
