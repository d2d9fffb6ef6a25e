//! Single-flight access tokens for async callers: the core [`TokenCache`]
//! decides (hit, fetch, wait); this module only parks waiters on oneshot
//! channels and wakes them when the fetch ends, cancelled fetches included.

use crate::driver::now_ms;
use futures_channel::oneshot;
use mapsindoors_auth::{FetchTicket, Lookup, Token, TokenCache};
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Default)]
struct State {
    cache: TokenCache,
    waiters: Vec<oneshot::Sender<()>>,
}

/// The client's token cache plus its waiters.
#[derive(Default)]
pub(crate) struct Tokens {
    state: Mutex<State>,
}

/// What a caller of [`Tokens::lease`] does next.
pub(crate) enum Lease<'a> {
    /// Use this token.
    Hit(Token),
    /// Fetch one and hand it to the guard (dropping it unfinished releases the waiters).
    Fetch(FetchGuard<'a>),
    /// Another fetch ended: ask again.
    Again,
}

impl Tokens {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh token, or the one fetch in flight, or a wait for it.
    pub(crate) async fn lease(&self) -> Lease<'_> {
        let waiter = {
            let mut state = self.lock();
            match state.cache.lookup(now_ms()) {
                Lookup::Hit(token) => return Lease::Hit(token),
                Lookup::Fetch(ticket) => {
                    return Lease::Fetch(FetchGuard {
                        tokens: self,
                        ticket: Some(ticket),
                    });
                }
                Lookup::Wait => {
                    let (tx, rx) = oneshot::channel();
                    state.waiters.push(tx);
                    rx
                }
            }
        };
        // A cancelled sender (the fetcher's task dropped) also wakes us.
        let _ = waiter.await;
        Lease::Again
    }

    /// The cached token if fresh, without joining single flight.
    pub(crate) fn fresh(&self) -> Option<Token> {
        self.lock().cache.fresh(now_ms()).cloned()
    }

    /// Caches a token obtained by another flow.
    pub(crate) fn insert(&self, token: Token) {
        self.lock().cache.insert(token, now_ms());
    }

    /// Forgets the cached token (the credentials changed).
    pub(crate) fn clear(&self) {
        let mut state = self.lock();
        state.cache.clear();
        wake(&mut state);
    }

    fn complete(&self, ticket: FetchTicket, token: Option<Token>) {
        let mut state = self.lock();
        let _ = state.cache.complete(ticket, token, now_ms());
        wake(&mut state);
    }
}

fn wake(state: &mut State) {
    for waiter in state.waiters.drain(..) {
        let _ = waiter.send(());
    }
}

/// The right to the one fetch in flight. Finish it with the fetched token;
/// if the fetching task is cancelled, dropping it ends the fetch.
pub(crate) struct FetchGuard<'a> {
    tokens: &'a Tokens,
    ticket: Option<FetchTicket>,
}

impl FetchGuard<'_> {
    /// Ends the fetch, caching the token if there is one.
    pub(crate) fn finish(mut self, token: Option<Token>) {
        if let Some(ticket) = self.ticket.take() {
            self.tokens.complete(ticket, token);
        }
    }
}

impl Drop for FetchGuard<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.tokens.complete(ticket, None);
        }
    }
}
