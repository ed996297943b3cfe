//! Discovery (STUB: to be implemented).
#![allow(missing_docs, unused)]

use crate::metadata::AuthorizationServerMetadata;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthServerType {
    OAuth,
    Oidc,
}

#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthServerConfig {
    pub metadata: AuthorizationServerMetadata,
    pub server_type: Option<AuthServerType>,
}

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
#[error("discovery failed")]
pub struct DiscoveryError {}
