//! The server's metadata document (RFC 8414 §2, OpenID Connect Discovery 1.0 §3), served at
//! both well-known URLs.

use mcp_auth::metadata::AuthorizationServerMetadata;

use crate::keys::SigningAlgorithm;

/// Endpoint paths, relative to the issuer.
pub(crate) mod paths {
    /// OpenID Connect Discovery 1.0 §4.
    pub(crate) const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";
    /// RFC 8414 §3.
    pub(crate) const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";
    /// RFC 6749 §3.1.
    pub(crate) const AUTHORIZE: &str = "/authorize";
    /// Where the login page's form is posted.
    pub(crate) const LOGIN: &str = "/authorize/login";
    /// Where the consent page's form is posted.
    pub(crate) const CONSENT: &str = "/authorize/consent";
    /// RFC 7591 §3.
    pub(crate) const REGISTER: &str = "/register";
    /// RFC 6749 §3.2.
    pub(crate) const TOKEN: &str = "/token";
    /// RFC 7517 §5.
    pub(crate) const JWKS: &str = "/jwks";
    /// OpenID Connect Core §5.3.
    pub(crate) const USERINFO: &str = "/userinfo";
    /// RFC 7662 §2.
    pub(crate) const INTROSPECT: &str = "/introspect";
    /// RFC 7009 §2.
    pub(crate) const REVOKE: &str = "/revoke";
}

/// The metadata for `issuer` (no trailing slash).
///
/// Listed: the code flow with PKCE `S256` only, RFC 9207 `iss` in authorization responses,
/// client authentication by `client_secret_basic`, `client_secret_post` or `none` (public
/// clients), the grants `authorization_code`, `refresh_token` and `client_credentials`,
/// Dynamic Client Registration (`registration_endpoint`, RFC 7591) and Client ID Metadata
/// Documents (`client_id_metadata_document_supported`).
pub(crate) fn build(
    issuer: &str,
    scopes_supported: &[String],
    algorithm: SigningAlgorithm,
) -> AuthorizationServerMetadata {
    let url = |path: &str| Some(format!("{issuer}{path}"));
    let list = |items: &[&str]| Some(items.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());

    let mut metadata = AuthorizationServerMetadata::default();
    metadata.issuer = issuer.to_owned();
    metadata.authorization_endpoint = url(paths::AUTHORIZE);
    metadata.token_endpoint = url(paths::TOKEN);
    metadata.jwks_uri = url(paths::JWKS);
    metadata.userinfo_endpoint = url(paths::USERINFO);
    metadata.introspection_endpoint = url(paths::INTROSPECT);
    metadata.revocation_endpoint = url(paths::REVOKE);
    metadata.registration_endpoint = url(paths::REGISTER);
    metadata.client_id_metadata_document_supported = Some(true);
    metadata.scopes_supported = Some(scopes_supported.to_vec());
    metadata.response_types_supported = list(&["code"]);
    metadata.response_modes_supported = list(&["query"]);
    metadata.grant_types_supported =
        list(&["authorization_code", "refresh_token", "client_credentials"]);
    metadata.code_challenge_methods_supported = list(&["S256"]);
    metadata.token_endpoint_auth_methods_supported =
        list(&["client_secret_basic", "client_secret_post", "none"]);
    metadata.introspection_endpoint_auth_methods_supported =
        list(&["client_secret_basic", "client_secret_post"]);
    metadata.revocation_endpoint_auth_methods_supported =
        list(&["client_secret_basic", "client_secret_post", "none"]);
    metadata.authorization_response_iss_parameter_supported = Some(true);
    metadata.subject_types_supported = list(&["public"]);
    metadata.id_token_signing_alg_values_supported = list(&[algorithm.as_str()]);
    metadata.claims_supported = list(&[
        "sub",
        "iss",
        "aud",
        "exp",
        "iat",
        "name",
        "preferred_username",
        "email",
        "email_verified",
    ]);
    metadata
}
