//! The authorization server's state and its token-issuing rules, shared by the HTTP endpoints
//! and the in-process API.

use std::sync::Arc;
use std::time::Duration;

use mcp_auth::clock::Clock;
use mcp_auth::metadata::AuthorizationServerMetadata;
use url::Url;

use crate::authorization_code::CodeStore;
use crate::clients::{Client, ClientRegistry, GrantType};
use crate::error::DevError;
use crate::interaction::Interactions;
use crate::keys::KeySet;
use crate::tokens::{
    AccessTokenClaims, AccessTokenRecord, RefreshTokenStore, TokenFormat, TokenRequest, TokenStore,
    random_string,
};
use crate::users::User;

mod grants;

pub(crate) use grants::{CodeExchange, RefreshRequest};

/// Everything the endpoints need; one per running server.
#[derive(Debug)]
pub(crate) struct AuthorizationServer {
    pub(crate) issuer: String,
    pub(crate) metadata: AuthorizationServerMetadata,
    /// The metadata document, serialized once.
    pub(crate) metadata_json: Vec<u8>,
    pub(crate) keys: KeySet,
    pub(crate) users: Vec<User>,
    pub(crate) clients: ClientRegistry,
    pub(crate) scopes_supported: Vec<String>,
    pub(crate) token_ttl: Duration,
    pub(crate) tokens: TokenStore,
    pub(crate) refresh_tokens: RefreshTokenStore,
    pub(crate) refresh_token_ttl: Duration,
    pub(crate) codes: CodeStore,
    pub(crate) interactions: Interactions,
    pub(crate) clock: Arc<dyn Clock>,
}

/// One access token to issue, after the client was identified (and, over HTTP,
/// authenticated).
#[derive(Debug)]
pub(crate) struct Grant<'a> {
    pub(crate) client: &'a Client,
    pub(crate) user: Option<&'a User>,
    pub(crate) scopes: Vec<String>,
    pub(crate) resource: Option<String>,
    pub(crate) format: Option<TokenFormat>,
    pub(crate) ttl: Option<Duration>,
    /// The authorization grant the token belongs to (code grants and their refreshes).
    pub(crate) grant_id: Option<String>,
}

/// An issued access token and what the token response says about it (RFC 6749 §5.1), with the
/// refresh token (RFC 6749 §6) and ID token (OpenID Connect Core §3.1.3.3) issued with it.
#[derive(Debug)]
pub(crate) struct IssuedToken {
    pub(crate) access_token: String,
    pub(crate) expires_in: i64,
    pub(crate) scopes: Vec<String>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) id_token: Option<String>,
}

/// Largest token lifetime accepted (one year).
const MAX_TTL: Duration = Duration::from_secs(365 * 24 * 3600);

impl AuthorizationServer {
    /// Seconds since the Unix epoch, from the configured clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
    }

    /// The user with this login name.
    pub(crate) fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// The user with this subject identifier.
    pub(crate) fn user_by_sub(&self, sub: &str) -> Option<&User> {
        self.users.iter().find(|u| u.sub == sub)
    }

    /// Issues a token for an in-process [`TokenRequest`].
    pub(crate) fn issue_for_request(&self, request: &TokenRequest) -> Result<String, DevError> {
        let client = self
            .clients
            .get(self.now(), &request.client_id)
            .ok_or_else(|| DevError::UnknownClient(request.client_id.clone()))?;
        let user = match &request.username {
            Some(name) => Some(
                self.user_by_username(name)
                    .ok_or_else(|| DevError::UnknownUser(name.clone()))?,
            ),
            None => None,
        };
        if let Some(bad) = request
            .scopes
            .iter()
            .find(|s| !crate::scope::is_scope_token(s))
        {
            return Err(DevError::InvalidScope(format!("malformed scope `{bad}`")));
        }
        let mut scopes: Vec<String> = Vec::with_capacity(request.scopes.len());
        for scope in &request.scopes {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        let grant = Grant {
            client: &client,
            user,
            scopes,
            resource: request.resource.clone(),
            format: request.format,
            ttl: request.ttl,
            grant_id: None,
        };
        Ok(self.issue(grant)?.access_token)
    }

    /// Applies the issuing rules and issues an access token.
    ///
    /// * grant: a user token needs `authorization_code`, a client token `client_credentials`
    ///   and a confidential client (RFC 6749 §4.4) — else `unauthorized_client`;
    /// * every scope must be supported and allowed for the client — else `invalid_scope`;
    /// * the resource must be an absolute `http(s)` URL without fragment (RFC 8707 §2) — else
    ///   `invalid_target`;
    /// * a JWT needs a resource for its `aud` (RFC 9068 §2.2) — else `invalid_request`.
    pub(crate) fn issue(&self, grant: Grant<'_>) -> Result<IssuedToken, DevError> {
        let client = grant.client;
        let needed = match grant.user {
            Some(_) => GrantType::AuthorizationCode,
            None => GrantType::ClientCredentials,
        };
        let confidential_ok = needed != GrantType::ClientCredentials || client.is_confidential();
        if !client.allows_grant(needed) || !confidential_ok {
            return Err(DevError::UnauthorizedClient {
                client_id: client.client_id().to_owned(),
                grant_type: needed.as_str(),
            });
        }
        for scope in &grant.scopes {
            if !self.scopes_supported.contains(scope) {
                return Err(DevError::InvalidScope(format!(
                    "`{scope}` is not supported"
                )));
            }
            if !client.allows_scope(scope) {
                return Err(DevError::InvalidScope(format!(
                    "`{scope}` is not allowed for this client"
                )));
            }
        }
        if let Some(resource) = &grant.resource {
            check_resource(resource)?;
        }
        let format = grant.format.unwrap_or(match grant.resource {
            Some(_) => TokenFormat::Jwt,
            None => TokenFormat::Opaque,
        });
        let ttl = grant.ttl.unwrap_or(self.token_ttl).min(MAX_TTL);
        let ttl = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let now = self.now();
        let record = AccessTokenRecord {
            client_id: client.client_id().to_owned(),
            user_sub: grant.user.map(|u| u.sub.clone()),
            scopes: grant.scopes,
            audience: grant.resource,
            issued_at: now,
            expires_at: now.saturating_add(ttl),
            jti: random_string(16)?,
            grant_id: grant.grant_id,
        };
        let access_token = match (format, &record.audience) {
            (TokenFormat::Jwt, Some(audience)) => {
                self.keys
                    .sign(&AccessTokenClaims::new(&self.issuer, audience, &record))?
            }
            (TokenFormat::Jwt, None) => {
                return Err(DevError::InvalidRequest(
                    "a JWT access token needs a resource for its audience (RFC 9068)".into(),
                ));
            }
            (TokenFormat::Opaque, _) => random_string(32)?,
        };
        let scopes = record.scopes.clone();
        self.tokens
            .insert(now, &access_token, record)
            .map_err(|_| DevError::StoreFull)?;
        Ok(IssuedToken {
            access_token,
            expires_in: ttl,
            scopes,
            refresh_token: None,
            id_token: None,
        })
    }
}

/// RFC 8707 §2: an absolute URI without fragment; here also `http` or `https` with a host, as
/// MCP resource identifiers are.
pub(crate) fn check_resource(resource: &str) -> Result<(), DevError> {
    let url = Url::parse(resource)
        .map_err(|_| DevError::InvalidTarget("the resource is not an absolute URI".into()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(DevError::InvalidTarget(
            "the resource must be an http or https URL".into(),
        ));
    }
    if url.fragment().is_some() {
        return Err(DevError::InvalidTarget(
            "the resource must not contain a fragment".into(),
        ));
    }
    Ok(())
}
