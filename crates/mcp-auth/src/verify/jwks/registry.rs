//! One [`JwksCache`] per `jwks_uri`, shared by every verifier that is given the registry.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use super::{JwksCache, JwksCacheConfig};
use crate::clock::Clock;
use crate::error::ConfigError;
use crate::http_client::HttpClient;

/// Shares JWKS caches between verifiers: one cache, one fetch schedule and one key set per
/// `jwks_uri`.
///
/// Cloning is cheap and clones share the map. A [`JwtVerifier`](crate::JwtVerifier) gets a
/// registry of its own unless one is passed with
/// [`with_jwks_registry`](crate::JwtVerifier::with_jwks_registry). The first verifier to need a
/// `jwks_uri` creates its cache with its own settings; later ones reuse it.
///
/// The map only grows with the `jwks_uri`s of configured, trusted issuers (never with values
/// taken from tokens), so it stays small.
///
/// ```
/// use mcp_auth::verify::jwks::JwksRegistry;
///
/// let shared = JwksRegistry::new();
/// let other = shared.clone();
/// assert!(other.is_empty());
/// ```
#[derive(Clone, Default)]
pub struct JwksRegistry {
    caches: Arc<Mutex<HashMap<Arc<str>, Arc<JwksCache>>>>,
}

impl JwksRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The cache of `jwks_uri`, if one was created.
    #[must_use]
    pub fn get(&self, jwks_uri: &str) -> Option<Arc<JwksCache>> {
        self.lock().get(jwks_uri).cloned()
    }

    /// The number of caches.
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// `true` when no cache was created yet.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// The cache of `jwks_uri`, created with these settings when missing.
    pub(crate) fn get_or_create(
        &self,
        jwks_uri: &str,
        config: &JwksCacheConfig,
        http: &HttpClient,
        clock: &Arc<dyn Clock>,
    ) -> Result<Arc<JwksCache>, ConfigError> {
        let mut caches = self.lock();
        if let Some(cache) = caches.get(jwks_uri) {
            return Ok(Arc::clone(cache));
        }
        let cache = Arc::new(
            JwksCache::new(jwks_uri, config.clone(), http.clone())?.with_clock(Arc::clone(clock)),
        );
        caches.insert(jwks_uri.into(), Arc::clone(&cache));
        Ok(cache)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Arc<JwksCache>>> {
        self.caches.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for JwksRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksRegistry")
            .field("caches", &self.len())
            .finish()
    }
}
