//! Fire-and-forget work (ServiceCallouts without `<Response>`): bounded by a
//! semaphore so it can never pile up, never blocking the request that
//! starts it, and tracked so shutdown can drain or abort it.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// The background tasks of one environment.
#[derive(Debug)]
pub struct BackgroundTasks {
    max: usize,
    permits: Arc<Semaphore>,
    tasks: Mutex<JoinSet<()>>,
}

impl BackgroundTasks {
    /// Allows at most `max` tasks in flight.
    pub fn new(max: usize) -> Self {
        BackgroundTasks {
            max,
            permits: Arc::new(Semaphore::new(max)),
            tasks: Mutex::new(JoinSet::new()),
        }
    }

    /// Starts `task` unless `max` tasks are already running, in which case
    /// it is dropped with a warning naming `what`. Returns whether it started.
    /// Must be called inside a tokio runtime.
    pub fn spawn(&self, what: &str, task: impl Future<Output = ()> + Send + 'static) -> bool {
        let Ok(permit) = Arc::clone(&self.permits).try_acquire_owned() else {
            tracing::warn!(
                task = what,
                limit = self.max,
                "background call dropped: limits.max_background_callouts reached"
            );
            return false;
        };
        let mut tasks = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        // Reap finished tasks so the set only holds running ones.
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            task.await;
            drop(permit);
        });
        true
    }

    /// Tasks still running.
    pub fn in_flight(&self) -> usize {
        self.max - self.permits.available_permits()
    }

    /// Waits up to `grace` for running tasks, then aborts the rest.
    pub async fn shutdown(&self, grace: Duration) {
        let mut set =
            std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
        let drained =
            tokio::time::timeout(grace, async { while set.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!(
                running = set.len(),
                "background calls still running after the grace period; aborted"
            );
            set.abort_all();
            while set.join_next().await.is_some() {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn full_set_drops_new_tasks_without_blocking() {
        let bg = BackgroundTasks::new(1);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        assert!(bg.spawn("slow", async move {
            let _ = rx.await;
        }));
        assert!(!bg.spawn("second", async {}));
        assert_eq!(bg.in_flight(), 1);
        let _ = tx.send(());
        bg.shutdown(Duration::from_secs(1)).await;
        assert_eq!(bg.in_flight(), 0);
        assert!(bg.spawn("third", async {}));
    }

    #[tokio::test]
    async fn shutdown_aborts_stuck_tasks() {
        let bg = BackgroundTasks::new(4);
        assert!(bg.spawn("stuck", std::future::pending()));
        bg.shutdown(Duration::from_millis(20)).await;
        assert_eq!(bg.in_flight(), 0);
    }
}
