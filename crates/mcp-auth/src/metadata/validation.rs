//! Checks that an authorization server can serve MCP clients (MCP authorization spec:
//! authorization code grant with PKCE `S256`, RFC 8414 / OpenID discovery, client
//! registration), with the codes of the reference MCP Auth SDKs (`validate_server_config`).

use std::fmt;

use url::Url;

use super::{AuthorizationServerMetadata, check_issuer};
use crate::http_client::OutboundPolicy;

/// The code of one validation finding; [`as_str`](Self::as_str) gives the snake_case code the
/// reference SDKs use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValidationCode {
    /// Error: the document is not usable (a required member is missing or a URL is invalid).
    InvalidServerMetadata,
    /// Error: no `response_types_supported` entry contains `code`.
    CodeResponseTypeNotSupported,
    /// Error: `grant_types_supported` lacks `authorization_code`.
    AuthorizationCodeGrantNotSupported,
    /// Error: `code_challenge_methods_supported` is missing or empty (no PKCE).
    PkceNotSupported,
    /// Error: PKCE is advertised without the `S256` method.
    S256CodeChallengeMethodNotSupported,
    /// Warning: no `registration_endpoint` (no Dynamic Client Registration).
    DynamicRegistrationNotSupported,
    /// Warning: neither Dynamic Client Registration nor Client ID Metadata Documents; clients
    /// need a pre-registered client.
    ClientRegistrationNotSupported,
    /// Success: the document is usable.
    ServerMetadataValid,
    /// Success: the `code` response type is supported.
    CodeResponseTypeSupported,
    /// Success: the authorization code grant is supported.
    AuthorizationCodeGrantSupported,
    /// Success: PKCE is supported.
    PkceSupported,
    /// Success: the `S256` PKCE method is supported.
    S256CodeChallengeMethodSupported,
    /// Success: Dynamic Client Registration is supported.
    DynamicRegistrationSupported,
    /// Success: Client ID Metadata Documents are supported.
    ClientIdMetadataDocumentSupported,
}

impl ValidationCode {
    /// The snake_case code, as in the reference SDKs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidServerMetadata => "invalid_server_metadata",
            Self::CodeResponseTypeNotSupported => "code_response_type_not_supported",
            Self::AuthorizationCodeGrantNotSupported => "authorization_code_grant_not_supported",
            Self::PkceNotSupported => "pkce_not_supported",
            Self::S256CodeChallengeMethodNotSupported => "s256_code_challenge_method_not_supported",
            Self::DynamicRegistrationNotSupported => "dynamic_registration_not_supported",
            Self::ClientRegistrationNotSupported => "client_registration_not_supported",
            Self::ServerMetadataValid => "server_metadata_valid",
            Self::CodeResponseTypeSupported => "code_response_type_supported",
            Self::AuthorizationCodeGrantSupported => "authorization_code_grant_supported",
            Self::PkceSupported => "pkce_supported",
            Self::S256CodeChallengeMethodSupported => "s256_code_challenge_method_supported",
            Self::DynamicRegistrationSupported => "dynamic_registration_supported",
            Self::ClientIdMetadataDocumentSupported => "client_id_metadata_document_supported",
        }
    }
}

impl fmt::Display for ValidationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a validation: an error, a warning or a success.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationFinding {
    code: ValidationCode,
    description: String,
}

impl ValidationFinding {
    /// A finding with a code and a human-readable description.
    #[must_use]
    pub fn new(code: ValidationCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    /// The code.
    #[must_use]
    pub fn code(&self) -> ValidationCode {
        self.code
    }

    /// What was found.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }
}

impl fmt::Display for ValidationFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.description)
    }
}

/// The result of [`validate_for_mcp`]: errors (the server cannot serve MCP clients), warnings
/// and successes (what the reference JS SDK reports in verbose mode).
///
/// `Display` writes one line per error and warning (`error <code>: <description>`); the
/// alternate form (`{:#}`) adds the successes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValidationReport {
    errors: Vec<ValidationFinding>,
    warnings: Vec<ValidationFinding>,
    successes: Vec<ValidationFinding>,
}

impl ValidationReport {
    /// `true` when there is no error (warnings allowed).
    #[must_use]
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors.
    #[must_use]
    pub fn errors(&self) -> &[ValidationFinding] {
        &self.errors
    }

    /// The warnings.
    #[must_use]
    pub fn warnings(&self) -> &[ValidationFinding] {
        &self.warnings
    }

    /// The successes.
    #[must_use]
    pub fn successes(&self) -> &[ValidationFinding] {
        &self.successes
    }

    /// Whether any error, warning or success has `code`.
    #[must_use]
    pub fn has(&self, code: ValidationCode) -> bool {
        self.errors
            .iter()
            .chain(&self.warnings)
            .chain(&self.successes)
            .any(|f| f.code == code)
    }

    fn error(&mut self, code: ValidationCode, description: impl Into<String>) {
        self.errors.push(ValidationFinding::new(code, description));
    }

    fn warning(&mut self, code: ValidationCode, description: impl Into<String>) {
        self.warnings
            .push(ValidationFinding::new(code, description));
    }

    fn success(&mut self, code: ValidationCode, description: impl Into<String>) {
        self.successes
            .push(ValidationFinding::new(code, description));
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines = self
            .errors
            .iter()
            .map(|e| ("error", e))
            .chain(self.warnings.iter().map(|w| ("warning", w)))
            .collect::<Vec<_>>();
        if f.alternate() {
            lines.extend(self.successes.iter().map(|s| ("ok", s)));
        }
        if lines.is_empty() {
            return f.write_str("no errors or warnings");
        }
        for (i, (level, finding)) in lines.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{level} {finding}")?;
        }
        Ok(())
    }
}

/// Checks authorization-server metadata against what MCP clients need.
///
/// Errors: `invalid_server_metadata` (bad issuer, a missing `authorization_endpoint` or
/// `token_endpoint`, an endpoint that is not an `https` URL), `code_response_type_not_supported`,
/// `authorization_code_grant_not_supported` (`grant_types_supported` defaults to
/// `["authorization_code", "implicit"]`), `pkce_not_supported` (missing or empty
/// `code_challenge_methods_supported`), `s256_code_challenge_method_not_supported`.
/// Warnings: `dynamic_registration_not_supported` and, when Client ID Metadata Documents are not
/// advertised either, `client_registration_not_supported`.
///
/// ```
/// use mcp_auth::metadata::{AuthorizationServerMetadata, ValidationCode, validate_for_mcp};
///
/// let metadata: AuthorizationServerMetadata = serde_json::from_value(serde_json::json!({
///     "issuer": "https://as.example.com",
///     "authorization_endpoint": "https://as.example.com/authorize",
///     "token_endpoint": "https://as.example.com/token",
///     "response_types_supported": ["code"],
///     "code_challenge_methods_supported": ["S256"],
///     "client_id_metadata_document_supported": true
/// })).unwrap();
/// let report = validate_for_mcp(&metadata);
/// assert!(report.is_valid());
/// assert!(report.has(ValidationCode::ClientIdMetadataDocumentSupported));
/// ```
#[must_use]
pub fn validate_for_mcp(metadata: &AuthorizationServerMetadata) -> ValidationReport {
    use ValidationCode as C;
    let mut report = ValidationReport::default();

    let mut usable = true;
    if let Err(reason) = check_issuer(&metadata.issuer) {
        report.error(
            C::InvalidServerMetadata,
            format!("issuer `{}`: {reason}", metadata.issuer),
        );
        usable = false;
    }
    for (name, value) in [
        ("authorization_endpoint", &metadata.authorization_endpoint),
        ("token_endpoint", &metadata.token_endpoint),
    ] {
        if value.is_none() {
            report.error(C::InvalidServerMetadata, format!("{name} is missing"));
            usable = false;
        }
    }
    let policy = OutboundPolicy::default();
    for (name, value) in endpoints(metadata) {
        let checked = Url::parse(value)
            .map_err(|_| "not an absolute URL")
            .and_then(|url| policy.check_parsed(&url, false));
        if let Err(reason) = checked {
            report.error(
                C::InvalidServerMetadata,
                format!("{name} `{value}`: {reason}"),
            );
            usable = false;
        }
    }
    if usable {
        report.success(C::ServerMetadataValid, "the metadata is well formed");
    }

    match &metadata.response_types_supported {
        None => report.error(
            C::CodeResponseTypeNotSupported,
            "response_types_supported is missing",
        ),
        Some(types)
            if types
                .iter()
                .any(|t| t.split_whitespace().any(|p| p == "code")) =>
        {
            report.success(
                C::CodeResponseTypeSupported,
                "the `code` response type is supported",
            );
        }
        Some(_) => report.error(
            C::CodeResponseTypeNotSupported,
            "response_types_supported does not include `code`",
        ),
    }

    if metadata
        .grant_types_or_default()
        .contains(&"authorization_code")
    {
        report.success(
            C::AuthorizationCodeGrantSupported,
            "the authorization code grant is supported",
        );
    } else {
        report.error(
            C::AuthorizationCodeGrantNotSupported,
            "grant_types_supported does not include `authorization_code`",
        );
    }

    match metadata.code_challenge_methods_supported.as_deref() {
        None | Some([]) => report.error(
            C::PkceNotSupported,
            "code_challenge_methods_supported is missing or empty: PKCE is not advertised",
        ),
        Some(methods) => {
            report.success(C::PkceSupported, "PKCE is supported");
            if methods.iter().any(|m| m == "S256") {
                report.success(
                    C::S256CodeChallengeMethodSupported,
                    "the S256 PKCE method is supported",
                );
            } else {
                report.error(
                    C::S256CodeChallengeMethodNotSupported,
                    "code_challenge_methods_supported does not include `S256`",
                );
            }
        }
    }

    let dcr = metadata.registration_endpoint.is_some();
    let cimd = metadata.client_id_metadata_document_supported == Some(true);
    if dcr {
        report.success(
            C::DynamicRegistrationSupported,
            "Dynamic Client Registration is supported",
        );
    }
    if cimd {
        report.success(
            C::ClientIdMetadataDocumentSupported,
            "Client ID Metadata Documents are supported",
        );
    }
    if !dcr && !cimd {
        report.warning(
            C::DynamicRegistrationNotSupported,
            "no registration_endpoint: Dynamic Client Registration is not supported",
        );
        report.warning(
            C::ClientRegistrationNotSupported,
            "neither Dynamic Client Registration nor Client ID Metadata Documents: \
             MCP clients need a pre-registered client",
        );
    }
    report
}

/// Endpoint members that clients or this crate connect to.
fn endpoints(metadata: &AuthorizationServerMetadata) -> Vec<(&'static str, &str)> {
    [
        ("authorization_endpoint", &metadata.authorization_endpoint),
        ("token_endpoint", &metadata.token_endpoint),
        ("jwks_uri", &metadata.jwks_uri),
        ("registration_endpoint", &metadata.registration_endpoint),
        ("introspection_endpoint", &metadata.introspection_endpoint),
        ("revocation_endpoint", &metadata.revocation_endpoint),
        ("userinfo_endpoint", &metadata.userinfo_endpoint),
        (
            "pushed_authorization_request_endpoint",
            &metadata.pushed_authorization_request_endpoint,
        ),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_deref().map(|v| (name, v)))
    .collect()
}
