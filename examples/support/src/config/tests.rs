#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn parse(pairs: &[(&str, &str)]) -> Result<Config, SettingError> {
    Config::from_pairs(pairs.iter().copied())
}

fn error(pairs: &[(&str, &str)]) -> String {
    parse(pairs).expect_err("a setting error").to_string()
}

#[test]
fn defaults_embed_the_development_server() {
    let config = parse(&[]).unwrap();
    assert_eq!(
        config.issuer,
        IssuerSetting::Embedded {
            bind: "127.0.0.1:3000".parse().unwrap()
        }
    );
    assert!(config.is_embedded());
    assert_eq!(config.issuer_type, AuthServerType::Oidc);
    assert_eq!(config.verifier, None);
    assert_eq!(config.mode, AuthMode::Resource);
    assert_eq!(config.bind, "127.0.0.1:3001".parse().unwrap());
    assert_eq!(config.resource, None);
    assert!(!config.insecure_no_auth, "authentication is on by default");
    let client = config.client.unwrap();
    assert_eq!((client.id(), client.secret()), ("dev-client", "dev-secret"));
}

#[test]
fn every_variable_is_read() {
    let config = parse(&[
        ("MCP_AUTH_ISSUER", "https://tenant.example.com/oidc"),
        ("MCP_AUTH_ISSUER_TYPE", "oauth"),
        ("MCP_AUTH_VERIFIER", "introspection"),
        ("MCP_RESOURCE", "https://mcp.example.com/mcp"),
        ("MCP_BIND", "0.0.0.0:8080"),
        ("MCP_AUTH_MODE", "authorization-server"),
        ("MCP_AUTH_CLIENT_ID", "rs"),
        ("MCP_AUTH_CLIENT_SECRET", "s3cret"),
    ])
    .unwrap();
    assert_eq!(
        config.issuer,
        IssuerSetting::External("https://tenant.example.com/oidc".into())
    );
    assert_eq!(config.issuer_type, AuthServerType::OAuth);
    assert_eq!(config.verifier, Some(VerifierKind::Introspection));
    assert_eq!(
        config.resource.as_deref(),
        Some("https://mcp.example.com/mcp")
    );
    assert_eq!(config.bind, "0.0.0.0:8080".parse().unwrap());
    assert_eq!(config.mode, AuthMode::AuthorizationServer);
    assert_eq!(config.client, Some(ClientCredentials::new("rs", "s3cret")));
    assert!(!format!("{config:?}").contains("s3cret"), "secret redacted");
}

#[test]
fn empty_values_count_as_unset() {
    let config = parse(&[("MCP_AUTH_ISSUER", ""), ("MCP_AUTH_VERIFIER", "")]).unwrap();
    assert!(config.is_embedded());
    assert_eq!(config.verifier, None);
}

#[test]
fn bad_enumerations_name_the_variable_and_the_choices() {
    assert_eq!(
        error(&[("MCP_AUTH_VERIFIER", "x")]),
        r#"MCP_AUTH_VERIFIER must be one of userinfo, jwt, introspection (got "x")"#
    );
    assert_eq!(
        error(&[("MCP_AUTH_ISSUER_TYPE", "OIDC")]),
        r#"MCP_AUTH_ISSUER_TYPE must be one of oidc, oauth (got "OIDC")"#
    );
    assert_eq!(
        error(&[("MCP_AUTH_MODE", "legacy")]),
        r#"MCP_AUTH_MODE must be one of resource, authorization-server (got "legacy")"#
    );
}

#[test]
fn bad_addresses_name_the_variable() {
    assert_eq!(
        error(&[("MCP_BIND", "localhost:3001")]),
        r#"MCP_BIND must be an IP address and port such as 127.0.0.1:3001 (got "localhost:3001")"#
    );
    assert_eq!(
        error(&[("MCP_AUTH_DEV_BIND", "3000")]),
        r#"MCP_AUTH_DEV_BIND must be an IP address and port such as 127.0.0.1:3000 (got "3000")"#
    );
}

#[test]
fn bad_urls_name_the_variable() {
    let message = error(&[("MCP_AUTH_ISSUER", "http://auth.example.com")]);
    assert!(
        message.starts_with("MCP_AUTH_ISSUER is not a usable issuer URL: "),
        "{message}"
    );
    assert!(message.ends_with(r#"(got "http://auth.example.com")"#));

    let message = error(&[("MCP_AUTH_ISSUER", "not a url")]);
    assert!(message.starts_with("MCP_AUTH_ISSUER "), "{message}");

    let message = error(&[("MCP_RESOURCE", "http://mcp.example.com/mcp")]);
    assert!(
        message.starts_with("MCP_RESOURCE is not a usable resource URL: "),
        "{message}"
    );
    let message = error(&[("MCP_RESOURCE", "https://mcp.example.com/mcp#frag")]);
    assert!(message.contains("fragment"), "{message}");
}

#[test]
fn introspection_against_an_external_issuer_needs_credentials() {
    let external = ("MCP_AUTH_ISSUER", "https://auth.example.com");
    let message = error(&[external, ("MCP_AUTH_VERIFIER", "introspection")]);
    assert!(
        message.starts_with("MCP_AUTH_CLIENT_ID is required with MCP_AUTH_VERIFIER=introspection"),
        "{message}"
    );
    // The other verifiers need none.
    let config = parse(&[external, ("MCP_AUTH_VERIFIER", "jwt")]).unwrap();
    assert_eq!(config.client, None);
}

#[test]
fn client_id_and_secret_come_together() {
    assert_eq!(
        error(&[("MCP_AUTH_CLIENT_ID", "rs")]),
        "MCP_AUTH_CLIENT_SECRET is required when MCP_AUTH_CLIENT_ID is set"
    );
    assert_eq!(
        error(&[("MCP_AUTH_CLIENT_SECRET", "s")]),
        "MCP_AUTH_CLIENT_ID is required when MCP_AUTH_CLIENT_SECRET is set"
    );
}

#[test]
fn errors_are_one_line_and_escape_control_characters() {
    let message = error(&[("MCP_AUTH_VERIFIER", "jwt\nMCP_FAKE ok")]);
    assert!(!message.contains('\n'), "{message}");
    assert!(message.contains(r#"(got "jwt\nMCP_FAKE ok")"#), "{message}");
}

#[test]
fn the_last_pair_wins() {
    let config = parse(&[("MCP_AUTH_VERIFIER", "x"), ("MCP_AUTH_VERIFIER", "jwt")]).unwrap();
    assert_eq!(config.verifier, Some(VerifierKind::Jwt));
}

#[test]
fn an_unset_verifier_is_the_examples_default() {
    let config = parse(&[]).unwrap();
    let whoami = crate::Example::new("WhoAmI", "whoami");
    let todos =
        crate::Example::new("TodoManager", "get-todos").with_default_verifier(VerifierKind::Jwt);
    assert_eq!(config.verifier_for(&whoami), VerifierKind::Userinfo);
    assert_eq!(config.verifier_for(&todos), VerifierKind::Jwt);
    let config = parse(&[("MCP_AUTH_VERIFIER", "introspection")]).unwrap();
    assert_eq!(config.verifier_for(&todos), VerifierKind::Introspection);
}

#[test]
fn insecure_no_auth_is_read_and_named_in_errors() {
    for on in ["1", "true"] {
        let config = parse(&[("MCP_AUTH_INSECURE_NO_AUTH", on)]).unwrap();
        assert!(config.insecure_no_auth, "{on}");
    }
    for off in ["0", "false", ""] {
        let config = parse(&[("MCP_AUTH_INSECURE_NO_AUTH", off)]).unwrap();
        assert!(!config.insecure_no_auth, "{off:?}");
    }
    assert_eq!(
        error(&[("MCP_AUTH_INSECURE_NO_AUTH", "yes")]),
        r#"MCP_AUTH_INSECURE_NO_AUTH must be one of 1, true, 0, false (got "yes")"#
    );
}

#[test]
fn insecure_no_auth_is_refused_on_a_non_loopback_address() {
    let on = ("MCP_AUTH_INSECURE_NO_AUTH", "1");
    for bind in ["0.0.0.0:3001", "[::]:3001", "192.0.2.1:3001"] {
        let message = error(&[on, ("MCP_BIND", bind)]);
        assert!(
            message
                .starts_with("MCP_AUTH_INSECURE_NO_AUTH is only allowed with a loopback MCP_BIND"),
            "{message}"
        );
    }
    for bind in ["127.0.0.1:0", "[::1]:3001"] {
        assert!(parse(&[on, ("MCP_BIND", bind)]).unwrap().insecure_no_auth);
    }
    // Without it, any address may be bound.
    assert!(parse(&[("MCP_BIND", "0.0.0.0:3001")]).is_ok());
}
