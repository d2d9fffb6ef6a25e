//! The access-token cache. Time is an argument; the cache hands back a token
//! only while more than a skew margin of its life is left, and grants one
//! fetch at a time (single flight) so bindings need no logic of their own.

use crate::model::Token;
use crate::secret::AccessToken;

/// The longest skew margin: a token is refreshed at least this early.
pub const MAX_SKEW_MS: u64 = 5 * 60 * 1000;
/// Lifetime assumed for a token whose response had no `expires_in`.
pub const ASSUMED_LIFETIME_SECS: u64 = 60;
/// A fetch not completed in this time is presumed abandoned and granted again.
pub const FETCH_TIMEOUT_MS: u64 = 120_000;

/// How early a token of this lifetime is refreshed: min(5 min, 10 % of its life).
#[must_use]
pub fn skew_margin_ms(lifetime_ms: u64) -> u64 {
    (lifetime_ms / 10).min(MAX_SKEW_MS)
}

/// What [`TokenCache::lookup`] says to do.
#[derive(Debug)]
#[must_use]
pub enum Lookup {
    /// Use this token.
    Hit(Token),
    /// Fetch a token, then call [`TokenCache::complete`] with this ticket.
    Fetch(FetchTicket),
    /// Another caller is fetching: wait for it, then look up again.
    Wait,
}

/// Proof that this caller was granted the one fetch in flight.
#[derive(Debug, PartialEq, Eq)]
#[must_use]
pub struct FetchTicket(u64);

#[derive(Debug, Clone)]
struct Entry {
    token: Token,
    expires_at_ms: u64,
    refresh_at_ms: u64,
}

/// A one-token cache with single-flight refresh. See the crate docs for the loop.
#[derive(Debug, Default)]
pub struct TokenCache {
    entry: Option<Entry>,
    in_flight: Option<(u64, u64)>,
    next_ticket: u64,
}

impl TokenCache {
    /// An empty cache.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached token if fresh; else a ticket to fetch one, or `Wait` while
    /// another fetch is in flight.
    pub fn lookup(&mut self, now_ms: u64) -> Lookup {
        if let Some(token) = self.fresh(now_ms) {
            return Lookup::Hit(token.clone());
        }
        match self.in_flight {
            Some((_, started)) if now_ms.saturating_sub(started) < FETCH_TIMEOUT_MS => Lookup::Wait,
            _ => {
                self.next_ticket += 1;
                self.in_flight = Some((self.next_ticket, now_ms));
                Lookup::Fetch(FetchTicket(self.next_ticket))
            }
        }
    }

    /// The cached token if fresh, without taking part in single flight.
    #[must_use]
    pub fn fresh(&self, now_ms: u64) -> Option<&Token> {
        self.entry
            .as_ref()
            .filter(|e| now_ms < e.refresh_at_ms)
            .map(|e| &e.token)
    }

    /// Ends the fetch this ticket was granted: stores the token on success
    /// and lets waiters look up again either way. Returns false for a stale
    /// ticket (one granted before a [`TokenCache::clear`], or re-granted
    /// after [`FETCH_TIMEOUT_MS`]); its token is not stored, since it may
    /// be from credentials the session no longer uses.
    pub fn complete(&mut self, ticket: FetchTicket, token: Option<Token>, now_ms: u64) -> bool {
        let current = self.in_flight.is_some_and(|(id, _)| id == ticket.0);
        if current {
            self.in_flight = None;
            if let Some(token) = token {
                self.insert(token, now_ms);
            }
        }
        current
    }

    /// Stores a token obtained elsewhere (e.g. by a rotation's verify step).
    pub fn insert(&mut self, token: Token, now_ms: u64) {
        let lifetime_ms = token
            .expires_in
            .unwrap_or(ASSUMED_LIFETIME_SECS)
            .saturating_mul(1000);
        let expires_at_ms = now_ms.saturating_add(lifetime_ms);
        let refresh_at_ms = expires_at_ms.saturating_sub(skew_margin_ms(lifetime_ms));
        self.entry = Some(Entry {
            token,
            expires_at_ms,
            refresh_at_ms,
        });
    }

    /// Forgets this token (e.g. after a 401), unless a newer one replaced it.
    pub fn invalidate(&mut self, token: &AccessToken) {
        if self
            .entry
            .as_ref()
            .is_some_and(|e| &e.token.access_token == token)
        {
            self.entry = None;
        }
    }

    /// Forgets everything, the fetch in flight included.
    pub fn clear(&mut self) {
        self.entry = None;
        self.in_flight = None;
    }

    /// When the cached token expires, in Unix milliseconds.
    #[must_use]
    pub fn expires_at_ms(&self) -> Option<u64> {
        self.entry.as_ref().map(|e| e.expires_at_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(name: &str, expires_in: Option<u64>) -> Token {
        Token {
            access_token: AccessToken::new(name),
            token_type: "Bearer".into(),
            expires_in,
            scope: None,
        }
    }

    #[test]
    fn margin_scales_with_lifetime() {
        assert_eq!(skew_margin_ms(3_600_000), MAX_SKEW_MS);
        assert_eq!(skew_margin_ms(60_000), 6_000);
        assert_eq!(skew_margin_ms(0), 0);
    }

    #[test]
    fn single_flight_then_hit_until_margin() {
        let mut c = TokenCache::new();
        let Lookup::Fetch(ticket) = c.lookup(0) else {
            panic!("expected fetch")
        };
        assert!(matches!(c.lookup(1), Lookup::Wait));
        assert!(c.complete(ticket, Some(token("a", Some(100))), 1_000));
        // 100 s life, 10 s margin: fresh until 91 s.
        assert!(matches!(c.lookup(90_999), Lookup::Hit(_)));
        assert!(matches!(c.lookup(91_000), Lookup::Fetch(_)));
    }

    #[test]
    fn failed_fetch_releases_waiters_and_stale_ticket_is_refused() {
        let mut c = TokenCache::new();
        let Lookup::Fetch(t1) = c.lookup(0) else {
            panic!()
        };
        assert!(c.complete(t1, None, 5));
        let Lookup::Fetch(t2) = c.lookup(6) else {
            panic!()
        };
        // An abandoned fetch is granted again after the timeout.
        let Lookup::Fetch(t3) = c.lookup(6 + FETCH_TIMEOUT_MS) else {
            panic!()
        };
        assert!(!c.complete(t2, None, 7));
        assert!(c.complete(t3, Some(token("b", None)), 8));
        assert_eq!(c.expires_at_ms(), Some(8 + ASSUMED_LIFETIME_SECS * 1000));
    }

    #[test]
    fn invalidate_only_the_rejected_token() {
        let mut c = TokenCache::new();
        c.insert(token("new", Some(3600)), 0);
        c.invalidate(&AccessToken::new("old"));
        assert!(c.fresh(1).is_some());
        c.invalidate(&AccessToken::new("new"));
        assert!(c.fresh(1).is_none());
    }
}
