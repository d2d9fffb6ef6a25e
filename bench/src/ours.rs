//! This project's side of each operation: the core's pure request builder,
//! response parsers and token cache, called as a binding calls them.

use crate::fixture::{Fixture, json_response};
use mapsindoors_auth::request::token_request;
use mapsindoors_auth::response::{parse_list, parse_token};
use mapsindoors_auth::{Error, HttpRequest, HttpResponse, SecretInfo, Token, TokenCache};
use std::hint::black_box;

/// Operation 1: the `client_credentials` token request.
///
/// # Errors
/// As the core's builder.
pub fn build(f: &Fixture) -> Result<HttpRequest, Error> {
    token_request(&f.config, &f.credentials)
}

/// Operation 2: parse the token response and store it in the cache, which computes
/// its expiry and refresh time from "now".
///
/// # Errors
/// As the core's parser.
pub fn parse_token_expiry(f: &Fixture) -> Result<TokenCache, Error> {
    let token = parse_token(&f.token_response)?;
    let mut cache = TokenCache::new();
    cache.insert(token, f.now_ms);
    Ok(cache)
}

/// Operation 3: build the request, hand it to a transport that answers with the canned
/// response (a fresh copy, as a transport makes one), parse the answer.
///
/// # Errors
/// As the core's builder and parser.
pub fn round_trip(f: &Fixture) -> Result<Token, Error> {
    let request = build(f)?;
    let response = canned_transport(f, &request);
    parse_token(&response)
}

/// Operation 4: parse the list of secrets.
///
/// # Errors
/// As the core's parser.
pub fn list(f: &Fixture) -> Result<Vec<SecretInfo>, Error> {
    parse_list(&f.list_response)
}

fn canned_transport(f: &Fixture, request: &HttpRequest) -> HttpResponse {
    black_box(request);
    json_response(&f.token_body)
}
