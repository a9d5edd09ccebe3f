//! The three things the core asks of a runtime — sleep, a deadline, a task beside the caller —
//! from tokio on desktop and from the browser's event loop in the web worker. Everything else in
//! the core is the same code on both; only this module and `sse` know which one runs it.

use std::future::Future;
use std::time::Duration;

use futures::future::{Either, select};

/// A deadline passed before the work finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elapsed;

#[cfg(not(target_arch = "wasm32"))]
pub async fn sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

#[cfg(target_arch = "wasm32")]
pub async fn sleep(d: Duration) {
    // `setTimeout` takes milliseconds as an i32; a longer wait is capped (about 24 days).
    let ms = u32::try_from(d.as_millis())
        .unwrap_or(u32::MAX)
        .min(i32::MAX as u32);
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

/// `work`'s answer, or [`Elapsed`] when `limit` passes first (the work is dropped).
pub async fn timeout<F: Future>(limit: Duration, work: F) -> Result<F::Output, Elapsed> {
    let work = std::pin::pin!(work);
    let timer = std::pin::pin!(sleep(limit));
    match select(work, timer).await {
        Either::Left((answer, _)) => Ok(answer),
        Either::Right(_) => Err(Elapsed),
    }
}

/// Runs `task` beside the caller (on tokio's pool on desktop).
#[cfg(not(target_arch = "wasm32"))]
pub fn spawn(task: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(task);
}

/// Runs `task` beside the caller (on the worker's event loop: one thread, so no `Send`).
#[cfg(target_arch = "wasm32")]
pub fn spawn(task: impl Future<Output = ()> + 'static) {
    wasm_bindgen_futures::spawn_local(task);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deadline_cuts_slow_work_and_lets_quick_work_answer() {
        let slow = timeout(Duration::from_millis(20), sleep(Duration::from_secs(30))).await;
        assert_eq!(slow, Err(Elapsed));
        let quick = timeout(Duration::from_secs(5), async { 7 }).await;
        assert_eq!(quick, Ok(7));
    }
}
