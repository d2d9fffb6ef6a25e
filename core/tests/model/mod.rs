//! An exhaustive explorer of the rotation protocol. It drives the real
//! [`Rotation`] (cloned at every branch, never a copy of its logic) against
//! the in-memory server and compare-and-swap stores of `sim`, and visits every
//! interleaving within a bound of: runs of one store with no lock, a second
//! store on the same client, crashes before and after every save and request,
//! answers lost before or after the server committed, 503 and 429 answers, a
//! new secret refused until it propagates, and a person creating (with or
//! without a copied description) or deleting any secret at any moment.
//!
//! The invariants are stated once, in [`check_delete`], [`check_outcome`] and
//! [`check_final`].

#![allow(dead_code, unreachable_pub)]

use crate::sim::{CLIENT, Origin, Server, Store};
use mapsindoors_auth::{
    ClientSecret, Config, Error, Flow, HttpRequest, HttpResponse, ORPHAN_GRACE_MS,
    PropagationPolicy, RetryPolicy, RotateOptions, Rotation, RotationReport, Step, StoreErrorKind,
    StoreRecord, TransportError, TransportErrorKind,
};
use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

/// How far to explore.
#[derive(Clone, Copy, Debug)]
pub struct Bound {
    /// Crashes in all (each kills one run at one step).
    pub crashes: u8,
    /// Network and store faults in all.
    pub faults: u8,
    /// Things a person does by hand.
    pub admin: u8,
    /// The longest path explored.
    pub max_depth: usize,
    /// Runs the first slot of each configuration starts (a restart after a
    /// crash needs 2; the final clean run restarts every store anyway).
    pub starts: u8,
    /// Things done by hand in the two-store configuration.
    pub two_store_admin: u8,
}

/// One configuration: the stores and the run slots.
#[derive(Clone)]
pub struct Config_ {
    pub name: &'static str,
    /// (lineage, record) of each store.
    pub stores: Vec<(String, StoreRecord)>,
    /// For each slot: the store it runs on, and how many runs it starts.
    pub slots: Vec<(usize, u8)>,
    /// Slots whose runs rotate only when due (`max_age`, about a year:
    /// the sim's secrets are older, so each such run first lists for the
    /// current secret's date when the store lacks it, then rotates).
    pub due_slots: Vec<usize>,
    pub server: Server,
    /// Extra things a person may do by hand in this configuration.
    pub extra_admin: u8,
    /// At most this many things done by hand here (keeps the small bound small).
    pub admin_cap: u8,
}

/// What the explorer found.
#[derive(Default, Debug)]
pub struct Tally {
    pub states: u64,
    pub transitions: u64,
    pub max_depth: usize,
    pub violations: Vec<String>,
    /// Deletes of a copy of an orphan's description whose original a person
    /// deleted first: allowed by the one weakened invariant (see I2).
    pub copy_deletes: u64,
    pub finals: u64,
    /// Runs that ended after at least one sleep (retries, propagation):
    /// zero would mean the explorer never looks past a wait.
    pub ends_after_sleep: u64,
}

#[derive(Clone, Debug)]
enum Pending {
    Send(HttpRequest),
    Persist(Box<StoreRecord>),
    Sleep,
    Done(Result<RotationReport, Error>),
}

#[derive(Clone)]
struct Live {
    rotation: Rotation,
    pending: Pending,
    inputs: u64,
    slept: bool,
}

#[derive(Clone)]
struct Slot {
    store: usize,
    max_age_ms: Option<u64>,
    starts_left: u8,
    started: u8,
    live: Option<Live>,
}

#[derive(Clone)]
struct World {
    server: Server,
    stores: Vec<Store>,
    lineages: Vec<String>,
    slots: Vec<Slot>,
    era: u64,
    crashes: u8,
    faults: u8,
    admin: u8,
    /// Ids of secrets a person copied the description of: copy id → original id.
    copies: Vec<(String, String)>,
}

/// 2027-01-15: the sim's secrets (created 2026-01-01) are about 380 days old.
const EPOCH_MS: u64 = 1_800_000_000_000;

fn now(era: u64) -> u64 {
    EPOCH_MS + era * (ORPHAN_GRACE_MS + 1)
}

/// The `max_age` of due slots: 365 days, so every secret of the sim is due.
const MAX_AGE_MS: u64 = 365 * 24 * 60 * 60 * 1000;

pub fn options() -> RotateOptions {
    RotateOptions {
        description: None,
        retry: RetryPolicy {
            max_attempts: 2,
            base_delay_ms: 1,
            max_delay_ms: 1,
            max_retry_after_ms: 10_000,
        },
        propagation: PropagationPolicy {
            first_delay_ms: 1,
            max_delay_ms: 1,
            max_wait_ms: 1,
        },
        max_age_ms: None,
    }
}

fn mix(h: u64, v: impl Hash) -> u64 {
    let mut s = DefaultHasher::new();
    h.hash(&mut s);
    v.hash(&mut s);
    s.finish()
}

fn input_of_response(r: &Result<HttpResponse, TransportError>) -> u64 {
    match r {
        Ok(r) => mix(u64::from(r.status), &r.body),
        Err(_) => 1,
    }
}

impl Live {
    fn start(record: StoreRecord, nonce: u8, now: u64, max_age_ms: Option<u64>) -> Live {
        let options = RotateOptions {
            max_age_ms,
            ..options()
        };
        let mut rotation =
            Rotation::new(record, options, None, [nonce; 8]).expect("a usable record");
        let pending = poll(&mut rotation, now);
        Live {
            rotation,
            pending,
            inputs: u64::from(nonce),
            slept: false,
        }
    }

    fn respond(&mut self, r: Result<HttpResponse, TransportError>, now: u64) {
        self.inputs = mix(self.inputs, input_of_response(&r));
        self.rotation.on_response(r, now);
        self.pending = poll(&mut self.rotation, now);
    }

    fn persisted(&mut self, r: Result<(), Error>, now: u64) {
        self.inputs = mix(self.inputs, r.as_ref().map_err(Error::to_string).err());
        self.rotation.on_persisted(r);
        self.pending = poll(&mut self.rotation, now);
    }
}

fn poll(rotation: &mut Rotation, now: u64) -> Pending {
    match rotation.poll(now) {
        Step::Send(r, _) => Pending::Send(r),
        Step::Persist(r, _) => Pending::Persist(r),
        Step::Sleep(..) => Pending::Sleep,
        Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
        Step::Done(r) => Pending::Done(r),
    }
}

fn lost() -> TransportError {
    TransportError::new(TransportErrorKind::Interrupted, "connection reset")
}

fn status(code: u16) -> HttpResponse {
    let headers = if code == 429 {
        vec![("Retry-After".to_owned(), "1".to_owned())]
    } else {
        vec![]
    };
    HttpResponse::new(code, headers, b"busy".to_vec())
}

/// What can happen next, by name, for traces.
#[derive(Clone, Debug)]
enum Move {
    Start(usize),
    Deliver(usize),
    LoseBefore(usize),
    LoseAfter(usize),
    Status(usize, u16),
    CrashBefore(usize),
    CrashAfter(usize),
    Save(usize),
    SaveFails(usize),
    /// The save commits but the run is told it failed (an fsync error after the rename).
    SaveCommitsButFails(usize),
    Wake(usize),
    Finish(usize),
    Propagate,
    AdminCreate,
    AdminCopy(String),
    AdminDelete(String),
}

impl World {
    fn now(&self) -> u64 {
        now(self.era)
    }

    fn fingerprint(&self) -> u64 {
        let mut h = mix(0, &self.server);
        for s in &self.stores {
            h = mix(h, s.record.as_ref().map(StoreRecord::to_json));
        }
        for s in &self.slots {
            h = mix(h, (s.starts_left, s.started));
            h = mix(h, s.live.as_ref().map(|l| l.inputs));
        }
        mix(
            h,
            (
                self.era,
                self.crashes,
                self.faults,
                self.admin,
                &self.copies,
            ),
        )
    }

    fn moves(&self) -> Vec<Move> {
        let mut moves = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            match &slot.live {
                None if slot.starts_left > 0 => moves.push(Move::Start(i)),
                None => {}
                Some(live) => match &live.pending {
                    Pending::Send(_) => {
                        moves.push(Move::Deliver(i));
                        if self.faults > 0 {
                            moves.push(Move::LoseBefore(i));
                            moves.push(Move::LoseAfter(i));
                            moves.push(Move::Status(i, 503));
                            moves.push(Move::Status(i, 429));
                        }
                        if self.crashes > 0 {
                            moves.push(Move::CrashBefore(i));
                            moves.push(Move::CrashAfter(i));
                        }
                    }
                    Pending::Persist(_) => {
                        moves.push(Move::Save(i));
                        if self.faults > 0 {
                            moves.push(Move::SaveFails(i));
                            moves.push(Move::SaveCommitsButFails(i));
                        }
                        if self.crashes > 0 {
                            moves.push(Move::CrashBefore(i));
                            moves.push(Move::CrashAfter(i));
                        }
                    }
                    Pending::Sleep => {
                        moves.push(Move::Wake(i));
                        if self.crashes > 0 {
                            moves.push(Move::CrashBefore(i));
                        }
                    }
                    Pending::Done(_) => moves.push(Move::Finish(i)),
                },
            }
        }
        if self.server.secrets.iter().any(|s| !s.accepted) {
            moves.push(Move::Propagate);
        }
        if self.admin > 0 {
            moves.push(Move::AdminCreate);
            let mut seen = HashSet::new();
            for s in &self.server.secrets {
                if s.client == CLIENT
                    && s.description.contains("[mia:")
                    && seen.insert(&s.description)
                {
                    moves.push(Move::AdminCopy(s.id.clone()));
                }
                moves.push(Move::AdminDelete(s.id.clone()));
            }
        }
        moves
    }

    fn any_live(&self) -> bool {
        self.slots.iter().any(|s| s.live.is_some())
    }

    /// A run ended: when none is left alive, time moves past the grace.
    fn ended(&mut self, slot: usize) {
        self.slots[slot].live = None;
        if !self.any_live() {
            self.era += 1;
        }
    }

    /// Carries out a move; pushes any violation.
    fn apply(&mut self, m: &Move, tally: &mut Tally) {
        let now = self.now();
        match m.clone() {
            Move::Start(i) => {
                let slot = &mut self.slots[i];
                slot.starts_left -= 1;
                slot.started += 1;
                let nonce = u8::try_from(i * 16).unwrap_or(0) + slot.started;
                let Some(record) = self.stores[slot.store].record.clone() else {
                    return;
                };
                slot.live = Some(Live::start(record, nonce, now, slot.max_age_ms));
            }
            Move::Deliver(i) | Move::CrashAfter(i) | Move::LoseAfter(i)
                if matches!(self.pending(i), Pending::Send(_)) =>
            {
                let Pending::Send(req) = self.pending(i).clone() else {
                    return;
                };
                let lineage = self.lineages[self.slots[i].store].clone();
                let before = self.server.deleted_by_store.len();
                let response = self.server.handle(&req, &lineage);
                self.check_delete(i, &req, before, tally);
                match m {
                    Move::Deliver(_) => self.live(i).respond(Ok(response), now),
                    Move::LoseAfter(_) => {
                        self.faults -= 1;
                        self.live(i).respond(Err(lost()), now);
                    }
                    _ => {
                        self.crashes -= 1;
                        self.ended(i);
                    }
                }
            }
            Move::LoseBefore(i) => {
                self.faults -= 1;
                self.live(i).respond(Err(lost()), now);
            }
            Move::Status(i, code) => {
                self.faults -= 1;
                self.live(i).respond(Ok(status(code)), now);
            }
            Move::CrashBefore(i) => {
                self.crashes -= 1;
                self.ended(i);
            }
            Move::Save(i) | Move::CrashAfter(i) => {
                let Pending::Persist(record) = self.pending(i).clone() else {
                    return;
                };
                let store = self.slots[i].store;
                let result = self.stores[store].save(&record);
                if matches!(m, Move::CrashAfter(_)) {
                    self.crashes -= 1;
                    self.ended(i);
                } else {
                    self.live(i).persisted(result, now);
                }
            }
            Move::SaveCommitsButFails(i) => {
                let Pending::Persist(record) = self.pending(i).clone() else {
                    return;
                };
                self.faults -= 1;
                let store = self.slots[i].store;
                let result = self.stores[store]
                    .save(&record)
                    .and(Err(Error::store(StoreErrorKind::Io, "fsync failed")));
                self.live(i).persisted(result, now);
            }
            Move::SaveFails(i) => {
                self.faults -= 1;
                self.live(i)
                    .persisted(Err(Error::store(StoreErrorKind::Io, "disk full")), now);
            }
            Move::Wake(i) => {
                let live = self.live(i);
                // A wake changes the run: it must change the fingerprint too,
                // or every path would be cut at its first sleep.
                live.inputs = mix(live.inputs, "wake");
                live.slept = true;
                live.pending = poll(&mut live.rotation, now);
            }
            Move::Finish(i) => {
                let Pending::Done(result) = self.pending(i).clone() else {
                    return;
                };
                self.check_outcome(i, &result, tally);
                if self.slots[i].live.as_ref().is_some_and(|l| l.slept) {
                    tally.ends_after_sleep += 1;
                }
                self.ended(i);
            }
            Move::Propagate => self.server.propagate(),
            Move::AdminCreate => {
                self.admin -= 1;
                self.server
                    .add("hand-made", "by hand", CLIENT, Origin::Admin);
            }
            Move::AdminCopy(id) => {
                self.admin -= 1;
                let description = self
                    .server
                    .find(&id)
                    .map(|s| s.description.clone())
                    .unwrap_or_default();
                let copy = self
                    .server
                    .add("hand-copied", &description, CLIENT, Origin::Admin);
                self.copies.push((copy, id));
            }
            Move::AdminDelete(id) => {
                self.admin -= 1;
                self.server.admin_delete(&id);
            }
            Move::Deliver(_) | Move::LoseAfter(_) => {}
        }
    }

    fn pending(&self, i: usize) -> &Pending {
        &self.slots[i].live.as_ref().expect("a live run").pending
    }

    fn live(&mut self, i: usize) -> &mut Live {
        self.slots[i].live.as_mut().expect("a live run")
    }

    /// I2: a delete sent by a store's run removes only a secret that store
    /// created or was handed alone; and never the store's current or pending
    /// secret (the fence).
    fn check_delete(&self, i: usize, req: &HttpRequest, before: usize, tally: &mut Tally) {
        if req.method.as_str() != "DELETE" {
            return;
        }
        let store = self.slots[i].store;
        let lineage = &self.lineages[store];
        if let Some(record) = &self.stores[store].record {
            let id = req.url.split("id=").nth(1).unwrap_or("");
            let roles = [
                record.current.id.as_deref(),
                record.pending.as_ref().and_then(|p| p.id.as_deref()),
            ];
            if roles.contains(&Some(id)) {
                tally.violations.push(format!(
                    "I2 fence: store {lineage} sent DELETE of its own current or pending secret {id}"
                ));
            }
        }
        i2(&self.server, &self.copies, lineage, before, tally);
    }

    /// I4: a run that ends "incomplete, safe" (or complete) leaves a store
    /// whose current secret is accepted, unless a person deleted it.
    fn check_outcome(&self, i: usize, result: &Result<RotationReport, Error>, tally: &mut Tally) {
        let claims_safe = match result {
            Ok(_) => true,
            Err(e) => e.kind().as_str() == "rotation_incomplete",
        };
        if !claims_safe {
            return;
        }
        let store = self.slots[i].store;
        let Some(record) = &self.stores[store].record else {
            return;
        };
        let secret = record.current.secret.expose_secret();
        let exists = self.server.exists(secret);
        let by_hand = self
            .server
            .deleted_by_admin
            .iter()
            .any(|s| s.value == secret);
        // A promoted secret was verified: it exists; "accepted" may lag only
        // for a pending one, never for current.
        if !exists && !by_hand {
            tally.violations.push(format!(
                "I4: a run of {} ended saying the store is safe ({}), but its current secret is gone",
                self.lineages[store],
                result.as_ref().map_or_else(ToString::to_string, |_| "ok".to_owned())
            ));
        }
    }

    /// After every run has ended: one clean run per store (no faults, no
    /// person) must complete (I5 progress), leave the store's current secret
    /// accepted (I1), and leave no secret the store created but its current
    /// one (I3).
    fn check_final(&self, tally: &mut Tally) {
        tally.finals += 1;
        let mut server = self.server.clone();
        server.propagate();
        let now = now(self.era + 1);
        for (s, store) in self.stores.iter().enumerate() {
            let lineage = &self.lineages[s];
            let Some(record) = store.record.clone() else {
                continue;
            };
            let secret = record.current.secret.expose_secret().to_owned();
            let by_hand = server.deleted_by_admin.iter().any(|d| d.value == secret);
            let mut store = store.clone();
            let deletes_before = server.deleted_by_store.len();
            let mut rotation = Rotation::new(record, options(), None, [0xEE; 8]).expect("usable");
            let mut result = None;
            for _ in 0..200 {
                match rotation.poll(now) {
                    Step::Send(req, _) => {
                        let r = server.handle(&req, lineage);
                        rotation.on_response(Ok(r), now);
                    }
                    Step::Persist(r, _) => {
                        let saved = store.save(&r);
                        rotation.on_persisted(saved);
                    }
                    Step::Sleep(..) => server.propagate(),
                    Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
                    Step::Done(r) => {
                        result = Some(r);
                        break;
                    }
                }
            }
            i2(&server, &self.copies, lineage, deletes_before, tally);
            if by_hand {
                continue;
            }
            match result {
                Some(Ok(_)) => {}
                other => {
                    tally.violations.push(format!(
                        "I5: the clean run of {lineage} did not complete: {:?}",
                        other.map(|r| r.map(|_| ()))
                    ));
                    continue;
                }
            }
            let record = store.record.as_ref().expect("a record");
            let current = record.current.secret.expose_secret();
            if !server.accepts(current) {
                tally
                    .violations
                    .push(format!("I1: store {lineage}'s current secret is refused"));
            }
            let left: Vec<_> = server
                .secrets
                .iter()
                .filter(|x| x.origin == Origin::Store(lineage.clone()) && x.value != current)
                .map(|x| x.id.clone())
                .collect();
            if !left.is_empty() {
                tally
                    .violations
                    .push(format!("I3: store {lineage} left orphans {left:?}"));
            }
        }
    }
}

/// I2 over the deletes after the first `before`: a store's run deletes only
/// what that store created or was handed alone. The one weakening: a person
/// copied the description of an orphan of this store, then deleted the orphan
/// itself; the copy is all the API shows of that rotation's secret.
fn i2(
    server: &Server,
    copies: &[(String, String)],
    lineage: &str,
    before: usize,
    tally: &mut Tally,
) {
    for (secret, by) in server.deleted_by_store.iter().skip(before) {
        if by != lineage || secret.origin.owned_by(lineage) {
            continue;
        }
        let copy_of_deleted_orphan = copies.iter().any(|(copy, original)| {
            *copy == secret.id
                && server
                    .deleted_by_admin
                    .iter()
                    .any(|d| d.id == *original && d.origin.owned_by(lineage))
        });
        if copy_of_deleted_orphan {
            tally.copy_deletes += 1;
        } else {
            tally.violations.push(format!(
                "I2: store {lineage} deleted {} ({:?}), which it did not create",
                secret.id, secret.origin
            ));
        }
    }
}

/// Explores every interleaving of `config` within `bound`.
pub fn explore(config: &Config_, bound: Bound) -> Tally {
    let world = World {
        server: config.server.clone(),
        stores: config
            .stores
            .iter()
            .map(|(_, r)| Store::new(r.clone()))
            .collect(),
        lineages: config.stores.iter().map(|(l, _)| l.clone()).collect(),
        slots: config
            .slots
            .iter()
            .enumerate()
            .map(|(i, &(store, starts))| Slot {
                store,
                max_age_ms: config.due_slots.contains(&i).then_some(MAX_AGE_MS),
                starts_left: starts,
                started: 0,
                live: None,
            })
            .collect(),
        era: 0,
        crashes: bound.crashes,
        faults: bound.faults,
        admin: (bound.admin + config.extra_admin).min(config.admin_cap),
        copies: Vec::new(),
    };
    let mut tally = Tally::default();
    let mut seen = HashSet::new();
    let mut stack = vec![(world, 0_usize, Vec::<Move>::new())];
    while let Some((world, depth, trace)) = stack.pop() {
        if !seen.insert(world.fingerprint()) {
            continue;
        }
        tally.states += 1;
        tally.max_depth = tally.max_depth.max(depth);
        let moves = world.moves();
        let all_ended = world
            .slots
            .iter()
            .all(|s| s.live.is_none() && s.starts_left == 0);
        if all_ended {
            let before = tally.violations.len();
            world.check_final(&mut tally);
            annotate(&mut tally, before, &trace);
        }
        if depth >= bound.max_depth {
            continue;
        }
        for m in moves {
            // A person acts only while some run is alive or about to start.
            if matches!(
                m,
                Move::AdminCreate | Move::AdminCopy(_) | Move::AdminDelete(_)
            ) && all_ended
            {
                continue;
            }
            let mut next = world.clone();
            let before = tally.violations.len();
            next.apply(&m, &mut tally);
            tally.transitions += 1;
            let mut t = trace.clone();
            t.push(m);
            annotate(&mut tally, before, &t);
            if tally.violations.len() > 20 {
                return tally;
            }
            stack.push((next, depth + 1, t));
        }
    }
    tally
}

fn annotate(tally: &mut Tally, before: usize, trace: &[Move]) {
    for v in tally.violations.iter_mut().skip(before) {
        v.push_str(&format!("\n    trace: {trace:?}"));
    }
}

/// The configurations checked, built from real seeding data.
pub fn configs(starts: u8, two_store_admin: u8) -> Vec<Config_> {
    let config = Config::new("https://auth.example.test")
        .expect("url")
        .with_customer_id("cust")
        .expect("customer");
    let record = |secret: &str, id: Option<String>, lineage: &str| {
        StoreRecord::new(&config, CLIENT, ClientSecret::new(secret), id, lineage).expect("a record")
    };
    let mut out = Vec::new();

    // Two runs of one store, no lock; the seed secret handed to it alone.
    let mut server = Server {
        propagation: true,
        ..Server::default()
    };
    let old = server.add("old", "seeded", CLIENT, Origin::HandedTo("l-a".into()));
    server.add("sibling", "another script", CLIENT, Origin::Sibling);
    out.push(Config_ {
        name: "one store, two unlocked runs",
        stores: vec![("l-a".into(), record("old", Some(old), "l-a"))],
        slots: vec![(0, starts), (0, 1)],
        server: server.clone(),
        due_slots: Vec::new(),
        extra_admin: 0,
        admin_cap: u8::MAX,
    });

    // Two unlocked runs of one store, the second only when due: its date
    // listing (the store does not know the seed's date) interleaved with
    // the other run's whole rotation.
    out.push(Config_ {
        name: "one store, two unlocked runs, one rotating when due",
        due_slots: vec![1],
        ..out[0].clone()
    });

    // One run, and a person who acts twice: copies a tag, then deletes the
    // original (the weakened I2), or any other pair of acts.
    out.push(Config_ {
        name: "one store, one run, a person acting twice",
        stores: vec![("l-a".into(), out[0].stores[0].1.clone())],
        slots: vec![(0, starts)],
        server,
        due_slots: Vec::new(),
        extra_admin: 1,
        admin_cap: u8::MAX,
    });

    // Two stores with different lineages on one client.
    let mut server = Server {
        propagation: true,
        ..Server::default()
    };
    let a = server.add("a-seed", "a", CLIENT, Origin::HandedTo("l-a".into()));
    let b = server.add("b-seed", "b", CLIENT, Origin::HandedTo("l-b".into()));
    out.push(Config_ {
        name: "two stores, one client",
        stores: vec![
            ("l-a".into(), record("a-seed", Some(a), "l-a")),
            ("l-b".into(), record("b-seed", Some(b), "l-b")),
        ],
        slots: vec![(0, starts), (1, 1)],
        server,
        due_slots: Vec::new(),
        extra_admin: 0,
        admin_cap: two_store_admin,
    });

    // A shared seed secret of unknown id, two installations.
    let mut server = Server::default();
    server.add("shared", "shipped", CLIENT, Origin::Seed);
    out.push(Config_ {
        name: "two installations, one shared unclaimed secret",
        stores: vec![
            ("l-a".into(), record("shared", None, "l-a")),
            ("l-b".into(), record("shared", None, "l-b")),
        ],
        slots: vec![(0, starts), (1, 1)],
        server,
        due_slots: Vec::new(),
        extra_admin: 0,
        admin_cap: u8::MAX,
    });
    out
}
