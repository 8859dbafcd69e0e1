//! `limits.request_timeout_ms` for HTTP/1 connections, with one timer per
//! connection instead of one per request.
//!
//! An HTTP/1 connection runs one request at a time, and hyper polls that
//! request's future inside the connection's own task. So each request only
//! records its deadline in the connection's [`ConnectionDeadline`], and the
//! connection's task ([`Watched`]) keeps one tokio timer armed at or before
//! the deadline of the request in flight. The timer is re-armed only when it
//! fires, which happens at most once per timeout period, so a request costs a
//! clock read and a few stores. A per-request `tokio::time::timeout`, by
//! contrast, registers and removes a timer-wheel entry and polls it on every
//! wake-up (≈ 1.4 k instructions per request, measured with callgrind).
//!
//! HTTP/2 runs each request in a task of its own, where the connection's
//! timer could not wake it; those requests keep a per-request timeout.

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// No request in flight.
const NONE: u64 = 0;

/// The deadline of the request in flight on one HTTP/1 connection, shared by
/// the connection's task and the request's future (both run in that task,
/// one after the other, so relaxed atomics are enough: they are only atomics
/// because the state is shared through an `Arc`).
#[derive(Debug)]
pub(crate) struct ConnectionDeadline {
    /// What the offsets below count from.
    opened: Instant,
    /// Nanoseconds after `opened` at which the request in flight times out
    /// (at least 1), or [`NONE`].
    deadline: AtomicU64,
    /// Set by the connection's task when the request in flight is past its
    /// deadline; its future then ends with a timeout.
    expired: AtomicBool,
}

impl ConnectionDeadline {
    /// The state of a connection opened now.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(ConnectionDeadline {
            opened: Instant::now(),
            deadline: AtomicU64::new(NONE),
            expired: AtomicBool::new(false),
        })
    }

    /// Nanoseconds since the connection opened.
    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The instant `offset` nanoseconds after the connection opened (far in
    /// the future when that is not representable).
    fn instant(&self, offset: u64) -> Instant {
        const FAR: Duration = Duration::from_secs(86_400 * 365 * 30);
        let after = Duration::from_nanos(offset);
        self.opened
            .checked_add(after)
            .or_else(|| Instant::now().checked_add(FAR))
            .unwrap_or(self.opened)
    }

    /// Runs `request` (the connection's only request in flight) for at most
    /// `limit`; `None` when it took longer. Must be polled in the task that
    /// polls the connection's [`Watched`].
    pub(crate) async fn within<F: Future>(&self, limit: Duration, request: F) -> Option<F::Output> {
        let limit = u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX);
        let deadline = self.now().saturating_add(limit).max(1);
        self.deadline.store(deadline, Ordering::Relaxed);
        self.expired.store(false, Ordering::Relaxed);
        // Clears the deadline however the request ends (also when it is
        // dropped because the client went away).
        let _in_flight = InFlight(self);
        let mut request = std::pin::pin!(request);
        std::future::poll_fn(|cx| {
            // A request that completes wins over a deadline that passed in
            // the same wake-up, as with `tokio::time::timeout`.
            if let Poll::Ready(out) = request.as_mut().poll(cx) {
                return Poll::Ready(Some(out));
            }
            if self.expired.load(Ordering::Relaxed) {
                return Poll::Ready(None);
            }
            Poll::Pending
        })
        .await
    }
}

/// Marks the end of the request in flight.
struct InFlight<'a>(&'a ConnectionDeadline);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.deadline.store(NONE, Ordering::Relaxed);
        self.0.expired.store(false, Ordering::Relaxed);
    }
}

pin_project! {
    /// An HTTP/1 connection's future, with the timer that enforces its
    /// requests' deadlines.
    pub(crate) struct Watched<C> {
        #[pin]
        connection: C,
        state: Arc<ConnectionDeadline>,
        // Created when the first request needs it; `armed` says whether it
        // is set and not yet fired.
        timer: Option<Pin<Box<Sleep>>>,
        armed: bool,
    }
}

impl<C> Watched<C> {
    /// Watches `connection`, whose requests run under `state`.
    pub(crate) fn new(connection: C, state: Arc<ConnectionDeadline>) -> Self {
        Watched {
            connection,
            state,
            timer: None,
            armed: false,
        }
    }
}

impl<C: Future> Future for Watched<C> {
    type Output = C::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<C::Output> {
        let this = self.project();
        let state = &**this.state;
        if *this.armed && this.timer.as_ref().is_some_and(|t| t.is_elapsed()) {
            // The timer fired. It was set for this request's deadline or
            // (after keep-alive) for an earlier request's; only a request
            // past its own deadline expires, otherwise the timer is re-armed
            // below.
            *this.armed = false;
            let deadline = state.deadline.load(Ordering::Relaxed);
            if deadline != NONE && state.now() >= deadline {
                state.expired.store(true, Ordering::Relaxed);
            }
        }
        // The request's future, polled in here, sees `expired`.
        let polled = this.connection.poll(cx);
        if polled.is_pending() && !*this.armed {
            let deadline = state.deadline.load(Ordering::Relaxed);
            if deadline != NONE && !state.expired.load(Ordering::Relaxed) {
                let at = state.instant(deadline);
                let timer = match this.timer {
                    Some(timer) => {
                        timer.as_mut().reset(at);
                        timer
                    }
                    None => this.timer.insert(Box::pin(tokio::time::sleep_until(at))),
                };
                *this.armed = true;
                // Registers this task's waker, outside tokio's cooperative
                // budget (an exhausted budget would return before
                // registering, and the timer is not polled again until it
                // fires). A deadline already past is handled on the next
                // poll, which this wake-up brings.
                let mut register = tokio::task::unconstrained(timer.as_mut());
                if Pin::new(&mut register).poll(cx).is_ready() {
                    cx.waker().wake_by_ref();
                }
            }
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::{ConnectionDeadline, Watched};
    use std::time::Duration;
    use tokio::time::{Instant, sleep};

    const LIMIT: Duration = Duration::from_millis(100);

    /// Runs `requests` one after another the way an HTTP/1 connection runs
    /// its requests, each taking the given time, and reports for each
    /// whether it completed and when its future ended (since it started).
    async fn connection(requests: &[(Duration, Duration)]) -> Vec<(bool, Duration)> {
        let state = ConnectionDeadline::new();
        let shared = std::sync::Arc::clone(&state);
        let requests = requests.to_vec();
        let run = async move {
            let mut outcomes = Vec::new();
            for (pause, takes) in requests {
                sleep(pause).await;
                let started = Instant::now();
                let done = shared.within(LIMIT, sleep(takes)).await.is_some();
                outcomes.push((done, started.elapsed()));
            }
            outcomes
        };
        Watched::new(run, state).await
    }

    #[tokio::test]
    async fn requests_end_at_their_own_deadline_and_only_then() {
        let ms = Duration::from_millis;
        let outcomes = connection(&[
            // Completes; its deadline stays armed in the timer.
            (ms(0), ms(10)),
            // Starts before that deadline and outlives it, and its own.
            (ms(30), ms(400)),
            // Starts right after a timeout.
            (ms(0), ms(10)),
            // The timer fires while the connection is idle.
            (ms(250), ms(10)),
            // Re-armed after that.
            (ms(0), ms(400)),
        ])
        .await;
        let completed: Vec<bool> = outcomes.iter().map(|o| o.0).collect();
        assert_eq!(completed, [true, false, true, true, false]);
        for (done, took) in outcomes {
            if !done {
                // Not before its own deadline.
                assert!(took >= LIMIT - ms(2), "ended early: {took:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_request_past_the_deadline_in_its_first_poll_times_out() {
        let state = ConnectionDeadline::new();
        let shared = std::sync::Arc::clone(&state);
        let run = async move {
            shared
                .within(Duration::ZERO, std::future::pending::<()>())
                .await
        };
        assert_eq!(Watched::new(run, state).await, None);
    }
}
