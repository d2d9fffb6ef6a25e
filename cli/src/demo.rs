//! `demo`: starts the emulator in-process on loopback, makes a store (in a
//! temp dir, or at `--store PATH`, kept) and runs real rotations over HTTP —
//! a plain one, one cut by a dropped connection, the recovering run, and one
//! with a cached token — narrating each step (on stderr with `--json`, which
//! prints one JSON summary of the run on stdout).

use crate::args::{DemoArgs, Knobs};
use crate::client::Client;
use crate::narration::Narrator;
use crate::output::{Out, report_json, report_text};
use crate::system::System;
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, RotationReport, SeedOptions, Session, Settings,
    StoreErrorKind, TransportError, TransportErrorKind,
};
use mapsindoors_auth_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID, DEMO_SECRET_ID, Emulator, EmulatorConfig,
    FaultRoute, FaultRule,
};
use mapsindoors_auth_store::FileStore;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::Duration;

/// The demo under way: its emulator, store, settings and what each run did.
struct Demo {
    emulator: Emulator,
    store: FileStore,
    settings: Settings,
    narrator: Narrator,
    runs: Vec<Value>,
}

impl Demo {
    /// A narrating client of the store's current secret, with a fresh session.
    fn client(&self) -> Result<Client<System<'static>>, Error> {
        let narrator = self.narrator;
        crate::commands::client(&self.store, self.settings.clone(), move |e| {
            narrator.event(e);
        })
    }

    fn rotate(&self, client: &Client<System<'_>>) -> Result<RotationReport, Error> {
        let _lock = self.store.lock()?;
        Narrator::new_run();
        client.rotate(None, |_| {})
    }

    /// Records run `n`: narrates its report (if it finished) or its error,
    /// then what the server holds.
    fn record(
        &mut self,
        n: u32,
        what: &str,
        outcome: Result<RotationReport, Error>,
    ) -> Result<(), Error> {
        let mut run = Map::new();
        run.insert("run".into(), json!(n));
        run.insert("what".into(), json!(what));
        run.insert("ok".into(), json!(outcome.is_ok()));
        match &outcome {
            Ok(report) => {
                for line in report_text(report).lines() {
                    self.narrator.say(&format!("  {line}"));
                }
                run.insert("report".into(), report_json(report));
            }
            Err(e) => {
                let code = crate::exit::code(e);
                self.narrator.say(&format!(
                    "  failed safely (exit code {code} from the CLI): {e}"
                ));
                let error =
                    json!({"code": e.kind().as_str(), "message": e.to_string(), "exit_code": code});
                run.insert("error".into(), error);
            }
        }
        let record = self.store.load()?;
        let ids: Vec<_> = self
            .emulator
            .secrets(DEMO_CUSTOMER_ID)
            .into_iter()
            .filter(|s| s.client_id == DEMO_CLIENT_ID)
            .map(|s| s.id)
            .collect();
        // EXPOSE: handed to the in-process emulator only, to check it is accepted.
        let works = self
            .emulator
            .secret_is_valid(DEMO_CLIENT_ID, record.current.secret.expose_secret());
        let current = record.current.id.as_deref().unwrap_or("?");
        self.narrator.say(&format!(
            "  server now holds {} secret(s) for {DEMO_CLIENT_ID}, ids: {}; the store's current secret (id {current}) is {}",
            ids.len(),
            ids.join(", "),
            if works { "accepted" } else { "REJECTED" }
        ));
        run.insert("server_secret_ids".into(), json!(ids));
        run.insert("current_secret_id".into(), json!(record.current.id));
        run.insert("current_secret_accepted".into(), json!(works));
        self.runs.push(Value::Object(run));
        Ok(())
    }
}

fn store_error(reason: String) -> Error {
    Error::store(StoreErrorKind::Io, reason)
}

/// Runs the demo with the knobs; `keep_at` (`--store PATH`, which must not
/// exist yet) keeps its store there instead of in a temp dir.
pub(crate) fn run(
    args: &DemoArgs,
    knobs: &Knobs,
    keep_at: Option<&Path>,
    out: &Out,
) -> Result<(), Error> {
    if let Some(path) = keep_at.filter(|p| std::fs::symlink_metadata(p).is_ok()) {
        return Err(store_error(format!(
            "the demo writes a new store and {} exists; it was left untouched (name a path that does not exist)",
            path.display()
        )));
    }
    let narrator = Narrator {
        to_stderr: out.json,
    };
    let temp = match keep_at {
        Some(_) => None,
        None => Some(tempfile::tempdir().map_err(|e| store_error(format!("no temp dir: {e}")))?),
    };
    let path = match (keep_at, &temp) {
        (Some(path), _) => path.to_owned(),
        (None, Some(dir)) => dir.path().join("mapsindoors-auth.json"),
        (None, None) => return Err(store_error("no store path".to_owned())),
    };
    let emulator = Emulator::start_background(EmulatorConfig::default()).map_err(|e| {
        Error::Transport(TransportError::new(
            TransportErrorKind::Other,
            format!("cannot start the emulator: {e}"),
        ))
    })?;
    emulator.set_propagation_delay(Duration::from_millis(args.propagation_ms));
    let config = Config::new(&emulator.base_url())?.with_customer_id(DEMO_CUSTOMER_ID)?;
    narrator.say(&format!(
        "emulator listening on {} (propagation delay {} ms)",
        emulator.base_url(),
        args.propagation_ms
    ));
    narrator.say(&format!(
        "\n0. Seed the store: log in with the secret handed in, identify it (id {DEMO_SECRET_ID}, named and claimed with --secret-id), save generation 1 before any change."
    ));
    let seed_settings = knobs.settings(Some("demo"))?;
    let credentials = Credentials::client(DEMO_CLIENT_ID, ClientSecret::new(DEMO_CLIENT_SECRET))?;
    let store = FileStore::new(&path);
    let seeder = Client::new(
        Session::new(config, credentials, seed_settings.clone())?,
        System::new(store.clone(), &seed_settings, move |e| narrator.event(e)),
    );
    let seeded = seeder.seed(SeedOptions {
        secret_id: Some(DEMO_SECRET_ID.to_owned()),
        ..SeedOptions::default()
    })?;
    narrator.say(&format!(
        "  store {} (mode 0600, generation {}, lineage {}), secret id {DEMO_SECRET_ID}, owned: {}",
        store.path().display(),
        seeded.generation,
        seeded.lineage,
        seeded.current.owned
    ));
    let mut demo = Demo {
        emulator,
        store,
        settings: knobs.settings(None)?,
        narrator,
        runs: Vec::new(),
    };

    narrator.say(
        "\n1. A plain rotation: log in, create, persist pending, verify, promote, delete old.",
    );
    let outcome = demo.rotate(&demo.client()?);
    outcome.as_ref().map_err(Clone::clone)?;
    demo.record(1, "a plain rotation", outcome)?;

    narrator.say(
        "\n2. A rotation whose create response is lost: the server creates the secret, the connection drops.",
    );
    demo.emulator
        .inject(FaultRule::drop_after(FaultRoute::Create, 1));
    let outcome = demo.rotate(&demo.client()?);
    demo.record(2, "the create's answer is lost", outcome)?;

    narrator.say("\n3. The next run sweeps the orphan its lineage tag identifies, then rotates.");
    let recovering = demo.client()?;
    let outcome = demo.rotate(&recovering);
    outcome.as_ref().map_err(Clone::clone)?;
    demo.record(3, "the next run sweeps the orphan, then rotates", outcome)?;

    narrator.say("\n4. With a still-valid cached token (from run 3) the login is skipped.");
    let outcome = demo.rotate(&recovering);
    outcome.as_ref().map_err(Clone::clone)?;
    demo.record(4, "a rotation with a cached token", outcome)?;
    let gone = !demo
        .emulator
        .secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET);
    narrator.say(&format!(
        "\nthe seeded secret (id {DEMO_SECRET_ID}) is {}",
        if gone {
            "gone, as rotated"
        } else {
            "still accepted (unexpected)"
        }
    ));
    let url = demo.emulator.base_url();
    demo.emulator.shutdown();
    let kept = keep_at.map(|p| p.display().to_string());
    let summary = json!({
        "emulator": url,
        "propagation_ms": args.propagation_ms,
        "store": kept,
        "seed": {"secret_id": DEMO_SECRET_ID, "owned": seeded.current.owned,
                 "generation": seeded.generation, "lineage": seeded.lineage},
        "runs": demo.runs,
        "seeded_secret_deleted": gone,
    });
    out.value(&summary, || match &kept {
        Some(at) => format!(
            "\nthe demo's store is kept at {at} (its secrets were the emulator's, gone with it)"
        ),
        None => "\nthe demo's store was in a temp dir, now removed (keep it with --store PATH)"
            .to_owned(),
    })
}
