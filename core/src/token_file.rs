//! A token shared between processes that use one store (many small scripts
//! calling the CLI's `token`): its file format, the key that ties it to the
//! store's current secret, and when it may be reused (the session cache's
//! own refresh margin, [`crate::cache::skew_margin_ms`]). The caller does
//! the file IO (0600, atomic replace, a lock around login-and-write).
//!
//! ```json
//! {"format":"mapsindoors-auth-token","version":1,"auth_url":"…","customer_id":"…",
//!  "client_id":"…","lineage":"…","generation":7,"obtained_at_ms":1780000000000,
//!  "access_token":"…","token_type":"Bearer","expires_in":3600,"scope":"…"}
//! ```
//!
//! The key is the store's server, customer, client, lineage and
//! generation: every save of the store (a rotation's first among them)
//! bumps the generation, so a rotation invalidates the cached token. The
//! key holds nothing derived from a secret.

use crate::cache::{ASSUMED_LIFETIME_SECS, skew_margin_ms};
use crate::model::Token;
use crate::record::StoreRecord;
use crate::response::is_b64token;
use crate::secret::AccessToken;
use serde::{Deserialize, Serialize};

/// The `format` field.
pub const TOKEN_FILE_FORMAT: &str = "mapsindoors-auth-token";
/// A token file larger than this is not read (one is ~2 KB).
pub const MAX_TOKEN_FILE_BYTES: usize = 64 * 1024;

#[derive(Serialize, Deserialize)]
struct TokenFile {
    format: String,
    version: u32,
    auth_url: String,
    customer_id: String,
    client_id: String,
    lineage: String,
    generation: u64,
    obtained_at_ms: u64,
    access_token: String,
    token_type: String,
    expires_in: Option<u64>,
    scope: Option<String>,
}

impl Drop for TokenFile {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.access_token);
    }
}

impl TokenFile {
    fn matches(&self, record: &StoreRecord) -> bool {
        self.format == TOKEN_FILE_FORMAT
            && self.version == 1
            && self.auth_url == record.auth_url
            && self.customer_id == record.customer_id
            && self.client_id == record.client_id
            && self.lineage == record.lineage
            && self.generation == record.generation
    }
}

/// The file's text for `token`, obtained (its request sent) at
/// `obtained_at_ms` with `record`'s current secret.
#[must_use]
pub fn token_file_json(record: &StoreRecord, token: &Token, obtained_at_ms: u64) -> String {
    let file = TokenFile {
        format: TOKEN_FILE_FORMAT.to_owned(),
        version: 1,
        auth_url: record.auth_url.clone(),
        customer_id: record.customer_id.clone(),
        client_id: record.client_id.clone(),
        lineage: record.lineage.clone(),
        generation: record.generation,
        obtained_at_ms,
        // EXPOSE: the token goes only into the caller's 0600 cache file.
        access_token: token.access_token.expose_secret().to_owned(),
        token_type: token.token_type.clone(),
        expires_in: token.expires_in,
        scope: token.scope.clone(),
    };
    serde_json::to_string(&file).unwrap_or_default()
}

/// The token in a cache file's `text`, if it was obtained for `record` as it
/// is now (same key) and is still fresh at `now_ms` by the session cache's
/// rule. Anything else (another store or generation, expired, corrupt, too
/// large, a token that is not RFC 6750) is `None`: log in again.
#[must_use]
pub fn token_from_file(text: &str, record: &StoreRecord, now_ms: u64) -> Option<Token> {
    if text.len() > MAX_TOKEN_FILE_BYTES {
        return None;
    }
    let file: TokenFile = serde_json::from_str(text).ok()?;
    if !file.matches(record) || !is_b64token(&file.access_token) {
        return None;
    }
    let lifetime_ms = file
        .expires_in
        .unwrap_or(ASSUMED_LIFETIME_SECS)
        .saturating_mul(1000);
    let refresh_at = file
        .obtained_at_ms
        .saturating_add(lifetime_ms)
        .saturating_sub(skew_margin_ms(lifetime_ms));
    // A file from the future (a clock stepped back) is not trusted either.
    if now_ms >= refresh_at || file.obtained_at_ms > now_ms {
        return None;
    }
    let left_secs = (refresh_at - now_ms) / 1000;
    Some(Token {
        access_token: AccessToken::new(file.access_token.as_str()),
        token_type: file.token_type.clone(),
        // What is left of its life (to the refresh point), as `expires_in` means.
        expires_in: Some(left_secs),
        scope: file.scope.clone(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::config::Config;
    use crate::secret::ClientSecret;

    fn record() -> StoreRecord {
        let config = Config::new("https://auth.example.test")
            .unwrap()
            .with_customer_id("c")
            .unwrap();
        StoreRecord::new(
            &config,
            "client",
            ClientSecret::new("canary-s3cr3t"),
            None,
            "l-00",
        )
        .unwrap()
    }

    fn token() -> Token {
        Token {
            access_token: AccessToken::new("tok.abc"),
            token_type: "Bearer".into(),
            expires_in: Some(3600),
            scope: None,
        }
    }

    #[test]
    fn reused_until_the_refresh_margin() {
        let r = record();
        let text = token_file_json(&r, &token(), 1_000_000);
        assert!(!text.contains("canary"), "the key holds no secret");
        let got = token_from_file(&text, &r, 1_000_000 + 60_000).unwrap();
        assert_eq!(got.access_token.expose_secret(), "tok.abc");
        // 3600 s life, 5 min margin: refreshed from 55 min on.
        assert_eq!(got.expires_in, Some(3300 - 60));
        assert!(token_from_file(&text, &r, 1_000_000 + 3_300_000).is_none());
        assert!(token_from_file(&text, &r, 1_000_000 + 3_299_999).is_some());
    }

    #[test]
    fn a_new_generation_invalidates_it() {
        let r = record();
        let text = token_file_json(&r, &token(), 1_000);
        let next = r.next(2_000).unwrap();
        assert!(token_from_file(&text, &next, 2_000).is_none());
    }

    #[test]
    fn junk_and_the_future_are_ignored() {
        let r = record();
        for junk in ["", "{", "null", "[]", "{\"format\":1}"] {
            assert!(token_from_file(junk, &r, 0).is_none(), "{junk}");
        }
        let text = token_file_json(&r, &token(), 10_000);
        assert!(token_from_file(&text, &r, 9_999).is_none());
        let big = " ".repeat(MAX_TOKEN_FILE_BYTES + 1);
        assert!(token_from_file(&big, &r, 0).is_none());
        let bad = text.replace("tok.abc", "tok\\u001b[31m");
        assert!(token_from_file(&bad, &r, 10_001).is_none());
    }
}
