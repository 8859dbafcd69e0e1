//! Idle upstream connections, per origin (scheme and authority).
//!
//! hyper-util's pooled client, which this replaces, clones itself
//! (connector included) for every request, hashes the origin with SipHash
//! three times per request, and spawns a task per response whose
//! connection is not ready yet, to give it back once it is. Here a request
//! takes the lock once to check a connection out and once to give it back,
//! hashes the origin with foldhash (fast, randomly seeded) each time, and
//! gives the connection back as soon as the response head has arrived: a
//! connection still carrying that response's body is not ready, and
//! checkouts pass over it until it is.
//!
//! Connections are reused most recently returned first, so a pool grown by
//! a burst shrinks again: the connections it no longer needs stay idle
//! until `keepalive.timeout.millis` passes. Idle time counts from the
//! moment a connection was given back, i.e. from its last response head (a
//! long body that followed shortens the reuse, never the response). A
//! connection idle that long is never handed out, and the reaper task,
//! started with the pool's first connection, drops it within one more
//! timeout: hyper then closes the connection, after any response still in
//! flight on it.

use crate::body::OutBody;
use http::uri::{Authority, Scheme};
use hyper::client::conn::http1::SendRequest;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError, Weak};
use std::time::{Duration, Instant};

/// Where a connection goes: scheme (`http` or `https`) and authority of
/// the request URI. Equal as the URI parts are (the authority without
/// regard to case).
#[derive(PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) scheme: Scheme,
    pub(crate) authority: Authority,
}

impl Hash for Origin {
    /// `Authority` hashes itself one lowercased byte at a time; an
    /// authority without capitals (the rule) is hashed in one write here,
    /// at a fraction of the cost.
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u8(u8::from(self.scheme == Scheme::HTTPS));
        let text = self.authority.as_str();
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            state.write(text.to_ascii_lowercase().as_bytes());
        } else {
            state.write(text.as_bytes());
        }
    }
}

/// The sending half of an upstream HTTP/1 connection.
pub(crate) type Sender = SendRequest<OutBody>;

/// A connection waiting for its next request.
struct Idle {
    sender: Sender,
    /// When it was given back (its response head had arrived).
    since: Instant,
}

impl Idle {
    /// Whether it can no longer be handed out at `now`: closed, or idle for
    /// longer than `timeout`.
    fn is_stale(&self, now: Instant, timeout: Duration) -> bool {
        self.sender.is_closed() || now.duration_since(self.since) > timeout
    }
}

/// The idle connections of one client.
pub(crate) struct Pool {
    idle: Mutex<HashMap<Origin, Vec<Idle>, foldhash::fast::RandomState>>,
    /// `keepalive.timeout.millis`.
    timeout: Duration,
    /// Whether the reaper task has been started.
    reaping: AtomicBool,
}

impl Pool {
    /// An empty pool whose connections may stay idle for `timeout`.
    pub(crate) fn new(timeout: Duration) -> Self {
        Pool {
            idle: Mutex::default(),
            timeout,
            reaping: AtomicBool::new(false),
        }
    }

    /// The most recently returned connection to `origin` that is open, not
    /// idle for longer than the timeout, and ready for a request. Closed and
    /// expired connections met on the way are dropped.
    pub(crate) fn checkout(&self, origin: &Origin) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(origin)?;
        let now = Instant::now();
        let mut i = list.len();
        while i > 0 {
            i -= 1;
            if list[i].is_stale(now, self.timeout) {
                list.remove(i);
            } else if list[i].sender.is_ready() {
                return Some(list.remove(i).sender);
            }
        }
        None
    }

    /// Gives a connection back once its response head has arrived.
    pub(crate) fn give_back(&self, origin: Origin, sender: Sender) {
        let conn = Idle {
            sender,
            since: Instant::now(),
        };
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.entry(origin).or_default().push(conn);
    }

    /// Whether the caller, about to add the pool's first connection, should
    /// start the reaper ([`reap_every_timeout`]); true once per pool.
    pub(crate) fn starts_reaper(&self) -> bool {
        !self.reaping.swap(true, Ordering::Relaxed)
    }

    /// Drops closed connections and those idle for longer than the timeout.
    fn reap(&self) {
        let now = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        idle.retain(|_, list| {
            list.retain(|c| !c.is_stale(now, self.timeout));
            !list.is_empty()
        });
    }
}

/// Reaps the pool `of` (reached through its owner `T`) every timeout, until
/// the owner is dropped. Dropping an idle `SendRequest` closes its
/// connection.
pub(crate) async fn reap_every_timeout<T: Send + Sync + 'static>(
    owner: Weak<T>,
    of: fn(&T) -> &Pool,
) {
    let Some(every) = owner.upgrade().map(|o| of(&o).timeout) else {
        return;
    };
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await; // the first tick is immediate
    loop {
        ticks.tick().await;
        let Some(owner) = owner.upgrade() else {
            return;
        };
        of(&owner).reap();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    fn origin(scheme: Scheme, authority: &'static str) -> Origin {
        Origin {
            scheme,
            authority: Authority::from_static(authority),
        }
    }

    #[test]
    fn origins_differing_only_in_case_are_one_key() {
        let state = foldhash::fast::RandomState::default();
        let upper = origin(Scheme::HTTP, "Backend.Example:8080");
        let lower = origin(Scheme::HTTP, "backend.example:8080");
        assert!(upper == lower);
        assert_eq!(state.hash_one(&upper), state.hash_one(&lower));
        let tls = origin(Scheme::HTTPS, "backend.example:8080");
        assert!(tls != lower);
        assert_ne!(state.hash_one(&tls), state.hash_one(&lower));
    }
}
