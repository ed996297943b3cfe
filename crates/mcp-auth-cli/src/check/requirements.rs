//! The requirements, one finding each, from the metadata and
//! [`validate_for_mcp`](mcp_auth::metadata::validate_for_mcp).

use mcp_auth::AuthServerConfig;
use mcp_auth::AuthServerType;
use mcp_auth::http_client::HttpClient;
use mcp_auth::metadata::{AuthorizationServerMetadata, ValidationCode, ValidationReport};
use serde_json::Value;

use super::jwks;
use super::report::{Cause, Check, Level, Outcome, Report, Validation};
use crate::outbound::printable;

/// No document was found: one finding that says why.
pub(crate) fn not_found(report: &mut Report) {
    let outcomes: Vec<Outcome> = report.attempts.iter().map(|a| a.outcome).collect();
    let tried = report.attempts.len();
    let check = if outcomes.contains(&Outcome::Refused) {
        Check::new(
            "metadata",
            "metadata",
            Level::Error,
            "the outbound policy refused the metadata URL (https required; plain http only \
             to loopback; never link-local or cloud-metadata addresses)",
        )
        .with_cause(Cause::Refused)
    } else if outcomes.last() == Some(&Outcome::Unavailable)
        && !outcomes.contains(&Outcome::Invalid)
    {
        Check::new(
            "metadata",
            "metadata",
            Level::Error,
            "the authorization server could not be reached or is failing; nothing was checked",
        )
        .with_cause(Cause::Unavailable)
    } else if outcomes.contains(&Outcome::Invalid) {
        Check::new(
            "metadata",
            "metadata",
            Level::Error,
            "a metadata document was found but is not valid RFC 8414 / OpenID metadata",
        )
    } else {
        Check::new(
            "metadata",
            "metadata",
            Level::Error,
            format!(
                "no metadata document at any of the {tried} well-known URL(s) tried: MCP \
                 clients discover the authorization server there"
            ),
        )
    };
    report.push(check);
}

/// Every requirement, in report order.
pub(crate) async fn evaluate(report: &mut Report, config: &AuthServerConfig, http: &HttpClient) {
    let metadata = &config.metadata;
    let found = report
        .attempts
        .iter()
        .find(|a| matches!(a.outcome, Outcome::Found | Outcome::IssuerMismatch))
        .map(|a| a.url.clone());
    report.metadata_type = config.server_type;
    let rule = match config.server_type {
        Some(AuthServerType::OAuth) => " (RFC 8414)",
        Some(AuthServerType::Oidc) => " (OpenID Connect Discovery)",
        _ => "",
    };
    report.push(Check::new(
        "metadata",
        "metadata",
        Level::Ok,
        format!("found at {}{rule}", found.as_deref().unwrap_or("?")),
    ));
    report.metadata_url = found;
    report.push(issuer(&report.issuer, metadata));

    let validation = mcp_auth::metadata::validate_for_mcp(metadata);
    report.validation = Some(Validation::from(&validation));
    for check in from_validation(&validation, metadata) {
        report.push(check);
    }
    report.push(resource_indicators(metadata));
    if metadata.issuer == report.issuer {
        let (check, summary) = jwks::check(metadata, http).await;
        report.jwks = summary;
        report.push(check);
    } else {
        // Battery I01: a document for another issuer is never trusted, so its keys are not
        // fetched.
        report.push(Check::new(
            "jwks",
            "JWKS",
            Level::Info,
            "not fetched: the document belongs to another issuer (RFC 8414 §3.3)",
        ));
    }
    report.push(userinfo(metadata));
    report.push(iss_parameter(metadata));
}

fn issuer(requested: &str, metadata: &AuthorizationServerMetadata) -> Check {
    if metadata.issuer == requested {
        return Check::new(
            "issuer",
            "issuer",
            Level::Ok,
            "the document's `issuer` equals the requested issuer (RFC 8414 §3.3)",
        );
    }
    let named = printable(&metadata.issuer, 200);
    let mut message = format!(
        "the document names `{named}`, not `{requested}`: RFC 8414 §3.3 requires them to be \
         identical, so clients and `mcp_auth` refuse this metadata"
    );
    if metadata.issuer.trim_end_matches('/') == requested.trim_end_matches('/') {
        message.push_str(&format!(" (only a trailing slash differs: try `{named}`)"));
    }
    Check::new("issuer", "issuer", Level::Error, message)
}

/// A requirement made of `validate_for_mcp` codes.
struct Requirement {
    id: &'static str,
    label: &'static str,
    codes: &'static [ValidationCode],
}

const REQUIREMENTS: &[Requirement] = {
    use ValidationCode as C;
    &[
        Requirement {
            id: "metadata_valid",
            label: "well-formed",
            codes: &[C::ServerMetadataValid, C::InvalidServerMetadata],
        },
        Requirement {
            id: "code_flow",
            label: "code flow",
            codes: &[
                C::CodeResponseTypeSupported,
                C::CodeResponseTypeNotSupported,
                C::AuthorizationCodeGrantSupported,
                C::AuthorizationCodeGrantNotSupported,
            ],
        },
        Requirement {
            id: "pkce",
            label: "PKCE S256",
            codes: &[
                C::PkceSupported,
                C::PkceNotSupported,
                C::S256CodeChallengeMethodSupported,
                C::S256CodeChallengeMethodNotSupported,
            ],
        },
        Requirement {
            id: "registration",
            label: "registration",
            codes: &[
                C::DynamicRegistrationSupported,
                C::ClientIdMetadataDocumentSupported,
                C::DynamicRegistrationNotSupported,
                C::ClientRegistrationNotSupported,
            ],
        },
    ]
};

/// The findings of the report grouped into requirements; codes no requirement names (added
/// to the library later) get a line of their own.
fn from_validation(
    report: &ValidationReport,
    metadata: &AuthorizationServerMetadata,
) -> Vec<Check> {
    let all = || {
        report
            .errors()
            .iter()
            .map(|f| (Level::Error, f))
            .chain(report.warnings().iter().map(|f| (Level::Warning, f)))
            .chain(report.successes().iter().map(|f| (Level::Ok, f)))
    };
    let mut checks = Vec::new();
    for requirement in REQUIREMENTS {
        let findings: Vec<_> = all()
            .filter(|(_, f)| requirement.codes.contains(&f.code()))
            .collect();
        let Some(level) = findings.iter().map(|(level, _)| *level).max() else {
            continue;
        };
        let message = if level == Level::Ok {
            success_message(requirement.id, metadata)
        } else if requirement.id == "registration" && level == Level::Warning {
            "neither Dynamic Client Registration (no registration_endpoint) nor Client ID \
             Metadata Documents: MCP clients need a pre-registered client id"
                .to_owned()
        } else {
            findings
                .iter()
                .filter(|(l, _)| *l == level)
                .map(|(_, f)| f.description().to_owned())
                .collect::<Vec<_>>()
                .join("; ")
        };
        let codes = findings.iter().map(|(_, f)| f.code().as_str()).collect();
        checks
            .push(Check::new(requirement.id, requirement.label, level, message).with_codes(codes));
    }
    for (level, finding) in all() {
        if !REQUIREMENTS
            .iter()
            .any(|r| r.codes.contains(&finding.code()))
        {
            checks.push(
                Check::new("other", "other", level, finding.description().to_owned())
                    .with_codes(vec![finding.code().as_str()]),
            );
        }
    }
    checks
}

fn success_message(id: &str, metadata: &AuthorizationServerMetadata) -> String {
    let list = |values: &Option<Vec<String>>| {
        values
            .as_deref()
            .map(|v| printable(&v.join(", "), 200))
            .unwrap_or_default()
    };
    match id {
        "metadata_valid" => {
            "authorization and token endpoints present; endpoints use https (or loopback http)"
                .to_owned()
        }
        "code_flow" => format!(
            "`code` response type and `authorization_code` grant supported (grants: {})",
            printable(&metadata.grant_types_or_default().join(", "), 200)
        ),
        "pkce" => format!(
            "S256 supported (code_challenge_methods_supported: {})",
            list(&metadata.code_challenge_methods_supported)
        ),
        "registration" => {
            let dcr = metadata
                .registration_endpoint
                .as_deref()
                .map(|url| format!("Dynamic Client Registration at {}", printable(url, 200)));
            let cimd = (metadata.client_id_metadata_document_supported == Some(true))
                .then(|| "Client ID Metadata Documents".to_owned());
            [dcr, cimd]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ")
        }
        _ => "supported".to_owned(),
    }
}

/// RFC 8707 defines no metadata member; some servers advertise `resource_indicators_supported`
/// or list `protected_resources` (RFC 9728 §4). Absence is only a note.
fn resource_indicators(metadata: &AuthorizationServerMetadata) -> Check {
    let flag = metadata.extra.get("resource_indicators_supported") == Some(&Value::Bool(true));
    if flag {
        return Check::new(
            "resource_indicators",
            "resource indicators",
            Level::Ok,
            "advertised (resource_indicators_supported): tokens can be bound to your MCP server \
             with `resource` (RFC 8707)",
        );
    }
    if let Some(resources) = metadata
        .protected_resources
        .as_deref()
        .filter(|r| !r.is_empty())
    {
        return Check::new(
            "resource_indicators",
            "resource indicators",
            Level::Ok,
            format!(
                "protected_resources listed (RFC 9728 §4): {}",
                printable(&resources.join(", "), 200)
            ),
        );
    }
    Check::new(
        "resource_indicators",
        "resource indicators",
        Level::Info,
        "not advertised (few providers do; RFC 8707 defines no metadata member): check that \
         tokens carry `aud` = your MCP server with `mcp-auth token --resource URL ...`",
    )
}

fn userinfo(metadata: &AuthorizationServerMetadata) -> Check {
    match metadata.userinfo_endpoint.as_deref() {
        Some(url) => Check::new(
            "userinfo",
            "userinfo",
            Level::Ok,
            format!("endpoint at {}", printable(url, 200)),
        ),
        None => Check::new(
            "userinfo",
            "userinfo",
            Level::Info,
            "no userinfo_endpoint: opaque tokens cannot be verified with mcp_auth's \
             UserinfoVerifier (JWT access tokens and introspection are unaffected)",
        ),
    }
}

fn iss_parameter(metadata: &AuthorizationServerMetadata) -> Check {
    if metadata.authorization_response_iss_parameter_supported == Some(true) {
        Check::new(
            "iss_parameter",
            "iss parameter",
            Level::Ok,
            "authorization responses carry `iss` (RFC 9207): clients can detect mix-up attacks",
        )
    } else {
        Check::new(
            "iss_parameter",
            "iss parameter",
            Level::Info,
            "authorization_response_iss_parameter_supported not advertised (RFC 9207): clients \
             cannot use `iss` against mix-up attacks",
        )
    }
}
