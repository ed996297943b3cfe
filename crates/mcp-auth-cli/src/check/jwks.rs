//! The JWKS requirement: fetch `jwks_uri` and count the keys `mcp_auth` can verify with
//! ([`JwkSet`]: RFC 7517 §5, unusable keys ignored).

use mcp_auth::http_client::{FetchError, HttpClient};
use mcp_auth::metadata::AuthorizationServerMetadata;
use mcp_auth::verify::JwkSet;
use serde_json::Value;

use super::report::{Cause, Check, JwksSummary, Level};
use crate::outbound::printable;

/// The largest JWKS read.
const MAX_JWKS_BYTES: usize = 256 * 1024;

/// The finding, and what the set holds when it was fetched.
pub(crate) async fn check(
    metadata: &AuthorizationServerMetadata,
    http: &HttpClient,
) -> (Check, Option<JwksSummary>) {
    let Some(uri) = metadata.jwks_uri.as_deref() else {
        return (
            Check::new(
                "jwks",
                "JWKS",
                Level::Warning,
                "no jwks_uri: JWT access tokens cannot be verified with the provider's keys \
                 (verify tokens by introspection or userinfo instead)",
            ),
            None,
        );
    };
    let shown = printable(uri, 200);
    let response = match http.get(uri, MAX_JWKS_BYTES).await {
        Ok(response) => response,
        Err(error) => {
            let check = Check::new(
                "jwks",
                "JWKS",
                Level::Error,
                format!(
                    "could not be fetched: {}",
                    printable(&crate::outbound::with_causes(&error), 300)
                ),
            );
            let check = match error {
                FetchError::Network { .. } | FetchError::Timeout { .. } => {
                    check.with_cause(Cause::Unavailable)
                }
                FetchError::Status { status, .. } if status.is_server_error() => {
                    check.with_cause(Cause::Unavailable)
                }
                _ => check,
            };
            return (check, None);
        }
    };
    let published = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|doc| doc.get("keys").and_then(Value::as_array).map(Vec::len));
    match JwkSet::from_json(&response.body) {
        Err(error) => (
            Check::new("jwks", "JWKS", Level::Error, format!("{shown}: {error}")),
            None,
        ),
        Ok(set) => {
            let summary = JwksSummary {
                uri: uri.to_owned(),
                published: published.unwrap_or(set.len()),
                usable: set.len(),
                key_ids: set.key_ids().map(|kid| printable(kid, 80)).collect(),
            };
            let check = if set.is_empty() {
                Check::new(
                    "jwks",
                    "JWKS",
                    Level::Error,
                    format!(
                        "{shown}: none of the {} published key(s) can verify signatures \
                         (symmetric, weak, malformed or not for `sig`)",
                        summary.published
                    ),
                )
            } else {
                let kids = if summary.key_ids.is_empty() {
                    String::new()
                } else {
                    format!("; kid {}", summary.key_ids.join(", "))
                };
                Check::new(
                    "jwks",
                    "JWKS",
                    Level::Ok,
                    format!(
                        "{} usable signing key(s) of {} published at {shown}{kids}",
                        summary.usable, summary.published
                    ),
                )
            };
            (check, Some(summary))
        }
    }
}
