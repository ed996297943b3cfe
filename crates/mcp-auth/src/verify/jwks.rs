//! The key cache of one `jwks_uri` (RFC 7517 §5, RFC 8414 §2 `jwks_uri`).
//!
//! * **Snapshot**: the parsed [`JwkSet`] lives in an `Arc` that is swapped whole, so a request
//!   sees the old set or the new one, never a mix (battery L04). Readers take a short
//!   `std::sync::RwLock` read and clone the `Arc`; no lock is held across an `.await`.
//! * **Single flight**: one fetch at a time per cache (a `tokio::sync::Mutex`); callers that
//!   arrive meanwhile wait for it, or, when a usable stale set exists, keep using that one
//!   (battery L01).
//! * **Freshness**: 10 min by default, or the response's `Cache-Control: max-age` clamped to
//!   1 min ..= 24 h (`no-store` → 1 min) (RFC 9111 §5.2.2.1, RFC 9728 §7.10; battery H13).
//! * **Unknown `kid`**: one refetch, at most once per cooldown (30 s) (battery D05, C10).
//! * **Failures**: after a failed fetch no other starts during the backoff (10 s) (battery
//!   L02); the last good set is used for a stale-if-error window (1 h) past its freshness, then
//!   verification fails closed with [`VerifyErrorKind::Unavailable`] (pinned decision 2, H12).
//! * **Caps**: body 256 KiB, 100 keys, and the deadline of the [`HttpClient`] policy (H02, H05).
//!
//! Timing uses the injected [`Clock`], so tests move time instead of sleeping.
//!
//! [`VerifyErrorKind::Unavailable`]: crate::VerifyErrorKind::Unavailable

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use http::StatusCode;

use crate::clock::{self, Clock};
use crate::error::{ConfigError, VerifyError};
use crate::http_client::HttpClient;
use crate::verify::jwk::JwkSet;

mod cache_control;
mod config;
mod registry;

pub use config::JwksCacheConfig;
pub use registry::JwksRegistry;

/// Keys of one `jwks_uri`, fetched on demand and refreshed as described in the
/// [module documentation](self).
pub struct JwksCache {
    uri: Arc<str>,
    config: JwksCacheConfig,
    http: HttpClient,
    clock: Arc<dyn Clock>,
    state: RwLock<State>,
    refresh: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

#[derive(Default)]
struct State {
    keys: Option<Arc<JwkSet>>,
    /// Keys are fresh before this time.
    fresh_until: i64,
    /// Keys may still be used (stale-if-error) before this time.
    usable_until: i64,
    /// When the last fetch started (success or not), for the unknown-`kid` cooldown.
    last_attempt: Option<i64>,
    /// No fetch before this time (failure backoff).
    retry_after: i64,
}

/// What the cache holds at a given time.
struct View {
    fresh: Option<Arc<JwkSet>>,
    usable: Option<Arc<JwkSet>>,
    backing_off: bool,
}

impl JwksCache {
    /// A cache for `jwks_uri`, empty until the first use.
    ///
    /// # Errors
    ///
    /// When `jwks_uri` is not an absolute `http(s)` URL. Whether the URL may be fetched
    /// (HTTPS, or HTTP to loopback) is decided by the [`HttpClient`] policy at fetch time.
    pub fn new(
        jwks_uri: &str,
        config: JwksCacheConfig,
        http: HttpClient,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::InvalidUrl {
            url: jwks_uri.to_owned(),
            reason,
        };
        let url = url::Url::parse(jwks_uri).map_err(|_| invalid("not an absolute URL"))?;
        if !matches!(url.scheme(), "https" | "http") || !url.has_host() {
            return Err(invalid("not an http(s) URL"));
        }
        Ok(Self {
            uri: jwks_uri.into(),
            config,
            http,
            clock: clock::system(),
            state: RwLock::new(State::default()),
            refresh: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        })
    }

    /// Uses `clock` for freshness, cooldown, backoff and stale-if-error timing.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The URL the keys are fetched from.
    #[must_use]
    pub fn jwks_uri(&self) -> &str {
        &self.uri
    }

    /// The settings.
    #[must_use]
    pub fn config(&self) -> &JwksCacheConfig {
        &self.config
    }

    /// The last good key set, fresh or not, without any network access.
    #[must_use]
    pub fn cached_key_set(&self) -> Option<Arc<JwkSet>> {
        self.read().keys.clone()
    }

    /// The key set if it is fresh now; no network.
    pub(crate) fn fresh_key_set(&self) -> Option<Arc<JwkSet>> {
        let now = self.clock.now();
        let state = self.read();
        state
            .keys
            .as_ref()
            .filter(|_| now < state.fresh_until)
            .cloned()
    }

    /// The number of fetches started so far (for tests and metrics).
    #[doc(hidden)]
    #[must_use]
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// A usable key set: the cached one while fresh, else a fetched one, else (while fetches
    /// fail) the last good one within the stale-if-error window.
    ///
    /// # Errors
    ///
    /// [`VerifyErrorKind::Unavailable`](crate::VerifyErrorKind::Unavailable) when no usable set
    /// exists and none can be fetched now.
    pub async fn key_set(&self) -> Result<Arc<JwkSet>, VerifyError> {
        let view = self.view(self.clock.now());
        if let Some(keys) = view.fresh {
            return Ok(keys);
        }
        if view.backing_off {
            return view.usable.ok_or_else(backing_off);
        }
        let _guard = match self.refresh.try_lock() {
            Ok(guard) => guard,
            Err(_) => {
                // A fetch is under way: a usable stale set is good enough meanwhile.
                if let Some(keys) = view.usable {
                    return Ok(keys);
                }
                self.refresh.lock().await
            }
        };
        // The fetch we waited for may have done the work.
        let view = self.view(self.clock.now());
        if let Some(keys) = view.fresh {
            return Ok(keys);
        }
        if view.backing_off {
            return view.usable.ok_or_else(backing_off);
        }
        match self.fetch().await {
            Ok(keys) => Ok(keys),
            Err(error) => view.usable.ok_or(error),
        }
    }

    /// Refetches because a token names a `kid` missing from `seen`, at most once per cooldown.
    ///
    /// `Ok(Some(set))`: a newer set (fetched now or by someone else meanwhile); `Ok(None)`:
    /// no refetch allowed now (cooldown or backoff).
    pub(crate) async fn refresh_for_unknown_kid(
        &self,
        seen: &Arc<JwkSet>,
    ) -> Result<Option<Arc<JwkSet>>, VerifyError> {
        if let Some(answer) = self.unknown_kid_shortcut(seen) {
            return Ok(answer);
        }
        let _guard = self.refresh.lock().await;
        if let Some(answer) = self.unknown_kid_shortcut(seen) {
            return Ok(answer);
        }
        self.fetch().await.map(Some)
    }

    /// `Some` when no fetch is needed or allowed: the set changed since `seen`, or the
    /// cooldown or backoff is running.
    fn unknown_kid_shortcut(&self, seen: &Arc<JwkSet>) -> Option<Option<Arc<JwkSet>>> {
        let now = self.clock.now();
        let state = self.read();
        if let Some(keys) = &state.keys
            && !Arc::ptr_eq(keys, seen)
        {
            return Some(Some(Arc::clone(keys)));
        }
        let cooldown = config::secs(self.config.refresh_cooldown());
        let cooling = state
            .last_attempt
            .is_some_and(|t| now.saturating_sub(t) < cooldown);
        (cooling || now < state.retry_after).then_some(None)
    }

    fn view(&self, now: i64) -> View {
        let state = self.read();
        let usable = state
            .keys
            .as_ref()
            .filter(|_| now < state.usable_until)
            .cloned();
        View {
            fresh: usable.clone().filter(|_| now < state.fresh_until),
            usable,
            backing_off: now < state.retry_after,
        }
    }

    /// Fetches and parses the JWKS; call with the refresh mutex held.
    async fn fetch(&self) -> Result<Arc<JwkSet>, VerifyError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        self.write().last_attempt = Some(self.clock.now());
        let deadline = self.http.policy().deadline();
        let response =
            tokio::time::timeout(deadline, self.http.get(&self.uri, self.config.max_bytes())).await;
        let parsed = match response {
            Err(_) => Err("JWKS fetch timed out"),
            Ok(Err(_)) => Err("JWKS fetch failed"),
            Ok(Ok(response)) if response.status != StatusCode::OK => {
                Err("JWKS endpoint answered with an error status")
            }
            Ok(Ok(response)) => JwkSet::parse(&response.body, self.config.max_keys())
                .map(|set| (set, cache_control::max_age(&response.headers)))
                .map_err(|_| "JWKS document is invalid"),
        };
        let now = self.clock.now();
        match parsed {
            Ok((set, max_age)) => {
                let keys = Arc::new(set);
                let fresh_until = now.saturating_add(self.config.ttl_secs(max_age));
                let mut state = self.write();
                state.keys = Some(Arc::clone(&keys));
                state.fresh_until = fresh_until;
                state.usable_until =
                    fresh_until.saturating_add(config::secs(self.config.stale_if_error()));
                state.retry_after = 0;
                Ok(keys)
            }
            Err(reason) => {
                // No URL in logs (battery I6): the operator knows which issuers are configured.
                tracing::warn!(
                    reason,
                    "JWKS refresh failed; keeping the last good keys if any"
                );
                self.write().retry_after =
                    now.saturating_add(config::secs(self.config.failure_backoff()));
                Err(VerifyError::unavailable(reason))
            }
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(PoisonError::into_inner)
    }
}

fn backing_off() -> VerifyError {
    VerifyError::unavailable("JWKS unavailable; waiting before the next fetch")
}

impl fmt::Debug for JwksCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("jwks_uri", &self.uri)
            .field("keys", &self.read().keys.as_ref().map(|k| k.len()))
            .field("fetches", &self.fetch_count())
            .finish_non_exhaustive()
    }
}
