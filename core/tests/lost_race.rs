//! A rotation's login refused: a lost race (the store's secret replaced by
//! another run after this one read it) is a store conflict, a refusal after
//! this run's own save is not. The flow vectors pin the first two cases in
//! every binding; this pins the third, which needs a cached token.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mapsindoors_auth::{
    ClientSecret, Config, Error, Flow, HttpResponse, Purpose, Session, Settings, Step, StoreRecord,
};

fn response(status: u16, body: &str) -> HttpResponse {
    let json = vec![("Content-Type".into(), "application/json".into())];
    HttpResponse::new(status, json, body.as_bytes().to_vec())
}

fn token_ok() -> HttpResponse {
    response(
        200,
        r#"{"access_token":"tok-123","token_type":"Bearer","expires_in":3600}"#,
    )
}

#[test]
fn a_refusal_after_this_runs_own_save_is_not_a_conflict() {
    let config = Config::new("https://auth.example.test")
        .unwrap()
        .with_customer_id("cust")
        .unwrap();
    let record = StoreRecord::new(
        &config,
        "script",
        ClientSecret::new("s-old"),
        Some("id1".into()),
        "l-0011223344556677",
    )
    .unwrap();
    let session = Session::from_record(&record, Settings::default()).unwrap();
    // A cached token of the store's secret: the rotation saves its intent first.
    let mut token = session.token();
    loop {
        match token.poll(0) {
            Step::Send(..) => token.on_response(Ok(token_ok()), 0),
            Step::Done(r) => break drop(r.unwrap()),
            _ => {}
        }
    }
    let mut store = record.clone();
    let mut loads = 0;
    let mut task = session.rotate([7; 16]);
    let error = loop {
        match task.poll(0) {
            Step::Load => {
                loads += 1;
                task.on_loaded(Ok(Some(store.clone())));
            }
            Step::Persist(r, _) => {
                store = (*r).clone();
                task.on_persisted(Ok(()));
            }
            // The cached token is refused, and so is the new login.
            Step::Send(_, Purpose::Create) => {
                task.on_response(Ok(HttpResponse::new(401, vec![], vec![])), 0);
            }
            Step::Send(_, Purpose::Login) => {
                task.on_response(Ok(response(400, r#"{"error":"invalid_client"}"#)), 0)
            }
            Step::Send(_, p) => panic!("unexpected {p:?}"),
            Step::Sleep(..) | Step::Wait(_) => {}
            Step::Done(r) => break r.expect_err("refused"),
        }
    };
    assert!(
        matches!(error, Error::InvalidClient { .. }),
        "{}: {error}",
        error.kind().as_str()
    );
    assert_eq!(loads, 1, "no second load after a save of its own");
    assert!(task.report().is_some_and(|r| r.persists > 0));
}
