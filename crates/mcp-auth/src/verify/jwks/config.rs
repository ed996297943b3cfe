//! Settings of a [`JwksCache`](super::JwksCache) (pinned decisions 2 and 7).

use std::time::Duration;

use crate::error::ConfigError;

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const WEEK: Duration = Duration::from_secs(7 * 24 * 3600);

/// Settings of a [`JwksCache`](super::JwksCache); every setter validates its value.
///
/// | setting | default | range |
/// |---|---|---|
/// | max age without `Cache-Control` | 10 min | 1 s ..= 7 days |
/// | bounds applied to `Cache-Control: max-age` | 1 min ..= 24 h | 1 s ..= 7 days |
/// | refetch cooldown for an unknown `kid` | 30 s | 1 s ..= 1 h |
/// | stale-if-error window | 1 h | 0 ..= 7 days |
/// | backoff after a failed fetch | 10 s | 1 s ..= 1 h |
/// | body cap | 256 KiB | 1 KiB ..= 4 MiB |
/// | key-count cap | 100 | 1 ..= 10 000 |
///
/// ```
/// use std::time::Duration;
/// use mcp_auth::verify::JwksCacheConfig;
///
/// let config = JwksCacheConfig::default()
///     .with_refresh_cooldown(Duration::from_secs(60))?
///     .with_stale_if_error(Duration::ZERO)?; // fail closed as soon as the keys are stale
/// assert_eq!(config.refresh_cooldown(), Duration::from_secs(60));
/// assert!(JwksCacheConfig::default().with_max_bytes(10 << 20).is_err());
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwksCacheConfig {
    max_age: Duration,
    min_max_age: Duration,
    max_max_age: Duration,
    refresh_cooldown: Duration,
    stale_if_error: Duration,
    failure_backoff: Duration,
    max_bytes: usize,
    max_keys: usize,
}

impl Default for JwksCacheConfig {
    fn default() -> Self {
        Self {
            max_age: 10 * MINUTE,
            min_max_age: MINUTE,
            max_max_age: 24 * HOUR,
            refresh_cooldown: 30 * SECOND,
            stale_if_error: HOUR,
            failure_backoff: 10 * SECOND,
            max_bytes: 256 * 1024,
            max_keys: super::super::jwk::DEFAULT_MAX_KEYS,
        }
    }
}

fn in_range(
    name: &'static str,
    value: Duration,
    min: Duration,
    max: Duration,
    reason: &'static str,
) -> Result<Duration, ConfigError> {
    if value < min || value > max {
        return Err(ConfigError::InvalidSetting { name, reason });
    }
    Ok(value)
}

impl JwksCacheConfig {
    /// How long keys stay fresh when the response has no usable `Cache-Control: max-age`
    /// (still bounded by [`with_max_age_bounds`](Self::with_max_age_bounds)).
    ///
    /// # Errors
    ///
    /// Outside 1 s ..= 7 days.
    pub fn with_max_age(mut self, max_age: Duration) -> Result<Self, ConfigError> {
        self.max_age = in_range(
            "jwks max_age",
            max_age,
            SECOND,
            WEEK,
            "must be 1 s ..= 7 days",
        )?;
        Ok(self)
    }

    /// Bounds applied to the freshness lifetime, including one taken from `Cache-Control`
    /// (RFC 9111 §5.2.2.1 `max-age`; `no-store`, `no-cache` and `max-age=0` mean the lower
    /// bound). Defaults: 1 min ..= 24 h.
    ///
    /// # Errors
    ///
    /// When `min > max` or either is outside 1 s ..= 7 days.
    pub fn with_max_age_bounds(
        mut self,
        min: Duration,
        max: Duration,
    ) -> Result<Self, ConfigError> {
        let reason = "bounds must satisfy 1 s <= min <= max <= 7 days";
        self.min_max_age = in_range("jwks max_age bounds", min, SECOND, WEEK, reason)?;
        self.max_max_age = in_range("jwks max_age bounds", max, min, WEEK, reason)?;
        Ok(self)
    }

    /// The shortest interval between two fetches forced by a token with an unknown `kid`.
    ///
    /// # Errors
    ///
    /// Outside 1 s ..= 1 h.
    pub fn with_refresh_cooldown(mut self, cooldown: Duration) -> Result<Self, ConfigError> {
        self.refresh_cooldown = in_range(
            "jwks refresh_cooldown",
            cooldown,
            SECOND,
            HOUR,
            "must be 1 s ..= 1 h",
        )?;
        Ok(self)
    }

    /// How long after going stale the last good key set is still used while refreshes fail
    /// (pinned decision 2); after it, verification fails closed with `503`. Zero disables it.
    ///
    /// # Errors
    ///
    /// Over 7 days.
    pub fn with_stale_if_error(mut self, window: Duration) -> Result<Self, ConfigError> {
        self.stale_if_error = in_range(
            "jwks stale_if_error",
            window,
            Duration::ZERO,
            WEEK,
            "must be at most 7 days",
        )?;
        Ok(self)
    }

    /// After a failed fetch, no other fetch starts for this long (battery L02, H01).
    ///
    /// # Errors
    ///
    /// Outside 1 s ..= 1 h.
    pub fn with_failure_backoff(mut self, backoff: Duration) -> Result<Self, ConfigError> {
        self.failure_backoff = in_range(
            "jwks failure_backoff",
            backoff,
            SECOND,
            HOUR,
            "must be 1 s ..= 1 h",
        )?;
        Ok(self)
    }

    /// The largest JWKS body read, in bytes (battery H05).
    ///
    /// # Errors
    ///
    /// Outside 1 KiB ..= 4 MiB.
    pub fn with_max_bytes(mut self, max_bytes: usize) -> Result<Self, ConfigError> {
        if !(1024..=4 << 20).contains(&max_bytes) {
            return Err(ConfigError::InvalidSetting {
                name: "jwks max_bytes",
                reason: "must be 1 KiB ..= 4 MiB",
            });
        }
        self.max_bytes = max_bytes;
        Ok(self)
    }

    /// The most keys a JWKS may hold; a larger document is refused as a whole.
    ///
    /// # Errors
    ///
    /// Outside 1 ..= 10 000.
    pub fn with_max_keys(mut self, max_keys: usize) -> Result<Self, ConfigError> {
        if !(1..=10_000).contains(&max_keys) {
            return Err(ConfigError::InvalidSetting {
                name: "jwks max_keys",
                reason: "must be 1 ..= 10000",
            });
        }
        self.max_keys = max_keys;
        Ok(self)
    }

    /// Freshness lifetime without `Cache-Control`.
    #[must_use]
    pub fn max_age(&self) -> Duration {
        self.max_age
    }

    /// Bounds of the freshness lifetime `(min, max)`.
    #[must_use]
    pub fn max_age_bounds(&self) -> (Duration, Duration) {
        (self.min_max_age, self.max_max_age)
    }

    /// Cooldown between fetches forced by unknown `kid`s.
    #[must_use]
    pub fn refresh_cooldown(&self) -> Duration {
        self.refresh_cooldown
    }

    /// Stale-if-error window.
    #[must_use]
    pub fn stale_if_error(&self) -> Duration {
        self.stale_if_error
    }

    /// Backoff after a failed fetch.
    #[must_use]
    pub fn failure_backoff(&self) -> Duration {
        self.failure_backoff
    }

    /// Body cap in bytes.
    #[must_use]
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Key-count cap.
    #[must_use]
    pub fn max_keys(&self) -> usize {
        self.max_keys
    }

    /// The freshness lifetime in seconds for a response with this `max-age` (if any).
    pub(super) fn ttl_secs(&self, cache_control_max_age: Option<u64>) -> i64 {
        let min = self.min_max_age.as_secs();
        let max = self.max_max_age.as_secs();
        let ttl = cache_control_max_age.unwrap_or(self.max_age.as_secs());
        secs(Duration::from_secs(ttl.clamp(min, max)))
    }
}

/// Whole seconds as `i64` (every configured duration is at most a week).
pub(super) fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn h13_ttl_is_clamped() {
        let c = JwksCacheConfig::default();
        assert_eq!(c.ttl_secs(None), 600);
        assert_eq!(c.ttl_secs(Some(0)), 60);
        assert_eq!(c.ttl_secs(Some(31_536_000)), 86_400);
        assert_eq!(c.ttl_secs(Some(300)), 300);
    }

    #[test]
    fn setters_validate() {
        let c = JwksCacheConfig::default();
        assert!(c.clone().with_max_age(Duration::ZERO).is_err());
        assert!(c.clone().with_max_age_bounds(HOUR, MINUTE).is_err());
        assert!(
            c.clone()
                .with_max_age_bounds(Duration::ZERO, MINUTE)
                .is_err()
        );
        assert!(c.clone().with_refresh_cooldown(Duration::ZERO).is_err());
        assert!(c.clone().with_failure_backoff(2 * HOUR).is_err());
        assert!(c.clone().with_stale_if_error(2 * WEEK).is_err());
        assert!(c.clone().with_max_bytes(10).is_err());
        assert!(c.clone().with_max_keys(0).is_err());
        let c = c
            .with_max_age_bounds(10 * SECOND, HOUR)
            .unwrap()
            .with_max_age(2 * HOUR)
            .unwrap();
        assert_eq!(c.ttl_secs(None), 3600);
        assert_eq!(c.ttl_secs(Some(0)), 10);
    }
}
