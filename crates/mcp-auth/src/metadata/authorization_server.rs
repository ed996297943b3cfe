//! Authorization-server metadata: RFC 8414 §2 (with the fields later RFCs registered) and
//! OpenID Connect Discovery 1.0 §3.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The default of `grant_types_supported` when absent (RFC 8414 §2).
pub const DEFAULT_GRANT_TYPES: [&str; 2] = ["authorization_code", "implicit"];

/// The default of `response_modes_supported` when absent (RFC 8414 §2).
pub const DEFAULT_RESPONSE_MODES: [&str; 2] = ["query", "fragment"];

/// Authorization-server metadata (RFC 8414 §2; OpenID Connect Discovery 1.0 §3).
///
/// Every member is kept as received: URLs are exact strings (issuer comparison is an exact
/// string comparison, RFC 8414 §3.3), lists keep their order, and members this struct does not
/// name are kept in [`extra`](Self::extra), so a document round-trips unchanged.
///
/// `response_types_supported` is REQUIRED by RFC 8414 but optional here, so that real documents
/// parse; [`validate_for_mcp`](super::validate_for_mcp) reports its absence.
///
/// ```
/// use mcp_auth::metadata::AuthorizationServerMetadata;
///
/// let doc = r#"{"issuer":"https://as.example.com","token_endpoint":"https://as.example.com/token",
///               "x-vendor":{"a":1}}"#;
/// let metadata: AuthorizationServerMetadata = serde_json::from_str(doc).unwrap();
/// assert_eq!(metadata.token_endpoint.as_deref(), Some("https://as.example.com/token"));
/// assert_eq!(metadata.grant_types_or_default(), ["authorization_code", "implicit"]);
/// assert!(metadata.extra.contains_key("x-vendor"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AuthorizationServerMetadata {
    /// `issuer` (REQUIRED): the authorization server's issuer identifier, an `https` URL without
    /// query or fragment.
    pub issuer: String,
    /// `authorization_endpoint` (RFC 6749 §3.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_endpoint: Option<String>,
    /// `token_endpoint` (RFC 6749 §3.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint: Option<String>,
    /// `jwks_uri`: the server's JSON Web Key Set (RFC 7517).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `registration_endpoint`: Dynamic Client Registration (RFC 7591).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// `scopes_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `response_types_supported` (REQUIRED by RFC 8414; entries may be space-separated sets).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_types_supported: Option<Vec<String>>,
    /// `response_modes_supported` (default `["query", "fragment"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_modes_supported: Option<Vec<String>>,
    /// `grant_types_supported` (default `["authorization_code", "implicit"]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_methods_supported` (default `client_secret_basic`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `token_endpoint_auth_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `service_documentation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_documentation: Option<String>,
    /// `ui_locales_supported` (BCP 47 tags).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ui_locales_supported: Option<Vec<String>>,
    /// `op_policy_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_policy_uri: Option<String>,
    /// `op_tos_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op_tos_uri: Option<String>,
    /// `revocation_endpoint` (RFC 7009).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `revocation_endpoint_auth_methods_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `revocation_endpoint_auth_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `introspection_endpoint` (RFC 7662).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// `introspection_endpoint_auth_methods_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_methods_supported: Option<Vec<String>>,
    /// `introspection_endpoint_auth_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_signing_alg_values_supported: Option<Vec<String>>,
    /// `code_challenge_methods_supported`: PKCE methods (RFC 7636); absent means no PKCE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_methods_supported: Option<Vec<String>>,
    /// `signed_metadata` (RFC 8414 §2.1): a JWT of metadata values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_metadata: Option<String>,
    /// `device_authorization_endpoint` (RFC 8628 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_authorization_endpoint: Option<String>,
    /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `mtls_endpoint_aliases` (RFC 8705 §5): endpoint names to mTLS URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtls_endpoint_aliases: Option<BTreeMap<String, String>>,
    /// `pushed_authorization_request_endpoint` (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_authorization_request_endpoint: Option<String>,
    /// `require_pushed_authorization_requests` (RFC 9126 §5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_pushed_authorization_requests: Option<bool>,
    /// `require_signed_request_object` (RFC 9101 §10.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_signed_request_object: Option<bool>,
    /// `authorization_response_iss_parameter_supported` (RFC 9207 §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_response_iss_parameter_supported: Option<bool>,
    /// `dpop_signing_alg_values_supported` (RFC 9449 §5.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// `authorization_details_types_supported` (RFC 9396 §10).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types_supported: Option<Vec<String>>,
    /// `protected_resources` (RFC 9728 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_resources: Option<Vec<String>>,
    /// `client_id_metadata_document_supported`: Client ID Metadata Documents (MCP
    /// authorization, "Client Registration").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id_metadata_document_supported: Option<bool>,
    /// `authorization_signing_alg_values_supported` (JARM §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_signing_alg_values_supported: Option<Vec<String>>,
    /// `authorization_encryption_alg_values_supported` (JARM §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_encryption_alg_values_supported: Option<Vec<String>>,
    /// `authorization_encryption_enc_values_supported` (JARM §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_encryption_enc_values_supported: Option<Vec<String>>,
    /// `backchannel_authentication_endpoint` (OpenID CIBA §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_endpoint: Option<String>,
    /// `backchannel_token_delivery_modes_supported` (OpenID CIBA §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_token_delivery_modes_supported: Option<Vec<String>>,
    /// `backchannel_authentication_request_signing_alg_values_supported` (OpenID CIBA §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_authentication_request_signing_alg_values_supported: Option<Vec<String>>,
    /// `backchannel_user_code_parameter_supported` (OpenID CIBA §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_user_code_parameter_supported: Option<bool>,

    // OpenID Connect Discovery 1.0 §3 and the OpenID logout specifications.
    /// `userinfo_endpoint` (OpenID Connect Core §5.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// `acr_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_values_supported: Option<Vec<String>>,
    /// `subject_types_supported` (`public`, `pairwise`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject_types_supported: Option<Vec<String>>,
    /// `id_token_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<String>>,
    /// `id_token_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encryption_alg_values_supported: Option<Vec<String>>,
    /// `id_token_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_encryption_enc_values_supported: Option<Vec<String>>,
    /// `userinfo_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_signing_alg_values_supported: Option<Vec<String>>,
    /// `userinfo_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encryption_alg_values_supported: Option<Vec<String>>,
    /// `userinfo_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_encryption_enc_values_supported: Option<Vec<String>>,
    /// `request_object_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_signing_alg_values_supported: Option<Vec<String>>,
    /// `request_object_encryption_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_alg_values_supported: Option<Vec<String>>,
    /// `request_object_encryption_enc_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_object_encryption_enc_values_supported: Option<Vec<String>>,
    /// `display_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_values_supported: Option<Vec<String>>,
    /// `claim_types_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim_types_supported: Option<Vec<String>>,
    /// `claims_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_supported: Option<Vec<String>>,
    /// `claims_locales_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_locales_supported: Option<Vec<String>>,
    /// `claims_parameter_supported` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims_parameter_supported: Option<bool>,
    /// `request_parameter_supported` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_parameter_supported: Option<bool>,
    /// `request_uri_parameter_supported` (default `true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_uri_parameter_supported: Option<bool>,
    /// `require_request_uri_registration` (default `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_request_uri_registration: Option<bool>,
    /// `prompt_values_supported` (Initiating User Registration via OpenID Connect §4.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_values_supported: Option<Vec<String>>,
    /// `check_session_iframe` (OpenID Connect Session Management §3.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_session_iframe: Option<String>,
    /// `end_session_endpoint` (OpenID Connect RP-Initiated Logout §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// `frontchannel_logout_supported` (OpenID Connect Front-Channel Logout §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontchannel_logout_supported: Option<bool>,
    /// `frontchannel_logout_session_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frontchannel_logout_session_supported: Option<bool>,
    /// `backchannel_logout_supported` (OpenID Connect Back-Channel Logout §2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_supported: Option<bool>,
    /// `backchannel_logout_session_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backchannel_logout_session_supported: Option<bool>,

    /// Members this struct does not name, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AuthorizationServerMetadata {
    /// Metadata with only the issuer set; fill the public fields or parse a document instead.
    #[must_use]
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            ..Self::default()
        }
    }

    /// `grant_types_supported`, or its RFC 8414 default `["authorization_code", "implicit"]`.
    #[must_use]
    pub fn grant_types_or_default(&self) -> Vec<&str> {
        match &self.grant_types_supported {
            Some(types) => types.iter().map(String::as_str).collect(),
            None => DEFAULT_GRANT_TYPES.to_vec(),
        }
    }

    /// `response_modes_supported`, or its RFC 8414 default `["query", "fragment"]`.
    #[must_use]
    pub fn response_modes_or_default(&self) -> Vec<&str> {
        match &self.response_modes_supported {
            Some(modes) => modes.iter().map(String::as_str).collect(),
            None => DEFAULT_RESPONSE_MODES.to_vec(),
        }
    }

    /// `token_endpoint_auth_methods_supported`, or its default `["client_secret_basic"]`
    /// (RFC 8414 §2).
    #[must_use]
    pub fn token_endpoint_auth_methods_or_default(&self) -> Vec<&str> {
        match &self.token_endpoint_auth_methods_supported {
            Some(methods) => methods.iter().map(String::as_str).collect(),
            None => vec!["client_secret_basic"],
        }
    }

    /// Whether `code_challenge_methods_supported` lists `method` (for example `S256`).
    #[must_use]
    pub fn supports_code_challenge_method(&self, method: &str) -> bool {
        self.code_challenge_methods_supported
            .as_ref()
            .is_some_and(|methods| methods.iter().any(|m| m == method))
    }

    /// The endpoint URLs this crate may fetch, by member name: `jwks_uri`,
    /// `introspection_endpoint` and `userinfo_endpoint`, where present.
    #[must_use]
    pub fn fetched_endpoints(&self) -> Vec<(&'static str, &str)> {
        [
            ("jwks_uri", &self.jwks_uri),
            ("introspection_endpoint", &self.introspection_endpoint),
            ("userinfo_endpoint", &self.userinfo_endpoint),
        ]
        .into_iter()
        .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
        .collect()
    }
}
