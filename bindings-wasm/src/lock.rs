//! Web Locks (`navigator.locks`) around the store-changing calls, where the
//! host has them: an optimisation that keeps two tabs from doing the same
//! work twice. Safety never rests on it: every save is a compare-and-swap.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use mapsindoors_auth::{Error, StoreErrorKind};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

/// `navigator.locks` and its `request` function, when the host has them.
fn web_locks() -> Option<(JsValue, Function)> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    if !navigator.is_object() {
        return None;
    }
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    if !locks.is_object() {
        return None;
    }
    let request = Reflect::get(&locks, &"request".into())
        .ok()?
        .dyn_into::<Function>()
        .ok()?;
    Some((locks, request))
}

/// Runs `work` holding the exclusive Web Lock `name` when the host has Web
/// Locks (and `name` is given), else runs it as is.
pub(crate) async fn with_lock<T, F>(name: Option<String>, work: F) -> Result<T, Error>
where
    T: 'static,
    F: Future<Output = Result<T, Error>> + 'static,
{
    let (Some(name), Some((locks, request))) = (name, web_locks()) else {
        return work.await;
    };
    let work = Rc::new(RefCell::new(Some(work)));
    let slot: Rc<RefCell<Option<Result<T, Error>>>> = Rc::new(RefCell::new(None));
    let (job, out) = (work.clone(), slot.clone());
    let callback = Closure::once_into_js(move |_lock: JsValue| -> Promise {
        let job = job.borrow_mut().take();
        future_to_promise(async move {
            if let Some(job) = job {
                let result = job.await;
                *out.borrow_mut() = Some(result);
            }
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"mode".into(), &"exclusive".into());
    let requested = request
        .call3(&locks, &name.into(), &options, &callback)
        .map(|p| JsFuture::from(Promise::resolve(&p)));
    let lock_error = match requested {
        Ok(waiting) => waiting.await.err(),
        Err(e) => Some(e),
    };
    if let Some(result) = slot.borrow_mut().take() {
        return result;
    }
    // The lock was refused (the callback never ran): the work is still here,
    // and compare-and-swap alone keeps it safe.
    let pending = work.borrow_mut().take();
    match pending {
        Some(job) => job.await,
        None => Err(Error::store(
            StoreErrorKind::Locked,
            format!(
                "navigator.locks.request failed: {}",
                lock_error
                    .and_then(|e| Reflect::get(&e, &"message".into()).ok())
                    .and_then(|m| m.as_string())
                    .unwrap_or_else(|| "no result".to_owned())
            ),
        )),
    }
}
