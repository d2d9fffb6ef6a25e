//! What the core takes from the JS host besides the store: HTTP (with its
//! timeout), the clock (Unix ms), sleeping (`setTimeout`), CSPRNG bytes
//! (`crypto.getRandomValues`), the progress callback (before each step) and
//! the event callback (after it: the core's [`Event`]). Flow-vector
//! replays swap the clock, sleep and randomness for scripted ones
//! (`testHooks`); nothing else changes.

use js_sys::{Function, Promise, Uint8Array};
use mapsindoors_auth::{Error, Event, Step};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::errors::invalid_input;
use crate::js::{Js, Prop, to_js};
use crate::transport::Transport;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// The host's HTTP, clock, sleep, randomness and progress callback.
pub(crate) struct Platform {
    pub(crate) transport: Transport,
    /// Per request: the session's `timeoutMs`.
    pub(crate) timeout_ms: u64,
    /// `onProgress(event)`: told each step's purpose or reason.
    pub(crate) progress: Option<Function>,
    /// `onEvent(event)`: told each step taken and how it went.
    pub(crate) events: Option<Function>,
    /// `testHooks`: scripted clock, sleep and randomness.
    pub(crate) hooks: Hooks,
}

/// `testHooks: {now(), sleep(ms, reason), random(n)}`, replacing the real
/// ones; what is not a function is not a hook.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Hooks {
    now: Prop<Js>,
    sleep: Prop<Js>,
    random: Prop<Js>,
}

/// A hook, if it is a function.
fn hook(prop: &Prop<Js>) -> Option<&Function> {
    match prop {
        Prop::Given(js) => js.0.dyn_ref(),
        Prop::Absent | Prop::Wrong => None,
    }
}

/// What `onProgress` is told: a step and what it is for.
#[derive(Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
enum StepEvent<'a> {
    Send { purpose: &'a str },
    Load,
    Persist { reason: &'a str, generation: f64 },
    Sleep { reason: &'a str, ms: f64 },
}

impl Platform {
    /// The current time in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> u64 {
        match hook(&self.hooks.now) {
            Some(f) => unix_ms(f.call0(&JsValue::NULL).ok().and_then(|v| v.as_f64())),
            None => now_ms(),
        }
    }

    /// A step's `Sleep`.
    pub(crate) async fn sleep(&self, ms: u64, reason: &str) {
        match hook(&self.hooks.sleep) {
            Some(f) => {
                if let Ok(p) = f.call2(&JsValue::NULL, &(ms as f64).into(), &reason.into()) {
                    let _ = JsFuture::from(Promise::resolve(&p)).await;
                }
            }
            None => timer(ms).await,
        }
    }

    /// `N` bytes from the host's CSPRNG.
    pub(crate) fn random<const N: usize>(&self) -> Result<[u8; N], Error> {
        let Some(f) = hook(&self.hooks.random) else {
            return random_bytes();
        };
        f.call1(&JsValue::NULL, &(N as f64).into())
            .ok()
            .filter(|v| v.is_instance_of::<Uint8Array>())
            .and_then(|v| Uint8Array::from(v).to_vec().try_into().ok())
            .ok_or_else(|| invalid_input("random", "the hook must give N bytes"))
    }

    /// Tells `onProgress` what the step is for; its errors are ignored.
    pub(crate) fn report<T>(&self, step: &Step<T>) {
        let Some(f) = &self.progress else { return };
        let event = match step {
            Step::Send(_, purpose) => StepEvent::Send {
                purpose: purpose.as_str(),
            },
            Step::Load => StepEvent::Load,
            Step::Persist(record, reason) => StepEvent::Persist {
                reason: reason.as_str(),
                generation: record.generation as f64,
            },
            Step::Sleep(ms, reason) => StepEvent::Sleep {
                reason: reason.as_str(),
                ms: *ms as f64,
            },
            Step::Wait(_) | Step::Done(_) => return,
        };
        let _ = f.call1(&JsValue::NULL, &to_js(&event));
    }
}

/// What `onEvent` is told: the core's [`Event`], field for field, in the
/// package's camelCase; a field that does not apply is `null`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventView<'a> {
    event: &'a str,
    purpose: Option<&'a str>,
    reason: Option<&'a str>,
    outcome: &'a str,
    status: Option<u16>,
    error: Option<&'a str>,
    generation: Option<f64>,
    duration_ms: f64,
}

impl Platform {
    /// Whether anyone listens to events (else the driver builds none).
    pub(crate) fn wants_events(&self) -> bool {
        self.events.is_some()
    }

    /// Tells `onEvent` what a step did; its errors are ignored.
    pub(crate) fn event(&self, e: &Event) {
        let Some(f) = &self.events else { return };
        let view = EventView {
            event: e.event,
            purpose: e.purpose,
            reason: e.reason,
            outcome: e.outcome,
            status: e.status,
            error: e.error.as_deref(),
            generation: e.generation.map(|g| g as f64),
            duration_ms: e.duration_ms as f64,
        };
        let _ = f.call1(&JsValue::NULL, &to_js(&view));
    }
}

/// The host's time in Unix milliseconds.
pub(crate) fn now_ms() -> u64 {
    unix_ms(Some(js_sys::Date::now()))
}

fn unix_ms(now: Option<f64>) -> u64 {
    now.filter(|n| n.is_finite() && *n > 0.0)
        .map_or(0, |n| n as u64)
}

/// `N` bytes from `crypto.getRandomValues`.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], Error> {
    let mut buf = [0u8; N];
    get_random_values(&mut buf)
        .map_err(|_| invalid_input("crypto", "crypto.getRandomValues is not available"))?;
    Ok(buf)
}

/// A real `setTimeout`, cleared when dropped before it fires (so a finished
/// request's timeout does not keep Node alive).
pub(crate) async fn timer(ms: u64) {
    let mut id = JsValue::UNDEFINED;
    let promise = Promise::new(&mut |resolve, _reject| {
        id = set_timeout(&resolve, ms as f64);
    });
    let _clear = Cleared(id);
    let _ = JsFuture::from(promise).await;
}

/// Clears its `setTimeout` when dropped.
struct Cleared(JsValue);

impl Drop for Cleared {
    fn drop(&mut self) {
        clear_timeout(&self.0);
    }
}
