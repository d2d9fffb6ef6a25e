//! The client's rotation lock: an async mutex with no runtime (waiters park
//! on oneshot channels). An optimisation only: a rotation is safe without it
//! (every save is a compare-and-swap); it saves the wasted work of two
//! rotations of one client racing (an app login and a background job).

use futures_channel::oneshot;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Default)]
struct State {
    held: bool,
    waiters: Vec<oneshot::Sender<()>>,
}

/// An async mutex guarding nothing but the right to run.
#[derive(Default)]
pub(crate) struct RotationLock {
    state: Mutex<State>,
}

impl RotationLock {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until the lock is free and takes it. Cancelling the wait (dropping
    /// the future) is safe: the lock is not taken, and no one is left waiting.
    pub(crate) async fn lock(&self) -> LockGuard<'_> {
        loop {
            let waiter = {
                let mut state = self.state();
                if !state.held {
                    state.held = true;
                    return LockGuard { lock: self };
                }
                let (tx, rx) = oneshot::channel();
                state.waiters.push(tx);
                rx
            };
            // Woken by a release (or the lock dropped): try again.
            let _ = waiter.await;
        }
    }
}

/// Holds the lock; dropping it (also when the holding task is cancelled)
/// releases it and wakes every waiter (one wins, the rest wait again).
pub(crate) struct LockGuard<'a> {
    lock: &'a RotationLock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        let mut state = self.lock.state();
        state.held = false;
        for waiter in state.waiters.drain(..) {
            let _ = waiter.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn one_holder_at_a_time_and_cancelled_waiters_do_not_block() {
        let lock = RotationLock::default();
        let first = pin!(lock.lock());
        let Poll::Ready(guard) = poll_once(first) else {
            panic!("a free lock is taken at once")
        };
        {
            let second = pin!(lock.lock());
            assert!(poll_once(second).is_pending());
            // dropped here: a cancelled waiter
        }
        let mut third = pin!(lock.lock());
        assert!(poll_once(third.as_mut()).is_pending());
        drop(guard);
        assert!(poll_once(third.as_mut()).is_ready());
    }
}
