//! Per-key token cache with single-flight refresh.
//!
//! Each key owns a slot guarded by an async mutex: the first caller that finds the slot
//! stale refreshes it while later callers wait on the mutex and then reuse the result.
//! A failure is shared only with the callers that were already waiting for that refresh;
//! the next caller tries again (failures are never cached). If a refresh fails while the
//! previous token is still valid (inside the refresh margin), that token is returned.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::error::TokenError;
use super::token::Token;

/// Number of slots above which stale, idle slots are evicted on insertion.
const MAX_SLOTS: usize = 512;

/// Cache of tokens keyed by `K`.
pub(crate) struct TokenCache<K> {
    slots: Mutex<HashMap<K, Arc<Slot>>>,
    refresh_margin: Duration,
}

#[derive(Default)]
struct Slot {
    state: tokio::sync::Mutex<SlotState>,
}

#[derive(Default)]
struct SlotState {
    token: Option<Token>,
    /// Last failure and when it happened.
    failure: Option<(Instant, TokenError)>,
}

impl<K: Hash + Eq + Clone> TokenCache<K> {
    /// An empty cache that refreshes tokens with less than `refresh_margin` left.
    pub(crate) fn new(refresh_margin: Duration) -> Self {
        TokenCache {
            slots: Mutex::new(HashMap::new()),
            refresh_margin,
        }
    }

    /// Returns the cached token for `key`, or runs `refresh` (once for all concurrent
    /// callers) when there is none or it expires within the refresh margin.
    pub(crate) async fn get<F, Fut>(&self, key: &K, refresh: F) -> Result<Token, TokenError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Token, TokenError>>,
    {
        let asked_at = Instant::now();
        let slot = self.slot(key);
        let mut state = slot.state.lock().await;
        if let Some(token) = &state.token
            && token.valid_for(self.refresh_margin)
        {
            return Ok(token.clone());
        }
        let error = match &state.failure {
            // The refresh this caller waited for has just failed: share its outcome.
            Some((failed_at, error)) if *failed_at >= asked_at => error.clone(),
            _ => match refresh().await {
                Ok(token) => {
                    state.token = Some(token.clone());
                    state.failure = None;
                    return Ok(token);
                }
                Err(error) => {
                    state.failure = Some((Instant::now(), error.clone()));
                    error
                }
            },
        };
        match &state.token {
            Some(token) if token.valid_for(Duration::ZERO) => {
                tracing::warn!(error = %error, "google token refresh failed; using the still-valid cached token");
                Ok(token.clone())
            }
            _ => Err(error),
        }
    }

    fn slot(&self, key: &K) -> Arc<Slot> {
        let mut slots = match self.slots.lock() {
            Ok(guard) => guard,
            // A panic elsewhere cannot leave the map inconsistent: keep using it.
            Err(poisoned) => poisoned.into_inner(),
        };
        if let Some(slot) = slots.get(key) {
            return Arc::clone(slot);
        }
        if slots.len() >= MAX_SLOTS {
            slots.retain(|_, slot| Arc::strong_count(slot) > 1 || slot.holds_valid_token());
        }
        let slot = Arc::new(Slot::default());
        slots.insert(key.clone(), Arc::clone(&slot));
        slot
    }
}

impl Slot {
    /// True if the slot is busy or holds an unexpired token (i.e. worth keeping).
    fn holds_valid_token(&self) -> bool {
        match self.state.try_lock() {
            Ok(state) => state
                .token
                .as_ref()
                .is_some_and(|t| t.valid_for(Duration::ZERO)),
            Err(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn token(secs: u64) -> Token {
        Token::new("t".into(), Some(Instant::now() + Duration::from_secs(secs)))
    }

    #[tokio::test]
    async fn stale_idle_slots_are_evicted_when_full() {
        let cache = TokenCache::new(Duration::from_secs(60));
        for key in 0..MAX_SLOTS {
            let expired = Token::new("t".into(), Some(Instant::now()));
            cache.get(&key, || async { Ok(expired) }).await.ok();
        }
        cache
            .get(&usize::MAX, || async { Ok(token(3600)) })
            .await
            .ok();
        let len = cache.slots.lock().map(|s| s.len()).unwrap_or(0);
        assert_eq!(len, 1);
    }

    #[tokio::test]
    async fn a_failed_refresh_keeps_a_still_valid_token() {
        let cache = TokenCache::new(Duration::from_secs(120));
        let calls = AtomicUsize::new(0);
        let first = cache.get(&1, || async { Ok(token(100)) }).await;
        assert!(first.is_ok());
        let again = cache
            .get(&1, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(TokenError::Credentials("down".into()))
            })
            .await;
        assert!(again.is_ok(), "still-valid token must be served");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "a refresh was attempted");
    }
}
