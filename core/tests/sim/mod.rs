//! An in-memory MapsIndoors auth server and a compare-and-swap-only store for
//! driving the real [`Rotation`] step by step: the regression scenarios and
//! the exhaustive model check share them. Every secret remembers who made it
//! and every delete who sent it, so the invariants can be checked exactly.

#![allow(dead_code, unreachable_pub)]

use mapsindoors_auth::{
    Error, Flow, HttpRequest, HttpResponse, Rotation, RotationReport, Step, StoreErrorKind,
    StoreRecord, TransportError, TransportErrorKind,
};
use std::collections::HashMap;

/// Who made a secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Handed out before any store existed (the seed secret).
    Seed,
    /// Another script's own secret of the same client.
    Sibling,
    /// A person, by hand.
    Admin,
    /// A rotation of the store with this lineage.
    Store(String),
    /// Handed to the store with this lineage alone, which claimed it.
    HandedTo(String),
}

impl Origin {
    /// Whether the store `lineage` may delete a secret of this origin.
    pub fn owned_by(&self, lineage: &str) -> bool {
        matches!(self, Origin::Store(l) | Origin::HandedTo(l) if l == lineage)
    }
}

/// A secret on the server.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Secret {
    pub id: String,
    pub value: String,
    pub description: String,
    pub client: String,
    pub seq: u64,
    pub accepted: bool,
    pub origin: Origin,
}

/// The server's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Server {
    pub secrets: Vec<Secret>,
    pub tokens: Vec<(String, String)>,
    pub next: u64,
    /// New secrets start refused until [`Server::propagate`].
    pub propagation: bool,
    /// (secret, lineage of the store whose run deleted it) for every delete
    /// sent by a store's run.
    pub deleted_by_store: Vec<(Secret, String)>,
    /// Secrets a person deleted by hand.
    pub deleted_by_admin: Vec<Secret>,
}

pub const CLIENT: &str = "script-client";

fn created_at(seq: u64) -> String {
    format!(
        "2026-01-01T{:02}:{:02}:{:02}.{:07}Z",
        (seq / 3600) % 24,
        (seq / 60) % 60,
        seq % 60,
        seq % 10_000_000
    )
}

fn json(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(
        status,
        vec![("Content-Type".into(), "application/json".into())],
        body.into_bytes(),
    )
}

fn query(url: &str) -> HashMap<String, String> {
    let q = url.split_once('?').map_or("", |(_, q)| q);
    form_urlencoded::parse(q.as_bytes()).into_owned().collect()
}

fn esc(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

impl Server {
    pub fn add(&mut self, value: &str, description: &str, client: &str, origin: Origin) -> String {
        self.next += 1;
        let id = format!("id{}", self.next);
        self.secrets.push(Secret {
            id: id.clone(),
            value: value.into(),
            description: description.into(),
            client: client.into(),
            seq: self.next,
            accepted: true,
            origin,
        });
        id
    }

    pub fn find(&self, id: &str) -> Option<&Secret> {
        self.secrets.iter().find(|s| s.id == id)
    }

    pub fn accepts(&self, value: &str) -> bool {
        self.secrets.iter().any(|s| s.value == value && s.accepted)
    }

    pub fn exists(&self, value: &str) -> bool {
        self.secrets.iter().any(|s| s.value == value)
    }

    /// Every refused secret becomes accepted.
    pub fn propagate(&mut self) {
        for s in &mut self.secrets {
            s.accepted = true;
        }
    }

    pub fn admin_delete(&mut self, id: &str) {
        if let Some(pos) = self.secrets.iter().position(|s| s.id == id) {
            let s = self.secrets.remove(pos);
            self.deleted_by_admin.push(s);
        }
    }

    /// Handles a request from a run of the store with `lineage`.
    pub fn handle(&mut self, req: &HttpRequest, lineage: &str) -> HttpResponse {
        let path = req.url.split('?').next().unwrap_or("");
        let q = query(&req.url);
        if req.method.as_str() == "POST" && path.ends_with("/connect/token") {
            let form: HashMap<String, String> =
                form_urlencoded::parse(&req.body).into_owned().collect();
            let secret = form.get("client_secret").cloned().unwrap_or_default();
            let client = form.get("client_id").cloned().unwrap_or_default();
            let Some(s) = self
                .secrets
                .iter()
                .find(|s| s.value == secret && s.client == client && s.accepted)
            else {
                return json(400, r#"{"error":"invalid_client"}"#.into());
            };
            let client = s.client.clone();
            self.next += 1;
            let token = format!("tok{}", self.next);
            self.tokens.push((token.clone(), client));
            return json(
                200,
                format!(r#"{{"access_token":"{token}","token_type":"Bearer","expires_in":3600}}"#),
            );
        }
        let auth = req
            .header("authorization")
            .unwrap_or("")
            .trim_start_matches("Bearer ")
            .to_owned();
        let Some(client) = self
            .tokens
            .iter()
            .find(|(t, _)| *t == auth)
            .map(|(_, c)| c.clone())
        else {
            return HttpResponse::new(401, vec![], vec![]);
        };
        match req.method.as_str() {
            "GET" => {
                let items: Vec<String> = self
                    .secrets
                    .iter()
                    .filter(|s| s.client == client)
                    .map(|s| {
                        format!(
                            r#"{{"id":"{}","description":{},"client_id":"{}","createdAt":"{}"}}"#,
                            s.id,
                            esc(&s.description),
                            s.client,
                            created_at(s.seq)
                        )
                    })
                    .collect();
                json(200, format!("[{}]", items.join(",")))
            }
            "POST" => {
                self.next += 1;
                let value = format!("new-secret-{}", self.next);
                let description = q.get("description").cloned().unwrap_or_default();
                let id = self.add(&value, &description, &client, Origin::Store(lineage.into()));
                let seq = self.next;
                if let Some(s) = self.secrets.last_mut() {
                    s.accepted = !self.propagation;
                }
                json(
                    200,
                    format!(
                        r#"{{"id":"{id}","description":{},"createdAt":"{}","secret":"{value}"}}"#,
                        esc(&description),
                        created_at(seq)
                    ),
                )
            }
            "DELETE" => {
                let id = q.get("id").cloned().unwrap_or_default();
                match self
                    .secrets
                    .iter()
                    .position(|s| s.id == id && s.client == client)
                {
                    Some(pos) => {
                        let s = self.secrets.remove(pos);
                        self.deleted_by_store.push((s, lineage.to_owned()));
                        HttpResponse::new(200, vec![], vec![])
                    }
                    None => HttpResponse::new(404, vec![], vec![]),
                }
            }
            _ => HttpResponse::new(405, vec![], vec![]),
        }
    }
}

/// A store that offers only load and compare-and-swap save: no lock.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Store {
    pub record: Option<StoreRecord>,
}

impl Store {
    pub fn new(record: StoreRecord) -> Self {
        Self {
            record: Some(record),
        }
    }

    /// Saves `record` if the store holds generation `record.generation - 1`.
    pub fn save(&mut self, record: &StoreRecord) -> Result<(), Error> {
        let held = self.record.as_ref().map_or(0, |r| r.generation);
        if record.generation.checked_sub(1) != Some(held) {
            return Err(Error::store(
                StoreErrorKind::Conflict,
                format!("store holds generation {held}"),
            ));
        }
        self.record = Some(record.clone());
        Ok(())
    }
}

pub fn lost() -> TransportError {
    TransportError::new(TransportErrorKind::Interrupted, "connection reset")
}

/// One run of a rotation, stepped by hand.
pub struct Run {
    pub rotation: Rotation,
    pub lineage: String,
    pub step: Option<Step<RotationReport>>,
    pub now: u64,
    pub result: Option<Result<RotationReport, Error>>,
}

impl Run {
    pub fn new(rotation: Rotation, lineage: &str, now: u64) -> Self {
        Self {
            rotation,
            lineage: lineage.to_owned(),
            step: None,
            now,
            result: None,
        }
    }

    /// The step the run waits on (polling for it if needed).
    pub fn peek(&mut self) -> &Step<RotationReport> {
        if self.step.is_none() {
            let step = self.rotation.poll(self.now);
            self.step = Some(step);
        }
        self.step.as_ref().unwrap()
    }

    pub fn is_done(&mut self) -> bool {
        self.result.is_some() || matches!(self.peek(), Step::Done(_))
    }

    /// Whether the next step is a request with this method whose URL contains `path`.
    pub fn next_is(&mut self, method: &str, path: &str) -> bool {
        matches!(self.peek(), Step::Send(r, _) if r.method.as_str() == method && r.url.contains(path))
    }

    pub fn next_is_persist(&mut self) -> bool {
        matches!(self.peek(), Step::Persist(..))
    }

    /// Carries out the next step normally.
    pub fn advance(&mut self, server: &mut Server, store: &mut Store) {
        self.peek();
        match self.step.take().unwrap() {
            Step::Send(req, _) => {
                let r = server.handle(&req, &self.lineage);
                self.now += 1;
                self.rotation.on_response(Ok(r), self.now);
            }
            Step::Persist(record, _) => {
                let r = store.save(&record);
                self.rotation.on_persisted(r);
            }
            Step::Sleep(ms, _) => {
                self.now += ms;
                server.propagate();
            }
            Step::Load | Step::Wait(_) => panic!("this flow never loads or waits"),
            Step::Done(r) => self.result = Some(r),
        }
    }

    /// Answers the next (send) step with a transport error; the server sees nothing.
    pub fn fail_send(&mut self) {
        self.peek();
        match self.step.take().unwrap() {
            Step::Send(..) => {
                self.now += 1;
                self.rotation.on_response(Err(lost()), self.now);
            }
            other => panic!("not a send: {other:?}"),
        }
    }

    /// Carries out the next (send) step on the server, then loses the answer.
    pub fn lose_answer(&mut self, server: &mut Server) {
        self.peek();
        match self.step.take().unwrap() {
            Step::Send(req, _) => {
                server.handle(&req, &self.lineage);
                self.now += 1;
                self.rotation.on_response(Err(lost()), self.now);
            }
            other => panic!("not a send: {other:?}"),
        }
    }

    pub fn until(
        &mut self,
        server: &mut Server,
        store: &mut Store,
        mut stop: impl FnMut(&mut Self) -> bool,
    ) {
        for _ in 0..1000 {
            if self.is_done() || stop(self) {
                return;
            }
            self.advance(server, store);
        }
        panic!("run did not stop");
    }

    pub fn finish(
        &mut self,
        server: &mut Server,
        store: &mut Store,
    ) -> Result<RotationReport, Error> {
        while self.result.is_none() {
            self.advance(server, store);
        }
        self.result.clone().unwrap()
    }
}

impl Run {
    /// Whether the rotation's last persisted record is at least this generation.
    pub fn store_generation_at_least(&self, generation: u64) -> bool {
        self.rotation.record().generation >= generation
    }
}

impl Run {
    /// Answers the next (send) step with `response`; the server sees nothing.
    pub fn answer(&mut self, response: HttpResponse) {
        self.peek();
        match self.step.take().unwrap() {
            Step::Send(..) => {
                self.now += 1;
                self.rotation.on_response(Ok(response), self.now);
            }
            other => panic!("not a send: {other:?}"),
        }
    }
}
