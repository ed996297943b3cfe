//! Trusted issuers and where their keys come from (RFC 8725 §3.8: keys belong to the issuer).

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use crate::auth_server::AuthServer;
use crate::clock::Clock;
use crate::error::VerifyError;
use crate::http_client::HttpClient;
use crate::metadata::AuthorizationServerMetadata;
use crate::verify::jwk::JwkSet;
use crate::verify::jwks::{JwksCache, JwksCacheConfig, JwksRegistry};

/// An issuer the verifier trusts, with its own key source. A token's keys are only ever
/// looked up in the source of the issuer its `iss` names (battery F06).
pub(crate) struct TrustedIssuer {
    pub(crate) issuer: Arc<str>,
    source: Source,
}

enum Source {
    /// Keys pinned in the configuration: no network at all.
    Static(Arc<JwkSet>),
    /// Keys from the `jwks_uri` of the server's (possibly lazily discovered) metadata.
    Discovered {
        server: AuthServer,
        resolved: RwLock<Option<Resolved>>,
    },
}

/// The cache found for a given metadata document (the `Arc` identifies the document).
struct Resolved {
    metadata: Arc<AuthorizationServerMetadata>,
    cache: Arc<JwksCache>,
}

/// Where a request gets its keys.
pub(crate) enum Keys {
    Static(Arc<JwkSet>),
    Cached(Arc<JwksCache>),
}

/// What a verifier needs to create caches.
pub(crate) struct CacheContext<'a> {
    pub(crate) registry: &'a JwksRegistry,
    pub(crate) config: &'a JwksCacheConfig,
    pub(crate) http: &'a HttpClient,
    pub(crate) clock: &'a Arc<dyn Clock>,
}

impl TrustedIssuer {
    pub(crate) fn discovered(server: AuthServer) -> Self {
        Self {
            issuer: server.issuer().into(),
            source: Source::Discovered {
                server,
                resolved: RwLock::new(None),
            },
        }
    }

    pub(crate) fn pinned(issuer: &str, keys: JwkSet) -> Self {
        Self {
            issuer: issuer.into(),
            source: Source::Static(Arc::new(keys)),
        }
    }

    /// The same issuer with nothing resolved yet (after a setting that affects caches changed).
    pub(crate) fn reset(&self) -> Self {
        Self {
            issuer: Arc::clone(&self.issuer),
            source: match &self.source {
                Source::Static(keys) => Source::Static(Arc::clone(keys)),
                Source::Discovered { server, .. } => Source::Discovered {
                    server: server.clone(),
                    resolved: RwLock::new(None),
                },
            },
        }
    }

    /// `true` for keys pinned in the configuration (never refetched).
    pub(crate) fn is_pinned(&self) -> bool {
        matches!(self.source, Source::Static(_))
    }

    /// The keys when they are at hand without waiting: pinned, or cached and fresh for the
    /// current metadata. `None` means "take the asynchronous path".
    pub(crate) fn keys_now(&self) -> Option<Arc<JwkSet>> {
        match &self.source {
            Source::Static(keys) => Some(Arc::clone(keys)),
            Source::Discovered { server, resolved } => {
                let metadata = server.metadata_now()?;
                let resolved = resolved.read().unwrap_or_else(PoisonError::into_inner);
                let current = resolved
                    .as_ref()
                    .filter(|r| Arc::ptr_eq(&r.metadata, &metadata))?;
                current.cache.fresh_key_set()
            }
        }
    }

    /// The key source for this request. Fetches metadata only for a trusted issuer, and only
    /// when the server has none yet.
    pub(crate) async fn keys(&self, ctx: CacheContext<'_>) -> Result<Keys, VerifyError> {
        let (server, resolved) = match &self.source {
            Source::Static(keys) => return Ok(Keys::Static(Arc::clone(keys))),
            Source::Discovered { server, resolved } => (server, resolved),
        };
        let metadata = server
            .metadata()
            .await
            .map_err(|_| VerifyError::unavailable("authorization server metadata unavailable"))?;
        {
            let current = resolved.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(r) = current
                .as_ref()
                .filter(|r| Arc::ptr_eq(&r.metadata, &metadata))
            {
                return Ok(Keys::Cached(Arc::clone(&r.cache)));
            }
        }
        let Some(jwks_uri) = metadata.jwks_uri.as_deref() else {
            return Err(VerifyError::unavailable(
                "authorization server metadata has no jwks_uri",
            ));
        };
        let cache = ctx
            .registry
            .get_or_create(jwks_uri, ctx.config, ctx.http, ctx.clock)
            .map_err(|_| VerifyError::unavailable("authorization server jwks_uri is invalid"))?;
        *resolved.write().unwrap_or_else(PoisonError::into_inner) = Some(Resolved {
            metadata,
            cache: Arc::clone(&cache),
        });
        Ok(Keys::Cached(cache))
    }
}

impl fmt::Debug for TrustedIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let source = match &self.source {
            Source::Static(keys) => format!("static ({} keys)", keys.len()),
            Source::Discovered { .. } => "jwks_uri from metadata".to_owned(),
        };
        f.debug_struct("TrustedIssuer")
            .field("issuer", &self.issuer)
            .field("keys", &source)
            .finish()
    }
}
