//! Before anything is measured: both sides must produce the same result on
//! the same inputs (same request line, headers and form body bytes; same
//! parsed fields and expiry). A difference is an error naming the field,
//! never printing a body (it holds the made-up secret or the token).

use crate::fixture::{Fixture, LIST_LEN};
use crate::{ours, peer};
use mapsindoors_auth::Token;
use oauth2::TokenResponse;
use oauth2::basic::{BasicTokenResponse, BasicTokenType};
use std::time::UNIX_EPOCH;

/// Checks all four operations.
///
/// # Errors
/// The first difference found, or a side that failed.
pub fn all(f: &Fixture) -> Result<(), String> {
    build(f)?;
    parse_token(f)?;
    round_trip(f)?;
    list(f)
}

fn same<T: PartialEq + std::fmt::Debug>(what: &str, ours: T, peer: T) -> Result<(), String> {
    if ours == peer {
        Ok(())
    } else {
        Err(format!(
            "{what} differs: this project {ours:?}, peer {peer:?}"
        ))
    }
}

fn build(f: &Fixture) -> Result<(), String> {
    let ours = ours::build(f).map_err(|e| format!("core build failed: {e}"))?;
    let peer = peer::build(f).ok_or("oauth2-rs did not hand its request to the client")?;
    same(
        "build: method",
        ours.method.as_str(),
        peer.method().as_str(),
    )?;
    same("build: URL", ours.url.clone(), peer.uri().to_string())?;
    for name in ["content-type", "accept"] {
        let theirs = peer.headers().get(name).and_then(|v| v.to_str().ok());
        same(&format!("build: header {name}"), ours.header(name), theirs)?;
    }
    // Its value would carry the secret: only whether each side sends one.
    same(
        "build: an Authorization header is sent",
        ours.header("authorization").is_some(),
        peer.headers().contains_key("authorization"),
    )?;
    same(
        "build: header count",
        ours.headers.len(),
        peer.headers().len(),
    )?;
    if ours.body != *peer.body() {
        let at = ours
            .body
            .iter()
            .zip(peer.body())
            .position(|(a, b)| a != b)
            .unwrap_or(ours.body.len().min(peer.body().len()));
        return Err(format!(
            "build: form bodies differ from byte {at} (this project {} bytes, peer {} bytes)",
            ours.body.len(),
            peer.body().len()
        ));
    }
    Ok(())
}

fn same_token(op: &str, ours: &Token, peer: &BasicTokenResponse) -> Result<(), String> {
    if ours.access_token.expose_secret() != peer.access_token().secret() {
        return Err(format!("{op}: access_token differs"));
    }
    same(
        &format!("{op}: token_type is Bearer"),
        ours.token_type == "Bearer",
        *peer.token_type() == BasicTokenType::Bearer,
    )?;
    same(
        &format!("{op}: expires_in"),
        ours.expires_in,
        peer.expires_in().map(|d| d.as_secs()),
    )?;
    let scopes = peer.scopes().map(|s| {
        s.iter()
            .map(|scope| scope.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    same(&format!("{op}: scope"), ours.scope.clone(), scopes)
}

fn parse_token(f: &Fixture) -> Result<(), String> {
    let cache = ours::parse_token_expiry(f).map_err(|e| format!("core parse failed: {e}"))?;
    let (peer, expires_at) =
        peer::parse_token_expiry(f).map_err(|e| format!("peer parse failed: {e}"))?;
    let token = cache
        .fresh(f.now_ms)
        .ok_or("parse_token: the core's cache holds no fresh token")?;
    same_token("parse_token", token, &peer)?;
    let peer_ms = expires_at
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| u64::try_from(d.as_millis()).ok());
    same(
        "parse_token: expires at (ms)",
        cache.expires_at_ms(),
        peer_ms,
    )
}

fn round_trip(f: &Fixture) -> Result<(), String> {
    let ours = ours::round_trip(f).map_err(|e| format!("core round trip failed: {e}"))?;
    let peer = peer::round_trip(f).map_err(|e| format!("peer round trip failed: {e}"))?;
    same_token("round_trip", &ours, &peer)
}

fn list(f: &Fixture) -> Result<(), String> {
    let ours = ours::list(f).map_err(|e| format!("core list parse failed: {e}"))?;
    let peer = peer::list(f).map_err(|e| format!("peer list parse failed: {e}"))?;
    same("parse_list: length", ours.len(), LIST_LEN)?;
    same("parse_list: length", ours.len(), peer.len())?;
    for (i, (a, b)) in ours.iter().zip(&peer).enumerate() {
        same(&format!("parse_list[{i}]: id"), &a.id, &b.id)?;
        same(
            &format!("parse_list[{i}]: description"),
            &a.description,
            &b.description,
        )?;
        same(
            &format!("parse_list[{i}]: client_id"),
            &a.client_id,
            &b.client_id,
        )?;
        same(
            &format!("parse_list[{i}]: createdAt"),
            a.created_at.datetime(),
            b.created_at,
        )?;
        if b.created_at.nanosecond() % 100 != 0 || a.created_at.as_str().len() != 28 {
            return Err(format!(
                "parse_list[{i}]: createdAt is not a 7-digit fraction"
            ));
        }
    }
    Ok(())
}
