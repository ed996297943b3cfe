//! JWKS cache (STUB: to be implemented).
#![allow(missing_docs, unused)]

/// Settings of a [`JwksCache`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct JwksCacheConfig {}

/// Cache of one `jwks_uri`'s keys.
#[derive(Debug)]
pub struct JwksCache {}
