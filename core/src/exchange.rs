//! One request and its retries: sends, parses, and decides whether to try
//! again. The building block of every flow. Callers pass `RetryPolicy::none()`
//! for the one non-idempotent call, create.

use crate::error::Error;
use crate::excerpt::{WITHHELD, sent_secrets, without_sent};
use crate::http::{HttpRequest, HttpResponse, TransportError};
use crate::retry::RetryPolicy;
use crate::step::{Purpose, SleepReason};

/// A parser from a response to a value.
pub(crate) type Parser<T> = fn(&HttpResponse) -> Result<T, Error>;

/// What an exchange needs next.
pub(crate) enum Wire {
    Send(HttpRequest, Purpose),
    Sleep(u64, SleepReason),
}

#[derive(Clone)]
pub(crate) struct Exchange<T> {
    request: HttpRequest,
    purpose: Purpose,
    parse: Parser<T>,
    policy: RetryPolicy,
    attempts: u32,
    /// A backoff to sleep before the next attempt; relative, so a clock
    /// that steps back never stretches it.
    sleep: Option<(u64, SleepReason)>,
}

impl<T> Exchange<T> {
    pub(crate) fn new(
        request: HttpRequest,
        purpose: Purpose,
        parse: Parser<T>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            request,
            purpose,
            parse,
            policy,
            attempts: 0,
            sleep: None,
        }
    }

    pub(crate) fn poll(&mut self) -> Wire {
        if let Some((ms, why)) = self.sleep.take() {
            return Wire::Sleep(ms, why);
        }
        self.attempts += 1;
        Wire::Send(self.request.clone(), self.purpose)
    }

    /// The parse of a response. A failure is parsed again from the body
    /// without the secrets this request sent, so no excerpt or description
    /// can carry one back (an exact match: a server that echoes the form).
    fn parsed(&self, response: &HttpResponse) -> Result<T, Error> {
        let error = match (self.parse)(response) {
            Err(e) => e,
            ok => return ok,
        };
        let sent = sent_secrets(&self.request);
        if sent.is_empty() {
            return Err(error);
        }
        let clean = HttpResponse::new(
            response.status,
            response.headers.clone(),
            without_sent(&response.body, &sent),
        );
        match (self.parse)(&clean) {
            Err(e) => Err(e),
            // Only the redaction made it parse: report the response, not its body.
            Ok(_) => Err(Error::UnexpectedResponse {
                status: response.status,
                content_type: None,
                reason: "the response echoed a secret this request sent".to_owned(),
                excerpt: WITHHELD.to_owned(),
            }),
        }
    }

    /// `Some` when finished; `None` when it will try again after a sleep.
    pub(crate) fn on_response(
        &mut self,
        response: Result<HttpResponse, TransportError>,
        now_ms: u64,
    ) -> Option<Result<T, Error>> {
        let result = response.map_err(Error::from).and_then(|r| self.parsed(&r));
        match result {
            Err(e) => match self.policy.delay_ms(self.attempts, &e, now_ms) {
                Some(delay) => {
                    let why = if e.retry_after().is_some() {
                        SleepReason::RetryAfter
                    } else {
                        SleepReason::Backoff
                    };
                    self.sleep = Some((delay, why));
                    None
                }
                None => Some(Err(e)),
            },
            ok => Some(ok),
        }
    }
}

/// The step for what an exchange needs, marking the flow as awaiting an
/// answer when it is a request.
pub(crate) fn wire_step<T>(wire: Wire, awaiting: &mut bool) -> crate::step::Step<T> {
    match wire {
        Wire::Send(request, purpose) => {
            *awaiting = true;
            crate::step::Step::Send(request, purpose)
        }
        Wire::Sleep(ms, why) => crate::step::Step::Sleep(ms, why),
    }
}
