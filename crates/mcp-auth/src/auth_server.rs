//! Trusted authorization servers (STUB: to be implemented).
#![allow(missing_docs, unused)]

use std::sync::Arc;

use crate::discovery::{AuthServerConfig, AuthServerType, DiscoveryError};
use crate::error::ConfigError;
use crate::http_client::HttpClient;
use crate::metadata::AuthorizationServerMetadata;

#[derive(Debug, Clone)]
pub struct AuthServer {
    issuer: Arc<str>,
}

impl AuthServer {
    pub fn from_config(config: AuthServerConfig) -> Result<Self, ConfigError> {
        todo!()
    }
    pub fn lazy(issuer: &str, server_type: Option<AuthServerType>) -> Result<Self, ConfigError> {
        todo!()
    }
    pub fn with_http_client(self, client: HttpClient) -> Self {
        todo!()
    }
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    pub fn metadata_now(&self) -> Option<Arc<AuthorizationServerMetadata>> {
        todo!()
    }
    pub async fn metadata(&self) -> Result<Arc<AuthorizationServerMetadata>, DiscoveryError> {
        todo!()
    }
}
