//! One request and its retries: sends, parses, and decides whether to try
//! again. The building block of every flow. Callers pass `RetryPolicy::none()`
//! for the one non-idempotent call, create.

use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::retry::RetryPolicy;

/// A parser from a response to a value.
pub(crate) type Parser<T> = fn(&HttpResponse) -> Result<T, Error>;

/// What an exchange needs next.
pub(crate) enum Wire {
    Send(HttpRequest),
    Sleep(u64),
}

#[derive(Clone)]
pub(crate) struct Exchange<T> {
    request: HttpRequest,
    parse: Parser<T>,
    policy: RetryPolicy,
    attempts: u32,
    /// A backoff to sleep before the next attempt; relative, so a clock
    /// that steps back never stretches it.
    sleep_ms: Option<u64>,
}

impl<T> Exchange<T> {
    pub(crate) fn new(request: HttpRequest, parse: Parser<T>, policy: RetryPolicy) -> Self {
        Self {
            request,
            parse,
            policy,
            attempts: 0,
            sleep_ms: None,
        }
    }

    pub(crate) fn poll(&mut self, _now_ms: u64) -> Wire {
        if let Some(ms) = self.sleep_ms.take() {
            return Wire::Sleep(ms);
        }
        self.attempts += 1;
        Wire::Send(self.request.clone())
    }

    /// `Some` when finished; `None` when it will try again after a sleep.
    pub(crate) fn on_response(
        &mut self,
        response: Result<HttpResponse, TransportError>,
        now_ms: u64,
    ) -> Option<Result<T, Error>> {
        let result = response.map_err(Error::from).and_then(|r| (self.parse)(&r));
        match result {
            Err(e) => match self.policy.delay_ms(self.attempts, &e, now_ms) {
                Some(delay) => {
                    self.sleep_ms = Some(delay);
                    None
                }
                None => Some(Err(e)),
            },
            ok => Some(ok),
        }
    }
}
