//! The token verifier chosen by `MCP_AUTH_VERIFIER`.
//!
//! No [`CachedVerifier`](mcp_auth::verify::CachedVerifier) is added: every verifier of the core
//! crate already remembers verified tokens by default (key: SHA-256 digest of the token; bounded,
//! never past the token's expiry).

use mcp_auth::verify::{ClientAuth, IntrospectionVerifier, UserinfoVerifier};
use mcp_auth::{AuthServer, ConfigError, McpAuth, TokenVerifier};

use crate::config::{AuthMode, Config, SettingError, VerifierKind};
use crate::server::StartError;

/// Builds the verifier for `resource`. With the issuer's metadata already discovered, the
/// verifier's endpoint is checked now (for example a userinfo verifier against an issuer
/// without `userinfo_endpoint` is a [`StartError::Setting`] on `MCP_AUTH_VERIFIER`).
pub(crate) fn build(
    config: &Config,
    kind: VerifierKind,
    auth: &McpAuth,
    server: &AuthServer,
    resource: &str,
) -> Result<Box<dyn TokenVerifier>, StartError> {
    let unusable = |error: ConfigError| {
        StartError::Setting(SettingError::new(
            "MCP_AUTH_VERIFIER",
            format!(
                "({}) cannot be used with the issuer {}: {error}",
                kind.as_str(),
                server.issuer()
            ),
        ))
    };
    let verifier: Box<dyn TokenVerifier> = match kind {
        VerifierKind::Jwt => match config.mode {
            AuthMode::Resource => Box::new(auth.jwt_verifier_for(resource).map_err(unusable)?),
            AuthMode::AuthorizationServer => {
                Box::new(auth.legacy_jwt_verifier(resource).map_err(unusable)?)
            }
        },
        // `with_resource`: when the token is a JWT, its `aud` must name this resource (userinfo
        // alone proves only that the token is live at the issuer).
        VerifierKind::Userinfo => Box::new(
            UserinfoVerifier::new(server.clone())
                .and_then(|v| v.with_resource(resource))
                .map_err(unusable)?,
        ),
        VerifierKind::Introspection => {
            let client = config.client.as_ref().ok_or_else(|| {
                SettingError::new(
                    "MCP_AUTH_CLIENT_ID",
                    "is required with MCP_AUTH_VERIFIER=introspection",
                )
            })?;
            Box::new(
                IntrospectionVerifier::new(
                    server.clone(),
                    resource,
                    ClientAuth::basic(client.id(), client.secret()),
                )
                .map_err(unusable)?,
            )
        }
    };
    Ok(verifier)
}
