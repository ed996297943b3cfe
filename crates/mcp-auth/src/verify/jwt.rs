//! JWT verifier (STUB: to be implemented).
#![allow(missing_docs, unused)]

use crate::auth_info::AuthInfo;
use crate::auth_server::AuthServer;
use crate::bearer::BearerToken;
use crate::error::{ConfigError, VerifyError};
use crate::verify::{BoxFuture, TokenVerifier};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TypPolicy {
    #[default]
    Default,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScopeClaim {
    #[default]
    Auto,
}

#[derive(Debug, Clone)]
pub struct JwtVerifier {}

impl JwtVerifier {
    pub fn new(resource: &str) -> Result<Self, ConfigError> {
        todo!()
    }
    pub fn with_issuer(self, server: AuthServer) -> Result<Self, ConfigError> {
        todo!()
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        todo!()
    }
}
