//! `mcp-auth check <issuer>`: discovery, then the MCP requirements, one line each.
//!
//! Discovery walks the well-known URLs of `mcp_auth` ([`Discovery::urls`]: RFC 8414 path
//! insertion, OpenID Connect insertion, OpenID Connect appending, or one rule with `--type`)
//! and fetches each with the library's checks, so every URL tried is reported with its
//! outcome. Unlike the library, a document whose `issuer` is not the requested one is kept for
//! the rest of the report (the mismatch is an error line of its own), so a misconfigured
//! provider gets a complete diagnosis.

use mcp_auth::AuthServerConfig;
use mcp_auth::discovery::{Discovery, DiscoveryErrorKind};
use mcp_auth::http_client::{FetchError, HttpClient};

use crate::cli::CheckArgs;
use crate::exit::{Exit, Failure};
use crate::outbound;
use crate::style::Style;

mod jwks;
mod render;
mod report;
mod requirements;

use report::{Attempt, Outcome, Report};

/// Runs the check and prints the report.
pub(crate) async fn run(args: CheckArgs, out: &Style) -> Result<Exit, Failure> {
    let report = check(&args.issuer, args.server_type.map(Into::into)).await?;
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|e| Failure::usage(format!("cannot write the report as JSON: {e}")))?;
        println!("{json}");
    } else {
        print!("{}", render::text(&report, *out));
    }
    Ok(report.exit())
}

/// Discovers and checks `issuer`.
async fn check(
    issuer: &str,
    server_type: Option<mcp_auth::AuthServerType>,
) -> Result<Report, Failure> {
    let mut discovery = Discovery::new(issuer).map_err(|e| {
        Failure::usage(e.to_string()).with_hint(
            "an issuer is an https URL (plain http only on a loopback host) without query or \
             fragment, spelled exactly as the provider's `issuer`",
        )
    })?;
    if let Some(server_type) = server_type {
        discovery = discovery.with_type(server_type);
    }
    let http = outbound::client_for(issuer);
    let (attempts, document) = discover(issuer, &discovery, &http).await;
    let mut report = Report::new(issuer, server_type, attempts);
    if let Some(config) = document {
        requirements::evaluate(&mut report, &config, &http).await;
    } else {
        requirements::not_found(&mut report);
    }
    Ok(report)
}

/// Tries each URL in order. Returns every attempt and the document to check: the first whose
/// issuer matches, else the first with another issuer.
async fn discover(
    issuer: &str,
    discovery: &Discovery,
    http: &HttpClient,
) -> (Vec<Attempt>, Option<AuthServerConfig>) {
    let mut attempts = Vec::new();
    let mut mismatched: Option<AuthServerConfig> = None;
    for url in discovery.urls() {
        let url = url.as_str();
        let fetched = match Discovery::for_well_known_url(url, None) {
            Ok(single) => single.with_http_client(http.clone()).fetch().await,
            Err(error) => Err(error),
        };
        match fetched {
            Ok(config) if config.metadata.issuer == issuer => {
                attempts.push(Attempt::new(url, Outcome::Found, "metadata found"));
                return (attempts, Some(config));
            }
            Ok(config) => {
                attempts.push(Attempt::new(
                    url,
                    Outcome::IssuerMismatch,
                    format!(
                        "the document's issuer is `{}`, not `{issuer}`",
                        outbound::printable(&config.metadata.issuer, 200)
                    ),
                ));
                mismatched.get_or_insert(config);
            }
            Err(error) => {
                let first = error.attempts().first();
                let reason = match first {
                    Some(attempt) => match attempt.fetch_error() {
                        Some(fetch) => outbound::with_causes(fetch),
                        None => attempt.reason().to_owned(),
                    },
                    None => error.to_string(),
                };
                // The URL is on the line already.
                let reason = reason.replace(&format!("`{url}`"), "it");
                let stop = first.and_then(|a| a.fetch_error()).is_some_and(|e| {
                    matches!(
                        e,
                        FetchError::Refused { .. }
                            | FetchError::Network { .. }
                            | FetchError::Timeout { .. }
                    )
                });
                let outcome = match error.kind() {
                    DiscoveryErrorKind::NoDocument => Outcome::NotFound,
                    DiscoveryErrorKind::Unavailable => Outcome::Unavailable,
                    DiscoveryErrorKind::Refused => Outcome::Refused,
                    _ => Outcome::Invalid,
                };
                attempts.push(Attempt::new(
                    url,
                    outcome,
                    outbound::printable(&reason, 400),
                ));
                // Like the library: a connection failure, timeout or refusal stops the search
                // (the other URLs are on the same host).
                if stop {
                    break;
                }
            }
        }
    }
    (attempts, mismatched)
}
