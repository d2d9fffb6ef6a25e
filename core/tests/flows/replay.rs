//! Replays a flow vector from its JSON alone, the way every binding does:
//! a scripted transport, store, clock and randomness, compared step by step.

use crate::record::{conflict, record_from, record_json, request_json, response_from, result_json};
use mapsindoors_auth::{
    ClientSecret, Config, Credentials, Error, Flow, Operation, Outcome, Password, SeedOptions,
    Session, Settings, Step, StoreRecord, Task, TransportError, TransportErrorKind,
};
use serde_json::Value;
use std::collections::VecDeque;

struct Script {
    events: VecDeque<Value>,
    store: Option<StoreRecord>,
    now: u64,
    random: VecDeque<String>,
}

fn bytes<const N: usize>(hex: &str) -> [u8; N] {
    assert_eq!(hex.len(), N * 2, "random chunk of the wrong size");
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).unwrap();
    }
    out
}

fn session(v: &Value, store: Option<&StoreRecord>) -> Result<Session, String> {
    let s = &v["session"];
    let st = &s["settings"];
    let settings = Settings {
        retries: u32::try_from(st["retries"].as_u64().unwrap()).unwrap(),
        propagation_wait_ms: st["propagation_wait_ms"].as_u64().unwrap(),
        timeout_ms: st["timeout_ms"].as_u64().unwrap(),
        description: st["description"].as_str().map(str::to_owned),
    };
    if s["from_store"].as_bool().unwrap() {
        return Session::from_record(store.ok_or("from_store without a store")?, settings)
            .map_err(|e| e.to_string());
    }
    let config = Config::new(s["base_url"].as_str().unwrap())
        .and_then(|c| c.with_customer_id(s["customer_id"].as_str().unwrap()))
        .map_err(|e| e.to_string())?;
    let c = &s["credentials"];
    let text = |k: &str| c[k].as_str().unwrap().to_owned();
    let credentials = match c["grant"].as_str().unwrap() {
        "client_credentials" => {
            Credentials::client(&text("client_id"), ClientSecret::new(text("client_secret")))
        }
        _ => Credentials::password(&text("username"), Password::new(text("password"))),
    }
    .map_err(|e| e.to_string())?;
    Session::new(config, credentials, settings).map_err(|e| e.to_string())
}

impl Script {
    fn next(&mut self, what: &str) -> Result<Value, String> {
        self.events
            .pop_front()
            .ok_or_else(|| format!("the core asked to {what}, but the transcript has ended"))
    }

    fn task(&mut self, session: &Session, call: &Value) -> Result<Task, String> {
        let text = |k: &str| call[k].as_str().map(str::to_owned);
        let mut random = || self.random.pop_front().ok_or("out of randomness");
        Ok(match call["call"].as_str().unwrap() {
            "token" => session.token(),
            "list" => session.call(Operation::List),
            "create" => session.call(Operation::Create {
                description: text("description"),
                client_id: text("client_id"),
            }),
            "delete" => session.call(Operation::Delete {
                id: text("id").unwrap(),
            }),
            "rotate" => match call["max_age_ms"].as_u64() {
                Some(ms) => session.rotate_if_older_than(ms, bytes(&random()?)),
                None => session.rotate(bytes(&random()?)),
            },
            "status" => session.status(
                call["probe"].as_bool().unwrap(),
                call["max_age_ms"].as_u64(),
            ),
            "seed" => session.seed(
                SeedOptions {
                    secret_id: text("secret_id"),
                    claim: call["claim"].as_bool().unwrap(),
                    ..SeedOptions::default()
                },
                bytes(&random()?),
            ),
            "claim" => session.claim(&text("id").unwrap()),
            other => return Err(format!("unknown call {other}")),
        })
    }

    fn answer(&mut self, task: &mut Task, step: Step<Outcome>) -> Result<(), String> {
        match step {
            Step::Send(req, purpose) => {
                let event = self.next("send a request")?;
                let asked = request_json(&req, purpose);
                if event["send"] != asked {
                    return Err(format!(
                        "request\n  expected {}\n  asked    {asked}",
                        event["send"]
                    ));
                }
                if let Some(now) = event.get("store_now") {
                    // Another writer saved this while the request was out.
                    self.store = record_from(now);
                }
                let answer = if let Some(fail) = event.get("fail") {
                    Err(TransportError::new(
                        TransportErrorKind::from_name(fail["kind"].as_str().unwrap()),
                        fail["message"].as_str().unwrap(),
                    ))
                } else {
                    Ok(response_from(&event["respond"]))
                };
                task.on_response(answer, self.now);
            }
            Step::Load => {
                let event = self.next("load")?;
                let Some(loaded) = event.get("load") else {
                    return Err(format!("expected {event}, the core asked to load"));
                };
                if *loaded != record_json(self.store.as_ref()) {
                    return Err("the transcript's store differs from the replay's".into());
                }
                task.on_loaded(Ok(self.store.clone()));
            }
            Step::Persist(record, why) => {
                let event = self.next("persist")?;
                let asked = serde_json::json!({"reason": why.as_str(), "record": record_json(Some(&record))});
                if event["persist"] != asked {
                    return Err(format!(
                        "persist\n  expected {}\n  asked    {asked}",
                        event["persist"]
                    ));
                }
                if event["result"] == "ok" {
                    self.store = Some(*record);
                    task.on_persisted(Ok(()));
                } else {
                    if let Some(now) = event.get("store_now") {
                        self.store = record_from(now);
                    }
                    task.on_persisted(Err(conflict()));
                }
            }
            Step::Sleep(ms, why) => {
                let event = self.next("sleep")?;
                let asked = serde_json::json!({"ms": ms, "reason": why.as_str()});
                if event["sleep"] != asked {
                    return Err(format!(
                        "sleep\n  expected {}\n  asked    {asked}",
                        event["sleep"]
                    ));
                }
                self.now += ms;
            }
            Step::Wait(_) | Step::Done(_) => unreachable!(),
        }
        Ok(())
    }

    fn run(&mut self, mut tasks: Vec<Task>) -> Result<Vec<Result<Outcome, Error>>, String> {
        let mut results: Vec<Option<Result<Outcome, Error>>> = tasks.iter().map(|_| None).collect();
        for _ in 0..1000 {
            if results.iter().all(Option::is_some) {
                return Ok(results.into_iter().map(Option::unwrap).collect());
            }
            for i in 0..tasks.len() {
                if results[i].is_some() {
                    continue;
                }
                match tasks[i].poll(self.now) {
                    Step::Wait(_) => {}
                    Step::Done(r) => results[i] = Some(r),
                    step => self.answer(&mut tasks[i], step)?,
                }
            }
        }
        Err("the tasks never finished".into())
    }
}

fn check(call: &Value, result: &Result<Outcome, Error>) -> Result<(), String> {
    let expect = &call["expect"];
    let got = result_json(call, result);
    if expect.as_object().is_some_and(serde_json::Map::is_empty) || *expect == got {
        Ok(())
    } else {
        Err(format!("{}: expected {expect}, got {got}", call["call"]))
    }
}

/// Replays one vector.
pub fn replay(v: &Value) -> Result<(), String> {
    let mut script = Script {
        events: v["events"].as_array().unwrap().iter().cloned().collect(),
        store: record_from(&v["store"]),
        now: v["start_ms"].as_u64().unwrap(),
        random: v["random"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect(),
    };
    let session = session(v, script.store.as_ref())?;
    for call in v["calls"].as_array().unwrap() {
        if call["call"] == "advance" {
            script.now += call["ms"].as_u64().unwrap();
            continue;
        }
        let calls: Vec<&Value> = match call.get("concurrent") {
            Some(list) => list.as_array().unwrap().iter().collect(),
            None => vec![call],
        };
        let tasks = calls
            .iter()
            .map(|c| script.task(&session, c))
            .collect::<Result<Vec<_>, _>>()?;
        let results = script.run(tasks)?;
        for (c, r) in calls.iter().zip(&results) {
            check(c, r)?;
        }
    }
    if !script.events.is_empty() {
        return Err(format!("{} events never happened", script.events.len()));
    }
    if record_json(script.store.as_ref()) != v["store_after"] {
        return Err("the store at the end differs".into());
    }
    Ok(())
}
