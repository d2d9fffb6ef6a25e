//! Property tests: no parser panics on any input, create errors never echo a
//! secret, and the store record parser refuses garbage with a typed error.
//! (`fuzz/` runs the same properties under libFuzzer for millions of inputs.)

// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use mapsindoors_auth::{HttpResponse, StoreRecord, response};
use proptest::prelude::*;

fn response_strategy() -> impl Strategy<Value = HttpResponse> {
    let status = prop::sample::select(vec![200u16, 204, 400, 401, 403, 404, 429, 500, 503, 302]);
    let ct = prop::sample::select(vec![
        "application/json",
        "text/html",
        "",
        "application/json; charset=utf-8",
    ]);
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        "\\PC{0,200}".prop_map(String::into_bytes),
        r#"\{"(access_token|token_type|expires_in|id|secret|createdAt|error)":("[a-z0-9]{0,20}"|[0-9]{1,5}|null|\[\]),?\}"#.prop_map(String::into_bytes),
    ];
    (status, ct, body, "[0-9]{0,4}|[A-Za-z, :0-9]{0,30}").prop_map(|(s, ct, b, ra)| {
        HttpResponse::new(
            s,
            vec![
                ("Content-Type".into(), ct.into()),
                ("Retry-After".into(), ra),
            ],
            b,
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn parsers_never_panic(resp in response_strategy()) {
        let _ = response::parse_token(&resp).map_err(|e| e.to_string());
        let _ = response::parse_list(&resp).map_err(|e| e.to_string());
        let _ = response::parse_create(&resp).map_err(|e| e.to_string());
        let _ = response::parse_delete(&resp).map_err(|e| e.to_string());
    }

    #[test]
    fn create_errors_never_echo_the_secret(secret in "[A-Za-z0-9]{8,96}", cut in 0usize..200) {
        let body = format!(r#"{{"id":"x","description":"d","secret":"{secret}","createdAt":"2024-05-27T14:26:36Z"}}"#);
        let truncated = body.get(..cut.min(body.len())).unwrap_or_default().to_owned();
        let resp = HttpResponse::new(200, vec![("Content-Type".into(), "application/json".into())], truncated.into_bytes());
        if let Err(e) = response::parse_create(&resp) {
            let text = format!("{e} {e:?}");
            prop_assert!(!text.contains(&secret), "{}", text);
        }
    }

    #[test]
    fn record_parser_refuses_garbage_with_a_store_error(text in "\\PC{0,300}") {
        if let Err(e) = StoreRecord::from_json(&text) {
            prop_assert_eq!(e.kind().as_str(), "store");
        }
    }
}
