#![allow(clippy::unwrap_used)]

use serde_json::{Value, json};
use url::Url;

use super::well_known::*;
use super::*;
use crate::discovery::AuthServerType;

fn url(s: &str) -> Url {
    Url::parse(s).unwrap()
}

fn strings(urls: Vec<Url>) -> Vec<String> {
    urls.into_iter().map(String::from).collect()
}

// --- well-known URLs (mirrors the reference SDKs' create_resource_metadata_endpoint and
// fetch_server_config URL tests) ---

#[test]
fn prm_url_for_root_resource() {
    for resource in ["https://api.example.com", "https://api.example.com/"] {
        assert_eq!(
            protected_resource_metadata_url(&url(resource)).as_str(),
            "https://api.example.com/.well-known/oauth-protected-resource"
        );
    }
}

#[test]
fn prm_url_inserts_path_and_keeps_trailing_slash() {
    assert_eq!(
        protected_resource_metadata_url(&url("https://api.example.com/mcp")).as_str(),
        "https://api.example.com/.well-known/oauth-protected-resource/mcp"
    );
    assert_eq!(
        protected_resource_metadata_url(&url("https://api.example.com/v1/mcp/")).as_str(),
        "https://api.example.com/.well-known/oauth-protected-resource/v1/mcp/"
    );
}

#[test]
fn prm_url_keeps_origin_and_drops_query_and_fragment() {
    assert_eq!(
        protected_resource_metadata_url(&url("http://localhost:8080/mcp?x=1#frag")).as_str(),
        "http://localhost:8080/.well-known/oauth-protected-resource/mcp"
    );
}

#[test]
fn oauth_url_root_and_path_issuers() {
    assert_eq!(
        oauth_authorization_server_url(&url("https://auth.logto.io")).as_str(),
        "https://auth.logto.io/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        oauth_authorization_server_url(&url("https://auth.logto.io/")).as_str(),
        "https://auth.logto.io/.well-known/oauth-authorization-server"
    );
    assert_eq!(
        oauth_authorization_server_url(&url("https://auth.logto.io/oauth")).as_str(),
        "https://auth.logto.io/.well-known/oauth-authorization-server/oauth"
    );
    // terminating slash removed before insertion (RFC 8414 §3.1)
    assert_eq!(
        oauth_authorization_server_url(&url("https://auth.logto.io/oauth/")).as_str(),
        "https://auth.logto.io/.well-known/oauth-authorization-server/oauth"
    );
}

#[test]
fn oidc_urls_root_and_path_issuers() {
    assert_eq!(
        openid_configuration_url_appended(&url("https://auth.logto.io")).as_str(),
        "https://auth.logto.io/.well-known/openid-configuration"
    );
    assert_eq!(
        openid_configuration_url_appended(&url("https://auth.logto.io/oidc")).as_str(),
        "https://auth.logto.io/oidc/.well-known/openid-configuration"
    );
    assert_eq!(
        openid_configuration_url_appended(&url("https://tenant.us.auth0.com/")).as_str(),
        "https://tenant.us.auth0.com/.well-known/openid-configuration"
    );
    assert_eq!(
        openid_configuration_url_inserted(&url("https://auth.logto.io/oidc/")).as_str(),
        "https://auth.logto.io/.well-known/openid-configuration/oidc"
    );
}

#[test]
fn discovery_urls_follow_type_or_mcp_order() {
    let issuer = url("http://localhost:3001/oidc");
    assert_eq!(
        strings(discovery_urls(&issuer, Some(AuthServerType::OAuth))),
        ["http://localhost:3001/.well-known/oauth-authorization-server/oidc"]
    );
    assert_eq!(
        strings(discovery_urls(&issuer, Some(AuthServerType::Oidc))),
        ["http://localhost:3001/oidc/.well-known/openid-configuration"]
    );
    assert_eq!(
        strings(discovery_urls(&issuer, None)),
        [
            "http://localhost:3001/.well-known/oauth-authorization-server/oidc",
            "http://localhost:3001/.well-known/openid-configuration/oidc",
            "http://localhost:3001/oidc/.well-known/openid-configuration",
        ]
    );
    // a root issuer: the two OpenID forms coincide and are listed once
    assert_eq!(
        strings(discovery_urls(&url("https://as.example.com/"), None)),
        [
            "https://as.example.com/.well-known/oauth-authorization-server",
            "https://as.example.com/.well-known/openid-configuration",
        ]
    );
}

#[test]
fn server_type_from_url() {
    let oauth = url("https://a.example/.well-known/oauth-authorization-server/x");
    let oidc = url("https://a.example/x/.well-known/openid-configuration");
    assert_eq!(server_type_of_url(&oauth), Some(AuthServerType::OAuth));
    assert_eq!(server_type_of_url(&oidc), Some(AuthServerType::Oidc));
    assert_eq!(
        server_type_of_url(&url("https://a.example/meta.json")),
        None
    );
}

// --- strict JSON ---

#[test]
fn i09_duplicate_members_refused_at_any_depth() {
    let top = br#"{"issuer":"https://a.example","issuer":"https://evil.example"}"#;
    assert!(
        matches!(parse_json_object(top), Err(JsonObjectError::DuplicateMember(m)) if m.contains("issuer"))
    );
    let nested = br#"{"issuer":"https://a.example","x":{"k":1,"k":2}}"#;
    assert!(matches!(
        parse_json_object(nested),
        Err(JsonObjectError::DuplicateMember(_))
    ));
    let in_array = br#"{"x":[{"k":1,"k":1}]}"#;
    assert!(matches!(
        parse_json_object(in_array),
        Err(JsonObjectError::DuplicateMember(_))
    ));
}

#[test]
fn i09_non_objects_and_garbage_refused() {
    assert_eq!(parse_json_object(b"[]"), Err(JsonObjectError::NotAnObject));
    assert_eq!(
        parse_json_object(b"null"),
        Err(JsonObjectError::NotAnObject)
    );
    assert_eq!(
        parse_json_object(b"\"x\""),
        Err(JsonObjectError::NotAnObject)
    );
    for garbage in [
        &b"<html>error</html>"[..],
        b"{",
        b"",
        b"{} {}",
        b"{\"a\":1}x",
        b"\xff\xfe",
    ] {
        assert!(matches!(
            parse_json_object(garbage),
            Err(JsonObjectError::Syntax(_))
        ));
    }
    // deep nesting hits serde_json's recursion limit instead of the stack
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(matches!(
        parse_json_object(deep.as_bytes()),
        Err(JsonObjectError::Syntax(_))
    ));
    // a byte-order mark is ignored; numbers of every kind survive
    let ok =
        parse_json_object(b"\xEF\xBB\xBF{\"n\":-1,\"u\":18446744073709551615,\"f\":1.5}").unwrap();
    assert_eq!(ok["n"], json!(-1));
    assert_eq!(ok["u"], json!(u64::MAX));
    assert_eq!(ok["f"], json!(1.5));
}

// --- provider fixtures ---

const FIXTURES: [(&str, &str); 6] = [
    (
        "logto",
        include_str!("../../tests/fixtures/providers/logto.json"),
    ),
    (
        "keycloak",
        include_str!("../../tests/fixtures/providers/keycloak.json"),
    ),
    (
        "auth0",
        include_str!("../../tests/fixtures/providers/auth0.json"),
    ),
    (
        "entra",
        include_str!("../../tests/fixtures/providers/entra.json"),
    ),
    (
        "okta",
        include_str!("../../tests/fixtures/providers/okta.json"),
    ),
    (
        "google",
        include_str!("../../tests/fixtures/providers/google.json"),
    ),
];

fn fixture(name: &str) -> AuthorizationServerMetadata {
    let (_, text) = FIXTURES.iter().find(|(n, _)| *n == name).unwrap();
    serde_json::from_str(text).unwrap()
}

#[test]
fn fixtures_round_trip_without_loss() {
    for (name, text) in FIXTURES {
        let original: Value = serde_json::from_str(text).unwrap();
        let metadata: AuthorizationServerMetadata = serde_json::from_str(text).unwrap();
        let serialized = serde_json::to_value(&metadata).unwrap();
        assert_eq!(
            serialized, original,
            "{name}: serialization changed the document"
        );
        let again: AuthorizationServerMetadata = serde_json::from_value(serialized).unwrap();
        assert_eq!(again, metadata, "{name}");
        // strict parsing accepts every real document
        assert!(parse_json_object(text.as_bytes()).is_ok(), "{name}");
    }
}

#[test]
fn fixtures_keep_vendor_members_in_extra() {
    let entra = fixture("entra");
    assert_eq!(entra.extra["tenant_region_scope"], json!("NA"));
    assert_eq!(entra.extra["http_logout_supported"], json!(true));
    assert!(!entra.extra.contains_key("issuer"));
    assert_eq!(entra.frontchannel_logout_supported, Some(true));
    let auth0 = fixture("auth0");
    assert!(auth0.extra.contains_key("mfa_challenge_endpoint"));
    assert!(auth0.issuer.ends_with('/'));
    let keycloak = fixture("keycloak");
    assert!(
        keycloak.extra.is_empty(),
        "{:?}",
        keycloak.extra.keys().collect::<Vec<_>>()
    );
    let aliases = keycloak.mtls_endpoint_aliases.unwrap();
    assert!(aliases["token_endpoint"].ends_with("/protocol/openid-connect/token"));
    assert_eq!(
        fixture("logto").authorization_response_iss_parameter_supported,
        Some(true)
    );
    assert_eq!(
        fixture("okta")
            .pushed_authorization_request_endpoint
            .as_deref(),
        Some("https://mcp-example.okta.com/oauth2/default/v1/par")
    );
}

#[test]
fn fixtures_validate_as_documented() {
    use ValidationCode as C;
    for name in ["logto", "keycloak", "auth0", "okta"] {
        let report = validate_for_mcp(&fixture(name));
        assert!(report.is_valid(), "{name}: {report}");
        assert!(report.warnings().is_empty(), "{name}: {report}");
        assert!(report.has(C::DynamicRegistrationSupported), "{name}");
        assert!(report.has(C::S256CodeChallengeMethodSupported), "{name}");
    }
    let google = validate_for_mcp(&fixture("google"));
    assert!(google.is_valid(), "{google}");
    let codes: Vec<_> = google
        .warnings()
        .iter()
        .map(ValidationFinding::code)
        .collect();
    assert_eq!(
        codes,
        [
            C::DynamicRegistrationNotSupported,
            C::ClientRegistrationNotSupported
        ]
    );

    let entra = validate_for_mcp(&fixture("entra"));
    assert!(!entra.is_valid());
    let errors: Vec<_> = entra.errors().iter().map(ValidationFinding::code).collect();
    assert_eq!(errors, [C::PkceNotSupported]);
    assert_eq!(entra.warnings().len(), 2);
    // Entra has no grant_types_supported: the RFC 8414 default includes authorization_code
    assert!(entra.has(C::AuthorizationCodeGrantSupported));
}

// --- validation (mirrors validate_server_config tests) ---

fn compliant() -> AuthorizationServerMetadata {
    serde_json::from_value(json!({
        "issuer": "https://as.example.com",
        "authorization_endpoint": "https://as.example.com/authorize",
        "token_endpoint": "https://as.example.com/token",
        "registration_endpoint": "https://as.example.com/register",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"]
    }))
    .unwrap()
}

#[test]
fn valid_metadata_has_every_success() {
    let report = validate_for_mcp(&compliant());
    assert!(report.is_valid());
    assert!(report.warnings().is_empty());
    let codes: Vec<&str> = report
        .successes()
        .iter()
        .map(|s| s.code().as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "server_metadata_valid",
            "code_response_type_supported",
            "authorization_code_grant_supported",
            "pkce_supported",
            "s256_code_challenge_method_supported",
            "dynamic_registration_supported",
        ]
    );
    assert_eq!(report.to_string(), "no errors or warnings");
    assert!(format!("{report:#}").contains("ok pkce_supported: "));
}

#[test]
fn each_check_reports_its_code() {
    use ValidationCode as C;
    let check = |change: &dyn Fn(&mut AuthorizationServerMetadata), code: C| {
        let mut metadata = compliant();
        change(&mut metadata);
        let report = validate_for_mcp(&metadata);
        assert!(!report.is_valid());
        assert!(
            report.errors().iter().any(|e| e.code() == code),
            "{code}: {report}"
        );
    };
    check(
        &|m| m.response_types_supported = Some(vec!["token".into()]),
        C::CodeResponseTypeNotSupported,
    );
    check(
        &|m| m.response_types_supported = None,
        C::CodeResponseTypeNotSupported,
    );
    check(
        &|m| m.grant_types_supported = Some(vec!["implicit".into()]),
        C::AuthorizationCodeGrantNotSupported,
    );
    check(
        &|m| m.code_challenge_methods_supported = None,
        C::PkceNotSupported,
    );
    check(
        &|m| m.code_challenge_methods_supported = Some(vec![]),
        C::PkceNotSupported,
    );
    check(
        &|m| m.code_challenge_methods_supported = Some(vec!["plain".into()]),
        C::S256CodeChallengeMethodNotSupported,
    );
    check(
        &|m| m.authorization_endpoint = None,
        C::InvalidServerMetadata,
    );
    check(&|m| m.token_endpoint = None, C::InvalidServerMetadata);
    check(
        &|m| m.issuer = "https://as.example.com?x=1".into(),
        C::InvalidServerMetadata,
    );
    check(
        &|m| m.issuer = "http://as.example.com".into(),
        C::InvalidServerMetadata,
    );
    check(
        &|m| m.jwks_uri = Some("http://as.example.com/jwks".into()),
        C::InvalidServerMetadata,
    );
    check(
        &|m| m.token_endpoint = Some("/token".into()),
        C::InvalidServerMetadata,
    );
    // a space-separated response type set containing `code` is enough
    let mut metadata = compliant();
    metadata.response_types_supported = Some(vec!["code id_token".into()]);
    assert!(validate_for_mcp(&metadata).is_valid());
    // grant types default to authorization_code + implicit
    metadata.grant_types_supported = None;
    assert!(validate_for_mcp(&metadata).has(C::AuthorizationCodeGrantSupported));
}

#[test]
fn registration_warnings_and_cimd() {
    use ValidationCode as C;
    let mut metadata = compliant();
    metadata.registration_endpoint = None;
    let report = validate_for_mcp(&metadata);
    assert!(report.is_valid());
    let shown = report.to_string();
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.starts_with("warning dynamic_registration_not_supported: "),
        "{shown}"
    );
    assert!(
        shown.contains("\nwarning client_registration_not_supported: "),
        "{shown}"
    );

    metadata.client_id_metadata_document_supported = Some(true);
    let report = validate_for_mcp(&metadata);
    assert!(report.warnings().is_empty(), "{report}");
    assert!(report.has(C::ClientIdMetadataDocumentSupported));
}

#[test]
fn display_lists_errors_then_warnings() {
    let mut metadata = AuthorizationServerMetadata::new("https://as.example.com");
    metadata.response_types_supported = Some(vec!["token".into()]);
    let report = validate_for_mcp(&metadata);
    let shown = report.to_string();
    let first = shown.lines().next().unwrap();
    assert_eq!(
        first,
        "error invalid_server_metadata: authorization_endpoint is missing"
    );
    assert!(shown.contains("error pkce_not_supported: "));
    assert!(shown.lines().last().unwrap().starts_with("warning "));
    assert_eq!(report.clone(), report);
}

#[test]
fn issuer_rules() {
    assert!(check_issuer("https://as.example.com").is_ok());
    assert!(check_issuer("https://as.example.com/tenant/").is_ok());
    assert!(check_issuer("http://localhost:3001/oidc").is_ok());
    assert!(check_issuer("http://127.0.0.1:3001").is_ok());
    for bad in [
        "http://as.example.com",
        "https://as.example.com?tenant=1",
        "https://as.example.com#x",
        "https://u:p@as.example.com",
        "ftp://as.example.com",
        "as.example.com",
        "",
    ] {
        assert!(check_issuer(bad).is_err(), "{bad}");
    }
}

// --- protected-resource metadata ---

#[test]
fn prm_round_trip_with_every_field() {
    let document = json!({
        "resource": "https://api.example.com/mcp",
        "authorization_servers": ["https://as.example.com", "https://login.example.org/tenant"],
        "jwks_uri": "https://api.example.com/jwks.json",
        "scopes_supported": ["todo:read", "todo:write"],
        "bearer_methods_supported": ["header"],
        "resource_signing_alg_values_supported": ["RS256", "ES256"],
        "resource_name": "Todo MCP server",
        "resource_documentation": "https://api.example.com/docs",
        "resource_policy_uri": "https://api.example.com/policy",
        "resource_tos_uri": "https://api.example.com/tos",
        "tls_client_certificate_bound_access_tokens": false,
        "authorization_details_types_supported": ["payment_initiation"],
        "dpop_signing_alg_values_supported": ["ES256"],
        "dpop_bound_access_tokens_required": false,
        "signed_metadata": "eyJhbGciOiJub25lIn0.e30.",
        "x-vendor": {"k": [1, 2]}
    });
    let prm: ProtectedResourceMetadata = serde_json::from_value(document.clone()).unwrap();
    assert_eq!(prm.extra.len(), 1);
    assert_eq!(prm.resource_name.as_deref(), Some("Todo MCP server"));
    assert_eq!(serde_json::to_value(&prm).unwrap(), document);

    let built = ProtectedResourceMetadata::new("https://api.example.com/mcp")
        .with_authorization_server("https://as.example.com")
        .with_authorization_server("https://login.example.org/tenant")
        .with_authorization_server("https://as.example.com")
        .with_jwks_uri("https://api.example.com/jwks.json")
        .with_scopes_supported(["todo:read", "todo:write"])
        .with_bearer_methods_supported(["header"])
        .with_resource_signing_alg_values_supported(["RS256", "ES256"])
        .with_resource_name("Todo MCP server")
        .with_resource_documentation("https://api.example.com/docs")
        .with_resource_policy_uri("https://api.example.com/policy")
        .with_resource_tos_uri("https://api.example.com/tos")
        .with_dpop(["ES256"], false)
        .with_extra("x-vendor", json!({"k": [1, 2]}))
        .with_extra("resource", json!("https://evil.example"));
    let mut expected = prm;
    expected.tls_client_certificate_bound_access_tokens = None;
    expected.authorization_details_types_supported = None;
    expected.signed_metadata = None;
    assert_eq!(built, expected);
}

#[test]
fn prm_minimal_omits_absent_members() {
    let prm = ProtectedResourceMetadata::new("https://api.example.com/mcp");
    assert_eq!(
        serde_json::to_value(&prm).unwrap(),
        json!({"resource": "https://api.example.com/mcp"})
    );
}
