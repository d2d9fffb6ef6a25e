//! What the core takes from the JS host besides the store: HTTP (with its
//! timeout), the clock (Unix ms), sleeping (`setTimeout`), CSPRNG bytes
//! (`crypto.getRandomValues`) and the progress callback. Flow-vector
//! replays swap the clock, sleep and randomness for scripted ones
//! (`testHooks`); nothing else changes.

use js_sys::{Function, Promise, Reflect, Uint8Array};
use mapsindoors_auth::{Error, Step};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::errors::invalid_input;
use crate::transport::Transport;
use crate::values::Fields;

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
    /// `{now(), sleep(ms, reason), random(n)}` replacing the real ones.
    pub(crate) hooks: Option<JsValue>,
}

impl Platform {
    /// The current time in Unix milliseconds.
    pub(crate) fn now_ms(&self) -> u64 {
        match self.hook("now") {
            Some(f) => unix_ms(f.call0(&JsValue::NULL).ok().and_then(|v| v.as_f64())),
            None => now_ms(),
        }
    }

    /// A step's `Sleep`.
    pub(crate) async fn sleep(&self, ms: u64, reason: &str) {
        match self.hook("sleep") {
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
        let Some(f) = self.hook("random") else {
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
            Step::Send(_, purpose) => Fields::new()
                .set("step", "send")
                .set("purpose", purpose.as_str())
                .into(),
            Step::Load => Fields::new().set("step", "load").into(),
            Step::Persist(record, reason) => Fields::new()
                .set("step", "persist")
                .set("reason", reason.as_str())
                .set("generation", record.generation as f64)
                .into(),
            Step::Sleep(ms, reason) => Fields::new()
                .set("step", "sleep")
                .set("reason", reason.as_str())
                .set("ms", *ms as f64)
                .into(),
            Step::Wait(_) | Step::Done(_) => return,
        };
        let _ = f.call1(&JsValue::NULL, &event);
    }

    fn hook(&self, name: &str) -> Option<Function> {
        let hooks = self.hooks.as_ref()?;
        Reflect::get(hooks, &name.into()).ok()?.dyn_into().ok()
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
