//! The claims of a JWT access token (RFC 9068 §2.2).

use serde::Serialize;

use super::AccessTokenRecord;

/// RFC 9068 §2.2 claims: `iss`, `exp`, `aud`, `sub`, `client_id`, `iat`, `jti`, and `scope`
/// (§2.2.3) when scopes were granted.
#[derive(Debug, Serialize)]
pub(crate) struct AccessTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    client_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    iat: i64,
    exp: i64,
    jti: &'a str,
}

impl<'a> AccessTokenClaims<'a> {
    /// The claims for `record`, issued by `issuer` for `audience`.
    pub(crate) fn new(issuer: &'a str, audience: &'a str, record: &'a AccessTokenRecord) -> Self {
        Self {
            iss: issuer,
            sub: record.subject(),
            aud: audience,
            client_id: &record.client_id,
            scope: (!record.scopes.is_empty()).then(|| crate::scope::join(&record.scopes)),
            iat: record.issued_at,
            exp: record.expires_at,
            jti: &record.jti,
        }
    }
}

/// The claims of an ID token (OpenID Connect Core §2): `iss`, `sub`, `aud` (the client),
/// `exp`, `iat`, `auth_time`, `azp`, and `nonce` when the authorization request had one.
#[derive(Debug, Serialize)]
pub(crate) struct IdTokenClaims<'a> {
    pub(crate) iss: &'a str,
    pub(crate) sub: &'a str,
    pub(crate) aud: &'a str,
    pub(crate) azp: &'a str,
    pub(crate) iat: i64,
    pub(crate) exp: i64,
    pub(crate) auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) nonce: Option<&'a str>,
}
