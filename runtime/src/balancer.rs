//! Load balancing over TargetServers (`LoadBalancer` of a TargetEndpoint or
//! ServiceCallout): server choice by algorithm, fallback servers, failure
//! counting (`MaxFailures`, `ServerUnhealthyResponse`) and servers leaving
//! and re-entering rotation.

use crate::health::HealthMonitor;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// `LoadBalancer/Algorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// One for one, in listed order.
    RoundRobin,
    /// In proportion to `Server/Weight`.
    Weighted,
    /// The server with the fewest requests in flight.
    LeastConnections,
}

/// `LoadBalancer/Server`.
#[derive(Debug)]
pub struct Server {
    /// `@name`: a TargetServer of the environment.
    pub name: &'static str,
    /// `Weight` (1 when absent).
    pub weight: u32,
    /// `IsFallback`: used only when no other server is in rotation.
    pub is_fallback: bool,
    /// `IsEnabled` (default true).
    pub is_enabled: bool,
}

/// A `LoadBalancer` element (static data in generated code).
#[derive(Debug)]
pub struct LoadBalancer {
    /// `Algorithm`.
    pub algorithm: Algorithm,
    /// `Server`s in listed order.
    pub servers: &'static [Server],
    /// `MaxFailures` (0 = servers never leave rotation).
    pub max_failures: u32,
    /// `RetryEnabled` (default true).
    pub retry_enabled: bool,
    /// `ServerUnhealthyResponse/ResponseCode`s, counted as failures.
    pub unhealthy_codes: &'static [u16],
    /// The sibling `HealthMonitor`, when enabled.
    pub health: Option<HealthMonitor>,
}

/// How long a failed server stays out of rotation when no HealthMonitor
/// watches it (Apigee re-checks every five minutes).
pub const UNMONITORED_RECHECK: Duration = Duration::from_secs(300);

/// A member of a balancer: its place in the rotation and its live state.
#[derive(Debug)]
pub struct Member<T> {
    /// TargetServer name.
    pub name: &'static str,
    /// How to reach it (filled in by the environment).
    pub target: T,
    weight: u32,
    fallback: bool,
    in_flight: AtomicUsize,
    failures: AtomicU32,
    /// `Some(until)`: out of rotation (until `until`, or until a health
    /// check passes when `until` is `None`).
    down: Mutex<Option<Option<Instant>>>,
}

/// The live state of one LoadBalancer.
#[derive(Debug)]
pub struct Balancer<T> {
    cfg: &'static LoadBalancer,
    members: Vec<Member<T>>,
    next: AtomicUsize,
    /// Smooth weighted round robin: current weight per member.
    current: Mutex<Vec<i64>>,
}

/// Counts a request in flight on a member until dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T> Balancer<T> {
    /// A balancer over the enabled servers of `cfg`; `resolve` gives each
    /// server's target, or `None` when the server is disabled in the
    /// environment (it is then skipped).
    pub fn new<E>(
        cfg: &'static LoadBalancer,
        mut resolve: impl FnMut(&Server) -> Result<Option<T>, E>,
    ) -> Result<Self, E> {
        let mut members = Vec::new();
        for s in cfg.servers {
            if !s.is_enabled {
                continue;
            }
            let Some(target) = resolve(s)? else { continue };
            members.push(Member {
                name: s.name,
                target,
                weight: s.weight.max(1),
                fallback: s.is_fallback,
                in_flight: AtomicUsize::new(0),
                failures: AtomicU32::new(0),
                down: Mutex::new(None),
            });
        }
        let n = members.len();
        Ok(Balancer {
            cfg,
            members,
            next: AtomicUsize::new(0),
            current: Mutex::new(vec![0; n]),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &'static LoadBalancer {
        self.cfg
    }

    /// The members in rotation order.
    pub fn members(&self) -> &[Member<T>] {
        &self.members
    }

    /// Whether member `i` is in rotation now (a server whose re-check time
    /// has come is let back in on probation).
    pub fn is_up(&self, i: usize) -> bool {
        let Some(m) = self.members.get(i) else {
            return false;
        };
        let mut down = m.down.lock().unwrap_or_else(PoisonError::into_inner);
        match *down {
            None => true,
            Some(Some(until)) if Instant::now() >= until => {
                *down = None;
                true
            }
            Some(_) => false,
        }
    }

    /// Chooses a member not in `tried`: a primary server in rotation by the
    /// algorithm, else a fallback server in rotation; `None` when there is none.
    pub fn pick(&self, tried: &[usize]) -> Option<usize> {
        let eligible = |fallback: bool| -> Vec<usize> {
            (0..self.members.len())
                .filter(|&i| self.members[i].fallback == fallback)
                .filter(|i| !tried.contains(i))
                .filter(|&i| self.is_up(i))
                .collect()
        };
        let primary = eligible(false);
        if primary.is_empty() {
            return eligible(true).first().copied();
        }
        Some(match self.cfg.algorithm {
            Algorithm::RoundRobin => self.round_robin(&primary),
            Algorithm::Weighted => self.weighted(&primary),
            Algorithm::LeastConnections => {
                let least = primary
                    .iter()
                    .map(|&i| self.members[i].in_flight.load(Ordering::Acquire))
                    .min()
                    .unwrap_or(0);
                let tied: Vec<usize> = primary
                    .into_iter()
                    .filter(|&i| self.members[i].in_flight.load(Ordering::Acquire) == least)
                    .collect();
                self.round_robin(&tied)
            }
        })
    }

    /// Whether a member not in `tried` is in rotation (without choosing one).
    pub fn any_left(&self, tried: &[usize]) -> bool {
        (0..self.members.len()).any(|i| !tried.contains(&i) && self.is_up(i))
    }

    fn round_robin(&self, among: &[usize]) -> usize {
        let n = self.next.fetch_add(1, Ordering::AcqRel);
        among[n % among.len()]
    }

    /// Smooth weighted round robin (as nginx): every choice adds each
    /// weight to its member's current value and takes the largest, which
    /// then gives back the total. Over any `sum(weights)` choices each
    /// member is chosen exactly `weight` times.
    fn weighted(&self, among: &[usize]) -> usize {
        let mut current = self.current.lock().unwrap_or_else(PoisonError::into_inner);
        let total: i64 = among
            .iter()
            .map(|&i| i64::from(self.members[i].weight))
            .sum();
        let mut best = among[0];
        for &i in among {
            current[i] += i64::from(self.members[i].weight);
            if current[i] > current[best] {
                best = i;
            }
        }
        current[best] -= total;
        best
    }

    /// Marks a request in flight on member `i` (for LeastConnections).
    pub fn begin(&self, i: usize) -> Option<InFlight<'_>> {
        let m = self.members.get(i)?;
        m.in_flight.fetch_add(1, Ordering::AcqRel);
        Some(InFlight(&m.in_flight))
    }

    /// Whether a status counts as a failure (`ServerUnhealthyResponse`).
    pub fn is_unhealthy(&self, status: u16) -> bool {
        self.cfg.unhealthy_codes.contains(&status)
    }

    /// Records a failure of member `i`; after `MaxFailures` in a row it
    /// leaves rotation (until a health check passes, or for
    /// [`UNMONITORED_RECHECK`] without a HealthMonitor). Returns whether it left.
    pub fn failed(&self, i: usize) -> bool {
        let Some(m) = self.members.get(i) else {
            return false;
        };
        let n = m.failures.fetch_add(1, Ordering::AcqRel) + 1;
        if self.cfg.max_failures == 0 || n < self.cfg.max_failures {
            return false;
        }
        let until = if self.cfg.health.is_some() {
            None
        } else {
            Some(Instant::now() + UNMONITORED_RECHECK)
        };
        *m.down.lock().unwrap_or_else(PoisonError::into_inner) = Some(until);
        tracing::warn!(
            server = m.name,
            failures = n,
            "target server out of rotation"
        );
        true
    }

    /// Records a good response (or passed health check) of member `i`: its
    /// failure count restarts and it is back in rotation.
    pub fn succeeded(&self, i: usize) {
        let Some(m) = self.members.get(i) else { return };
        m.failures.store(0, Ordering::Release);
        let mut down = m.down.lock().unwrap_or_else(PoisonError::into_inner);
        if down.take().is_some() {
            tracing::info!(server = m.name, "target server back in rotation");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn server(name: &'static str, weight: u32, is_fallback: bool) -> Server {
        Server {
            name,
            weight,
            is_fallback,
            is_enabled: true,
        }
    }

    static SERVERS: [Server; 3] = [
        server("a", 1, false),
        server("b", 3, false),
        server("fb", 1, true),
    ];

    fn lb(algorithm: Algorithm, max_failures: u32) -> &'static LoadBalancer {
        Box::leak(Box::new(LoadBalancer {
            algorithm,
            servers: &SERVERS,
            max_failures,
            retry_enabled: true,
            unhealthy_codes: &[503],
            health: None,
        }))
    }

    fn balancer(cfg: &'static LoadBalancer) -> Balancer<()> {
        Balancer::new(cfg, |_| Ok::<_, ()>(Some(()))).unwrap() // ok: unit test
    }

    fn counts(b: &Balancer<()>, n: usize) -> Vec<usize> {
        let mut c = vec![0; b.members().len()];
        for _ in 0..n {
            c[b.pick(&[]).unwrap()] += 1; // ok: unit test
        }
        c
    }

    #[test]
    fn round_robin_alternates_and_skips_fallback() {
        let b = balancer(lb(Algorithm::RoundRobin, 0));
        let picks: Vec<_> = (0..4).map(|_| b.pick(&[]).unwrap()).collect(); // ok: unit test
        assert_eq!(picks, [0, 1, 0, 1]);
    }

    #[test]
    fn weighted_is_proportional_and_smooth() {
        let b = balancer(lb(Algorithm::Weighted, 0));
        assert_eq!(counts(&b, 40), [10, 30, 0]);
        let picks: Vec<_> = (0..4).map(|_| b.pick(&[]).unwrap()).collect(); // ok: unit test
        assert_eq!(picks, [1, 0, 1, 1]);
    }

    #[test]
    fn least_connections_prefers_idle_servers() {
        let b = balancer(lb(Algorithm::LeastConnections, 0));
        let busy = b.begin(0).unwrap(); // ok: unit test
        assert_eq!(counts(&b, 5), [0, 5, 0]);
        drop(busy);
        let _busy = b.begin(1).unwrap(); // ok: unit test
        assert_eq!(counts(&b, 3), [3, 0, 0]);
    }

    #[test]
    fn max_failures_moves_to_fallback_and_success_restores() {
        let b = balancer(lb(Algorithm::RoundRobin, 2));
        assert!(!b.failed(0));
        b.succeeded(0);
        assert!(!b.failed(0), "a success restarts the count");
        assert!(b.failed(0));
        assert_eq!(counts(&b, 3), [0, 3, 0]);
        b.failed(1);
        b.failed(1);
        assert_eq!(b.pick(&[]), Some(2), "fallback when all primaries are out");
        assert_eq!(b.pick(&[2]), None);
        assert!(b.any_left(&[]) && !b.any_left(&[2]));
        b.succeeded(0);
        assert_eq!(b.pick(&[]), Some(0));
        assert!(b.is_unhealthy(503) && !b.is_unhealthy(500));
    }

    #[test]
    fn disabled_servers_are_skipped() {
        static ONE: [Server; 2] = [
            Server {
                name: "off",
                weight: 1,
                is_fallback: false,
                is_enabled: false,
            },
            server("on", 1, false),
        ];
        let cfg = Box::leak(Box::new(LoadBalancer {
            algorithm: Algorithm::RoundRobin,
            servers: &ONE,
            max_failures: 0,
            retry_enabled: false,
            unhealthy_codes: &[],
            health: None,
        }));
        let b = balancer(cfg);
        assert_eq!(b.members().len(), 1);
        assert_eq!(b.members()[0].name, "on");
    }
}
