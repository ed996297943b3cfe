//! The authorization-code grant (RFC 6749 §4.1, RFC 7636) and the refresh-token grant
//! (RFC 6749 §6) with rotation and reuse detection.
//!
//! * **Refresh tokens** are issued with every token response of the code and refresh grants
//!   when the client may use the `refresh_token` grant (the default clients may; a registered
//!   client may when its `grant_types` list it, as MCP clients' registrations do). `offline_access`
//!   is not needed (MCP authorization, "Refresh Tokens"). They live
//!   [`DevServerBuilder::refresh_token_ttl`](crate::DevServerBuilder::refresh_token_ttl) and
//!   are rotated on every use; presenting a used one revokes its whole grant.
//! * **Resource** (RFC 8707): the token request's `resource` must equal the authorization
//!   request's when both name one; when the token request names none, the authorization
//!   request's is used. With a resource the access token is a JWT for it (RFC 9068), without one
//!   an opaque token (usable at `/userinfo`). A refresh may name the grant's resource (or, for
//!   a grant without one, any resource).
//! * **ID token** (OpenID Connect Core §3.1.3.3): returned by the code grant when `openid` was
//!   granted, with the `nonce` of the authorization request.

use super::{AuthorizationServer, Grant, IssuedToken};
use crate::authorization_code::{CodeRecord, Redemption, verify_s256};
use crate::clients::{Client, GrantType};
use crate::error::DevError;
use crate::interaction::AuthorizationRequest;
use crate::tokens::{IdTokenClaims, RefreshRecord, Rotation, random_string};

/// A token request of the authorization-code grant, after client authentication.
#[derive(Debug)]
pub(crate) struct CodeExchange<'a> {
    pub(crate) client: &'a Client,
    pub(crate) code: &'a str,
    pub(crate) redirect_uri: Option<&'a str>,
    pub(crate) code_verifier: &'a str,
    pub(crate) resource: Option<String>,
}

/// A token request of the refresh-token grant, after client authentication.
#[derive(Debug)]
pub(crate) struct RefreshRequest<'a> {
    pub(crate) client: &'a Client,
    pub(crate) refresh_token: &'a str,
    /// A narrower scope, if asked for.
    pub(crate) scopes: Option<Vec<String>>,
    pub(crate) resource: Option<String>,
}

impl AuthorizationServer {
    /// Issues the code for an approved authorization request.
    pub(crate) fn issue_code(
        &self,
        request: &AuthorizationRequest,
        user_sub: &str,
        auth_time: i64,
    ) -> Result<String, DevError> {
        let record = CodeRecord {
            client_id: request.client.client_id().to_owned(),
            redirect_uri: request.redirect_uri.clone(),
            redirect_uri_sent: request.redirect_uri_sent,
            user_sub: user_sub.to_owned(),
            scopes: request.scopes.clone(),
            resource: request.resource.clone(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            auth_time,
            grant_id: random_string(16)?,
        };
        self.codes.issue(self.now(), record)
    }

    /// Revokes every access and refresh token of a grant.
    pub(crate) fn revoke_grant(&self, grant_id: &str) {
        self.tokens.revoke_grant(grant_id);
        self.refresh_tokens.revoke_grant(grant_id);
    }

    /// Redeems an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.6).
    pub(crate) fn exchange_code(
        &self,
        exchange: CodeExchange<'_>,
    ) -> Result<IssuedToken, DevError> {
        let client = exchange.client;
        let record = match self.codes.redeem(self.now(), exchange.code) {
            Redemption::Redeemed(record) => record,
            Redemption::Reused { grant_id } => {
                self.revoke_grant(&grant_id);
                tracing::warn!(
                    client_id = client.client_id(),
                    "an authorization code was presented twice: the tokens issued from it are revoked"
                );
                return Err(DevError::InvalidGrant(
                    "the authorization code was already used; the tokens issued from it are revoked"
                        .into(),
                ));
            }
            Redemption::Invalid => {
                return Err(DevError::InvalidGrant(
                    "the authorization code is invalid or expired".into(),
                ));
            }
        };
        if record.client_id != client.client_id() {
            return Err(DevError::InvalidGrant(
                "the authorization code was issued to another client".into(),
            ));
        }
        let redirect_ok = match exchange.redirect_uri {
            Some(uri) => uri == record.redirect_uri,
            None => !record.redirect_uri_sent,
        };
        if !redirect_ok {
            return Err(DevError::InvalidGrant(
                "redirect_uri does not match the authorization request (RFC 6749 section 4.1.3)"
                    .into(),
            ));
        }
        if !verify_s256(exchange.code_verifier, &record.code_challenge) {
            return Err(DevError::InvalidGrant(
                "the code_verifier does not match the code_challenge (PKCE, RFC 7636)".into(),
            ));
        }
        let resource = match (exchange.resource, &record.resource) {
            (Some(asked), Some(granted)) if asked != *granted => {
                return Err(DevError::InvalidTarget(
                    "the resource differs from the one of the authorization request".into(),
                ));
            }
            (Some(asked), _) => Some(asked),
            (None, granted) => granted.clone(),
        };
        let user = self.user_by_sub(&record.user_sub).ok_or_else(|| {
            DevError::InvalidGrant("the user of this authorization no longer exists".into())
        })?;
        let mut issued = self.issue(Grant {
            client,
            user: Some(user),
            scopes: record.scopes.clone(),
            resource: resource.clone(),
            format: None,
            ttl: None,
            grant_id: Some(record.grant_id.clone()),
        })?;
        issued.refresh_token = self.refresh_token_for(client, &record, resource)?;
        if record.scopes.iter().any(|s| s == "openid") {
            let now = self.now();
            let claims = IdTokenClaims {
                iss: &self.issuer,
                sub: &user.sub,
                aud: client.client_id(),
                azp: client.client_id(),
                iat: now,
                exp: now.saturating_add(issued.expires_in),
                auth_time: record.auth_time,
                nonce: record.nonce.as_deref(),
            };
            issued.id_token = Some(self.keys.sign_typed(&claims, "JWT")?);
        }
        Ok(issued)
    }

    /// The first refresh token of a code grant, if the client may refresh.
    fn refresh_token_for(
        &self,
        client: &Client,
        record: &CodeRecord,
        resource: Option<String>,
    ) -> Result<Option<String>, DevError> {
        if !client.allows_grant(GrantType::RefreshToken) {
            return Ok(None);
        }
        let family = RefreshRecord {
            client_id: client.client_id().to_owned(),
            user_sub: record.user_sub.clone(),
            scopes: record.scopes.clone(),
            resource,
            grant_id: record.grant_id.clone(),
            expires_at: 0,
        };
        self.new_refresh_token(family).map(Some)
    }

    /// Stores a refresh token for `record` (its expiry set from the configured lifetime).
    fn new_refresh_token(&self, mut record: RefreshRecord) -> Result<String, DevError> {
        let now = self.now();
        let ttl = i64::try_from(self.refresh_token_ttl.as_secs()).unwrap_or(i64::MAX);
        record.expires_at = now.saturating_add(ttl);
        let token = random_string(32)?;
        self.refresh_tokens
            .insert(now, &token, record)
            .map_err(|_| DevError::StoreFull)?;
        Ok(token)
    }

    /// Uses a refresh token (RFC 6749 §6): checks it, retires it, and issues a new access token
    /// and a new refresh token of the same grant.
    pub(crate) fn refresh(&self, request: RefreshRequest<'_>) -> Result<IssuedToken, DevError> {
        let client = request.client;
        let accept = |record: &RefreshRecord| -> Result<(Vec<String>, Option<String>), DevError> {
            let scopes = match &request.scopes {
                Some(asked) => {
                    if let Some(extra) = asked.iter().find(|s| !record.scopes.contains(s)) {
                        return Err(DevError::InvalidScope(format!(
                            "`{extra}` was not granted originally (RFC 6749 section 6)"
                        )));
                    }
                    asked.clone()
                }
                None => record.scopes.clone(),
            };
            let resource = match (&request.resource, &record.resource) {
                (Some(asked), Some(granted)) if asked != granted => {
                    return Err(DevError::InvalidTarget(
                        "the resource differs from the one of the original grant".into(),
                    ));
                }
                (Some(asked), _) => Some(asked.clone()),
                (None, granted) => granted.clone(),
            };
            if self.user_by_sub(&record.user_sub).is_none() {
                return Err(DevError::InvalidGrant(
                    "the user of this grant no longer exists".into(),
                ));
            }
            if let Some(resource) = &resource {
                super::check_resource(resource)?;
            }
            Ok((scopes, resource))
        };
        let rotation = self.refresh_tokens.rotate(
            self.now(),
            request.refresh_token,
            client.client_id(),
            accept,
        );
        let (record, (scopes, resource)) = match rotation {
            Rotation::Rotated(record, accepted) => (record, accepted),
            Rotation::Refused(error) => return Err(error),
            Rotation::Reused { grant_id } => {
                self.revoke_grant(&grant_id);
                tracing::warn!(
                    client_id = client.client_id(),
                    "a refresh token was used twice: every token of its grant is revoked"
                );
                return Err(DevError::InvalidGrant(
                    "the refresh token was already used; every token of its grant is revoked"
                        .into(),
                ));
            }
            Rotation::OtherClient => {
                return Err(DevError::InvalidGrant(
                    "the refresh token was issued to another client".into(),
                ));
            }
            Rotation::Invalid => {
                return Err(DevError::InvalidGrant(
                    "the refresh token is invalid, expired or revoked".into(),
                ));
            }
        };
        let user = self
            .user_by_sub(&record.user_sub)
            .ok_or_else(|| DevError::InvalidGrant("the user no longer exists".into()))?;
        let mut issued = self.issue(Grant {
            client,
            user: Some(user),
            scopes,
            resource,
            format: None,
            ttl: None,
            grant_id: Some(record.grant_id.clone()),
        })?;
        issued.refresh_token = Some(self.new_refresh_token(RefreshRecord::clone(&record))?);
        Ok(issued)
    }
}
