//! What the core takes as inputs, from the JS host: the clock (Unix ms),
//! sleeping (a Promise over `setTimeout`) and CSPRNG bytes (`crypto.getRandomValues`).

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<JsValue, JsValue>;
}

/// The current time in Unix milliseconds.
pub(crate) fn now_ms() -> u64 {
    let now = js_sys::Date::now();
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// Resolves after `ms` milliseconds.
pub(crate) async fn sleep(ms: u64) {
    let promise = Promise::new(&mut |resolve, _reject| {
        let _ = set_timeout(&resolve, ms as f64);
    });
    let _ = JsFuture::from(promise).await;
}

/// `N` bytes from the host's CSPRNG.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], mapsindoors_auth::Error> {
    let mut buf = [0u8; N];
    get_random_values(&mut buf).map_err(|_| {
        crate::errors::invalid_input(
            "crypto",
            "crypto.getRandomValues is not available in this host",
        )
    })?;
    Ok(buf)
}
