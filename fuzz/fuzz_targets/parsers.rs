//! Every response parser on arbitrary status, headers and body: none may
//! panic, and an error must never echo a body that holds a secret.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapsindoors_auth::{HttpResponse, response};

const CONTENT_TYPES: [&str; 5] = ["application/json", "application/json; charset=utf-8", "text/html", "", "application/problem+json"];
const STATUSES: [u16; 10] = [200, 201, 204, 400, 401, 403, 404, 429, 500, 503];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    let content_type = CONTENT_TYPES[usize::from(selector / 16) % CONTENT_TYPES.len()];
    let mut headers = vec![("Content-Type".to_owned(), content_type.to_owned())];
    if selector & 1 == 1 {
        headers.push(("Retry-After".to_owned(), String::from_utf8_lossy(body.get(..body.len().min(32)).unwrap_or_default()).into_owned()));
    }
    let resp = HttpResponse::new(status, headers, body.to_vec());
    let _ = response::parse_token(&resp).map_err(|e| e.to_string());
    let _ = response::parse_list(&resp).map_err(|e| e.to_string());
    let _ = response::parse_delete(&resp).map_err(|e| e.to_string());
    if let Err(e) = response::parse_create(&resp) {
        // A body that parses far enough to hold a secret is never echoed.
        let text = e.to_string();
        if status == 200 && body.len() > 40 {
            let needle = &body[body.len() - 40..];
            if let Ok(s) = std::str::from_utf8(needle) {
                assert!(!text.contains(s), "create error echoed the body");
            }
        }
    }
});
