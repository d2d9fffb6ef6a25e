//! Shared harness for the CLI tests: an in-process emulator seeded with the
//! store's secret and a sibling secret of the same client ("another script"),
//! a store in a temp dir, and the real `mapsindoors-auth` binary as a child.
// Test helpers outside #[test] fns may unwrap, panic and index too (a failing test should
// fail loudly), and tests print their figures (matrix, round trips) for --nocapture.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]
#![allow(dead_code, missing_docs, unreachable_pub)]

use mapsindoors_auth::StoreRecord;
use mapsindoors_auth_emulator::{
    Emulator, EmulatorConfig, Seed, SeedClient, SeedCustomer, SeedSecret, Sensitive,
};
use mapsindoors_auth_store::FileStore;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

pub const CUSTOMER: &str = "acme";
pub const CLIENT: &str = "acme-sync";
pub const STORE_SECRET_ID: &str = "5f0000000000000000000001";
pub const SIBLING_ID: &str = "5f0000000000000000000002";
pub const SIBLING_SECRET: &str = "sibling-secret-of-another-script-0123456789abcdef";
pub const OTHER_CUSTOMER: &str = "other";

pub fn seed(store_secret: &str) -> Seed {
    seed_with(store_secret, true)
}

/// The seed; without `sibling` the store's secret is the client's only one.
pub fn seed_with(store_secret: &str, sibling: bool) -> Seed {
    let secret = |id: &str, description: &str, value: &str| SeedSecret {
        id: Some(id.to_owned()),
        description: description.to_owned(),
        secret: Some(Sensitive::new(value)),
        ..SeedSecret::default()
    };
    let mut client = SeedClient::new(CLIENT);
    client
        .secrets
        .push(secret(STORE_SECRET_ID, "script A", store_secret));
    if sibling {
        client.secrets.push(secret(
            SIBLING_ID,
            "script B (another script)",
            SIBLING_SECRET,
        ));
    }
    Seed {
        customers: vec![
            SeedCustomer::new(CUSTOMER).with_client(client),
            SeedCustomer::new(OTHER_CUSTOMER)
                .with_client(SeedClient::new("other-sync").with_secret("other-secret-xyz", "x")),
        ],
        users: Vec::new(),
    }
}

pub struct Harness {
    pub emu: Emulator,
    pub dir: tempfile::TempDir,
    pub store: PathBuf,
    /// Whether the client has the sibling secret of another script.
    pub sibling: bool,
    /// Ids of other secrets no run may touch (hand-made ones), checked by `clean`.
    pub untouchable: std::cell::RefCell<BTreeSet<String>>,
}

pub struct Run {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// What a finished child printed and how it ended.
    pub fn from(out: Output) -> Self {
        use std::os::unix::process::ExitStatusExt;
        Run {
            code: out.status.code(),
            signal: out.status.signal(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn json(&self) -> serde_json::Value {
        let line = self
            .stdout
            .lines()
            .last()
            .unwrap_or_else(|| panic!("no stdout; stderr: {}", self.stderr));
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"))
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?} signal {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.signal, self.stdout, self.stderr
        )
    }
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_mapsindoors-auth")
}

/// Runs the CLI with a clean environment for what it reads.
pub fn run_cli(
    store: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
) -> Run {
    let mut cmd = Command::new(bin());
    cmd.arg("--store").arg(store).args(args);
    for var in [
        "MAPSINDOORS_CLIENT_SECRET",
        "MAPSINDOORS_AUTH_STORE",
        "MIA_CRASH_AT",
        "RUST_LOG",
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the CLI");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    Run::from(child.wait_with_output().unwrap())
}

impl Harness {
    pub fn new() -> Self {
        Self::with_secret("store-secret-of-script-a-0123456789abcdef")
    }

    pub fn with_secret(store_secret: &str) -> Self {
        Self::build(store_secret, true)
    }

    /// A client whose only secret is the store's.
    pub fn alone() -> Self {
        Self::build("store-secret-of-script-a-0123456789abcdef", false)
    }

    fn build(store_secret: &str, sibling: bool) -> Self {
        let emu =
            Emulator::start_background(EmulatorConfig::with_seed(seed_with(store_secret, sibling)))
                .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("store.json");
        Harness {
            emu,
            dir,
            store,
            sibling,
            untouchable: std::cell::RefCell::new(BTreeSet::new()),
        }
    }

    /// `init` with these flags (after the URL, customer and client) and the
    /// secret from the environment; not checked.
    pub fn init_with(&self, secret: &str, flags: &[&str]) -> Run {
        let url = self.emu.base_url();
        let mut args = vec![
            "init",
            "--auth-url",
            &url,
            "--customer-id",
            CUSTOMER,
            "--client-id",
            CLIENT,
        ];
        args.extend_from_slice(flags);
        run_cli(
            &self.store,
            &args,
            &[("MAPSINDOORS_CLIENT_SECRET", secret)],
            None,
        )
    }

    pub fn cli(&self, args: &[&str]) -> Run {
        run_cli(&self.store, args, &[], None)
    }

    pub fn cli_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        run_cli(&self.store, args, env, None)
    }

    /// `init` with the seeded store secret, from the environment, naming (and so
    /// claiming) it with `--secret-id`: the first rotation deletes it.
    pub fn init(&self, secret: &str) -> Run {
        let url = self.emu.base_url();
        let run = run_cli(
            &self.store,
            &[
                "init",
                "--auth-url",
                &url,
                "--customer-id",
                CUSTOMER,
                "--client-id",
                CLIENT,
                "--secret-id",
                STORE_SECRET_ID,
            ],
            &[("MAPSINDOORS_CLIENT_SECRET", secret)],
            None,
        );
        assert_eq!(run.code, Some(0), "init: {run:?}");
        run
    }

    pub fn record(&self) -> StoreRecord {
        FileStore::new(&self.store).load().unwrap()
    }

    /// The ids of the client's secrets on the server.
    pub fn server_ids(&self) -> BTreeSet<String> {
        self.emu
            .secrets(CUSTOMER)
            .into_iter()
            .filter(|s| s.client_id == CLIENT)
            .map(|s| s.id)
            .collect()
    }

    /// Whether the server accepts the store's current secret.
    pub fn current_works(&self) -> bool {
        let r = self.record();
        self.emu
            .secret_is_valid(CLIENT, r.current.secret.expose_secret())
    }

    /// The server holds exactly the store's current secret plus the untouched sibling
    /// (and any hand-made secrets), and the record has nothing left to finish or keep.
    pub fn clean(&self) -> Result<(), String> {
        let r = self.record();
        let mut want = BTreeSet::new();
        want.insert(r.current.id.clone().ok_or("current has no id")?);
        if self.sibling {
            want.insert(SIBLING_ID.to_owned());
        }
        want.extend(self.untouchable.borrow().iter().cloned());
        let have = self.server_ids();
        if have != want {
            return Err(format!("server holds {have:?}, want {want:?}"));
        }
        if self.sibling && !self.emu.secret_is_valid(CLIENT, SIBLING_SECRET) {
            return Err("the sibling secret no longer works".into());
        }
        // A started rotation whose secret never appeared (a create lost before the
        // server saw it) is remembered for ORPHAN_GRACE_MS and is no orphan: allowed.
        if r.pending.is_some()
            || r.previous_id.is_some()
            || r.deleting.is_some()
            || !r.kept.is_empty()
        {
            return Err(format!(
                "record not settled: unfinished {:?}, pending {} previous {:?} deleting {:?} rotations {} kept {:?}",
                r.unfinished_stage(),
                r.pending.is_some(),
                r.previous_id,
                r.deleting,
                r.rotations.len(),
                r.kept
            ));
        }
        Ok(())
    }
}
