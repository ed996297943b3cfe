//! Time source for token checks, injectable for tests.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of the current time in seconds since the Unix epoch.
///
/// Verifiers take an `Arc<dyn Clock>` so tests can pin time instead of sleeping.
pub trait Clock: Send + Sync + fmt::Debug + 'static {
    /// Seconds since the Unix epoch.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            // A clock set before 1970 cannot validate anything sensibly.
            Err(_) => 0,
        }
    }
}

/// A clock that shows a set time until it is changed; for tests.
///
/// ```
/// use mcp_auth::clock::{Clock, ManualClock};
/// let clock = ManualClock::new(1_700_000_000);
/// clock.advance(30);
/// assert_eq!(clock.now(), 1_700_000_030);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock(Arc<AtomicI64>);

impl ManualClock {
    /// A clock showing `now` (seconds since the Unix epoch).
    #[must_use]
    pub fn new(now: i64) -> Self {
        Self(Arc::new(AtomicI64::new(now)))
    }

    /// Sets the time.
    pub fn set(&self, now: i64) {
        self.0.store(now, Ordering::SeqCst);
    }

    /// Moves the time forward by `seconds` (backwards if negative).
    pub fn advance(&self, seconds: i64) {
        self.0.fetch_add(seconds, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The default clock shared by verifiers.
pub(crate) fn system() -> Arc<dyn Clock> {
    Arc::new(SystemClock)
}
