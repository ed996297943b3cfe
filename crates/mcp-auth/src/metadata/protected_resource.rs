//! Protected-resource metadata (RFC 9728 §2).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Protected-resource metadata (RFC 9728 §2), the document an MCP server publishes so that
/// clients find its authorization servers.
///
/// ```
/// use mcp_auth::metadata::ProtectedResourceMetadata;
///
/// let prm = ProtectedResourceMetadata::new("https://api.example.com/mcp")
///     .with_authorization_server("https://as.example.com")
///     .with_scopes_supported(["todo:read", "todo:write"])
///     .with_bearer_methods_supported(["header"]);
/// let json = serde_json::to_value(&prm).unwrap();
/// assert_eq!(json["authorization_servers"][0], "https://as.example.com");
/// assert!(json.get("jwks_uri").is_none()); // absent members are omitted
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProtectedResourceMetadata {
    /// `resource` (REQUIRED): the resource identifier; clients check that it equals the URL the
    /// metadata URL was built from (RFC 9728 §3.3).
    pub resource: String,
    /// `authorization_servers`: issuer identifiers of the trusted authorization servers (MCP
    /// requires at least one). Omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorization_servers: Vec<String>,
    /// `jwks_uri`: the resource's own signing keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `scopes_supported`: the scopes used to request access to this resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<String>>,
    /// `bearer_methods_supported`: `header`, `body`, `query` (MCP allows `header` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearer_methods_supported: Option<Vec<String>>,
    /// `resource_signing_alg_values_supported`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_signing_alg_values_supported: Option<Vec<String>>,
    /// `resource_name`: a human-readable name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    /// `resource_documentation`: a URL of developer documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_documentation: Option<String>,
    /// `resource_policy_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy_uri: Option<String>,
    /// `resource_tos_uri`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_tos_uri: Option<String>,
    /// `tls_client_certificate_bound_access_tokens` (RFC 8705).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// `authorization_details_types_supported` (RFC 9396).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_details_types_supported: Option<Vec<String>>,
    /// `dpop_signing_alg_values_supported` (RFC 9449).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_signing_alg_values_supported: Option<Vec<String>>,
    /// `dpop_bound_access_tokens_required` (RFC 9449).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpop_bound_access_tokens_required: Option<bool>,
    /// `signed_metadata` (RFC 9728 §2.2): a JWT of metadata values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_metadata: Option<String>,
    /// Members this struct does not name, kept as received.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The members RFC 9728 §2 defines (the named fields).
const MEMBERS: [&str; 15] = [
    "resource",
    "authorization_servers",
    "jwks_uri",
    "scopes_supported",
    "bearer_methods_supported",
    "resource_signing_alg_values_supported",
    "resource_name",
    "resource_documentation",
    "resource_policy_uri",
    "resource_tos_uri",
    "tls_client_certificate_bound_access_tokens",
    "authorization_details_types_supported",
    "dpop_signing_alg_values_supported",
    "dpop_bound_access_tokens_required",
    "signed_metadata",
];

fn strings<I, S>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    items.into_iter().map(Into::into).collect()
}

impl ProtectedResourceMetadata {
    /// Metadata for the resource identifier `resource`.
    #[must_use]
    pub fn new(resource: impl Into<String>) -> Self {
        Self {
            resource: resource.into(),
            ..Self::default()
        }
    }

    /// Adds an authorization server's issuer identifier (once).
    #[must_use]
    pub fn with_authorization_server(mut self, issuer: impl Into<String>) -> Self {
        let issuer = issuer.into();
        if !self.authorization_servers.contains(&issuer) {
            self.authorization_servers.push(issuer);
        }
        self
    }

    /// Sets `scopes_supported`.
    #[must_use]
    pub fn with_scopes_supported<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes_supported = Some(strings(scopes));
        self
    }

    /// Sets `bearer_methods_supported`.
    #[must_use]
    pub fn with_bearer_methods_supported<I, S>(mut self, methods: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.bearer_methods_supported = Some(strings(methods));
        self
    }

    /// Sets `jwks_uri`.
    #[must_use]
    pub fn with_jwks_uri(mut self, jwks_uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(jwks_uri.into());
        self
    }

    /// Sets `resource_name`.
    #[must_use]
    pub fn with_resource_name(mut self, name: impl Into<String>) -> Self {
        self.resource_name = Some(name.into());
        self
    }

    /// Sets `resource_documentation`.
    #[must_use]
    pub fn with_resource_documentation(mut self, url: impl Into<String>) -> Self {
        self.resource_documentation = Some(url.into());
        self
    }

    /// Sets `resource_policy_uri`.
    #[must_use]
    pub fn with_resource_policy_uri(mut self, url: impl Into<String>) -> Self {
        self.resource_policy_uri = Some(url.into());
        self
    }

    /// Sets `resource_tos_uri`.
    #[must_use]
    pub fn with_resource_tos_uri(mut self, url: impl Into<String>) -> Self {
        self.resource_tos_uri = Some(url.into());
        self
    }

    /// Sets `resource_signing_alg_values_supported`.
    #[must_use]
    pub fn with_resource_signing_alg_values_supported<I, S>(mut self, algs: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.resource_signing_alg_values_supported = Some(strings(algs));
        self
    }

    /// Sets `dpop_signing_alg_values_supported` and `dpop_bound_access_tokens_required`.
    #[must_use]
    pub fn with_dpop<I, S>(mut self, algs: I, bound_tokens_required: bool) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.dpop_signing_alg_values_supported = Some(strings(algs));
        self.dpop_bound_access_tokens_required = Some(bound_tokens_required);
        self
    }

    /// Adds a member this struct does not name (a later RFC's, or a vendor's). A name this
    /// struct has a field for is ignored (set the field instead), so a document never carries a
    /// member twice.
    #[must_use]
    pub fn with_extra(mut self, name: impl Into<String>, value: Value) -> Self {
        let name = name.into();
        if !MEMBERS.contains(&name.as_str()) {
            self.extra.insert(name, value);
        }
        self
    }
}
