//! `demo`: starts the emulator in-process on loopback, makes a store in a temp
//! dir and runs real rotations over HTTP — a plain one, one cut by a dropped
//! connection, the recovering run, and one with a cached token — narrating each step.

use crate::args::DemoArgs;
use crate::client::Client;
use crate::driver::Event;
use crate::output::report_text;
use crate::system::System;
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, RotationReport, SeedOptions, Session, Settings,
    TransportError, TransportErrorKind,
};
use mapsindoors_auth_emulator::{
    DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_CUSTOMER_ID, DEMO_SECRET_ID, Emulator, EmulatorConfig,
    FaultRoute, FaultRule,
};
use mapsindoors_auth_store::FileStore;
use std::cell::Cell;
use std::io::Write;
use std::time::Duration;

fn say(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

thread_local! {
    /// The round trip being narrated, counted per run.
    static ROUND_TRIP: Cell<u32> = const { Cell::new(0) };
}

/// One line per event, named by the step's purpose or reason.
fn narrate(event: &Event<'_>) {
    match event {
        Event::Received {
            request,
            purpose,
            response,
            elapsed,
        } => {
            let n = ROUND_TRIP.with(|r| {
                r.set(r.get() + 1);
                r.get()
            });
            let path = url::Url::parse(&request.url)
                .map(|u| u.path().to_owned())
                .unwrap_or_default();
            let outcome = match response {
                Ok(r) => format!("HTTP {}", r.status),
                Err(e) => format!("no response ({})", e.kind),
            };
            say(&format!(
                "  [{n}] {:<6} {path:<24} {:<40} -> {outcome} ({} ms)",
                request.method.as_str(),
                crate::progress::request_label(*purpose),
                elapsed.as_millis()
            ));
        }
        Event::Persisted { reason, record } => say(&format!(
            "      persist generation {}: {}{}",
            record.generation,
            crate::progress::persist_label(*reason),
            record
                .deleting
                .as_deref()
                .map(|id| format!(" ({id})"))
                .unwrap_or_default()
        )),
        Event::Sleeping { ms, reason } => say(&format!("      wait {ms} ms ({})", reason.as_str())),
    }
}

/// A narrating client of the store's current secret, with a fresh session.
fn client(store: &FileStore) -> Result<Client<System<'static>>, Error> {
    crate::commands::client(store, Settings::default(), narrate)
}

fn rotate(store: &FileStore, client: &Client<System<'_>>) -> Result<RotationReport, Error> {
    let _lock = store.lock()?;
    ROUND_TRIP.with(|r| r.set(0));
    client.rotate(|_| {})
}

/// Prints a rotation's report, if it finished, then what the server holds.
fn show_server(
    emulator: &Emulator,
    store: &FileStore,
    report: Option<&RotationReport>,
) -> Result<(), Error> {
    for line in report.map(report_text).unwrap_or_default().lines() {
        say(&format!("  {line}"));
    }
    let record = store.load()?;
    let secrets = emulator.secrets(DEMO_CUSTOMER_ID);
    let ids: Vec<_> = secrets
        .iter()
        .filter(|s| s.client_id == DEMO_CLIENT_ID)
        .map(|s| s.id.as_str())
        .collect();
    // EXPOSE: handed to the in-process emulator only, to check it is accepted.
    let works = emulator.secret_is_valid(DEMO_CLIENT_ID, record.current.secret.expose_secret());
    say(&format!(
        "  server now holds {} secret(s) for {DEMO_CLIENT_ID}: {}; the store's current secret {} is {}",
        ids.len(),
        ids.join(", "),
        record.current.id.as_deref().unwrap_or("?"),
        if works { "accepted" } else { "REJECTED" }
    ));
    Ok(())
}

/// Runs the demo.
pub(crate) fn run(args: &DemoArgs) -> Result<(), Error> {
    let emulator = Emulator::start_background(EmulatorConfig::default()).map_err(|e| {
        Error::Transport(TransportError::new(
            TransportErrorKind::Other,
            format!("cannot start the emulator: {e}"),
        ))
    })?;
    emulator.set_propagation_delay(Duration::from_millis(args.propagation_ms));
    let dir = tempfile::tempdir().map_err(|e| {
        Error::store(
            mapsindoors_auth::StoreErrorKind::Io,
            format!("no temp dir: {e}"),
        )
    })?;
    let store = FileStore::new(dir.path().join("mapsindoors-auth.json"));
    let config = Config::new(&emulator.base_url())?.with_customer_id(DEMO_CUSTOMER_ID)?;
    say(&format!(
        "emulator listening on {} (propagation delay {} ms)",
        emulator.base_url(),
        args.propagation_ms
    ));
    say(&format!(
        "\n0. Seed the store: log in with the secret handed in, identify it ({DEMO_SECRET_ID}, named and claimed with --secret-id), save generation 1 before any change."
    ));
    let settings = Settings {
        description: Some("demo".to_owned()),
        ..Settings::default()
    };
    let credentials = Credentials::client(DEMO_CLIENT_ID, ClientSecret::new(DEMO_CLIENT_SECRET))?;
    let seeder = Client::new(
        Session::new(config, credentials, settings.clone())?,
        System::new(store.clone(), &settings, narrate),
    );
    let seeded = seeder.seed(SeedOptions {
        secret_id: Some(DEMO_SECRET_ID.to_owned()),
        ..SeedOptions::default()
    })?;
    say(&format!(
        "  store {} (mode 0600, generation {}, lineage {}), secret {DEMO_SECRET_ID} owned: {}",
        store.path().display(),
        seeded.generation,
        seeded.lineage,
        seeded.current.owned
    ));

    say("\n1. A plain rotation: log in, create, persist pending, verify, promote, delete old.");
    let report = rotate(&store, &client(&store)?)?;
    show_server(&emulator, &store, Some(&report))?;

    say(
        "\n2. A rotation whose create response is lost: the server creates the secret, the connection drops.",
    );
    emulator.inject(FaultRule::drop_after(FaultRoute::Create, 1));
    match rotate(&store, &client(&store)?) {
        Ok(_) => say("  (unexpectedly completed)"),
        Err(e) => say(&format!(
            "  failed safely (exit code {} from the CLI): {e}",
            crate::exit::code(&e)
        )),
    }
    show_server(&emulator, &store, None)?;

    say("\n3. The next run sweeps the orphan its lineage tag identifies, then rotates.");
    let recovering = client(&store)?;
    let report = rotate(&store, &recovering)?;
    show_server(&emulator, &store, Some(&report))?;

    say("\n4. With a still-valid cached token (from run 3) the login is skipped.");
    let report = rotate(&store, &recovering)?;
    show_server(&emulator, &store, Some(&report))?;
    say(&format!(
        "\nthe seeded secret {DEMO_SECRET_ID} is {}",
        if emulator.secret_is_valid(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET) {
            "still accepted (unexpected)"
        } else {
            "gone, as rotated"
        }
    ));
    emulator.shutdown();
    Ok(())
}
