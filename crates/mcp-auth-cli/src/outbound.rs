//! The HTTP client of the commands: `mcp_auth`'s [`HttpClient`] with its outbound policy
//! (`https`, or plain `http` to loopback; no redirects; size caps; a deadline).
//!
//! The host of the issuer named on the command line is allow-listed for private addresses (an
//! authorization server on an internal network, `https://keycloak.internal`): the user chose
//! it. Link-local and cloud-metadata addresses stay refused, and other hosts keep the strict
//! policy.

use std::time::Duration;

use mcp_auth::http_client::{HttpClient, OutboundPolicy};
use url::Url;

/// The deadline of one fetch: longer than the library default, for slow providers.
const DEADLINE: Duration = Duration::from_secs(15);

/// A client for talking to `issuer`.
pub(crate) fn client_for(issuer: &str) -> HttpClient {
    let mut policy = OutboundPolicy::default().with_deadline(DEADLINE);
    if let Some(host) = Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    {
        policy = policy.with_allowed_private_host(host);
    }
    HttpClient::with_policy(policy)
}

/// An error with its chain of causes (`error sending request: ...: Connection refused`), for
/// network failures whose top-level message says little.
pub(crate) fn with_causes(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    let mut depth = 0;
    while let Some(current) = cause {
        let part = current.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = current.source();
        depth += 1;
        if depth > 8 {
            break;
        }
    }
    text
}

/// Text from a peer, made safe to print: control characters replaced, at most `max` chars.
pub(crate) fn printable(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_host_is_allow_listed() {
        let client = client_for("https://10.0.0.5/realms/mcp");
        assert!(
            client
                .check_url("https://10.0.0.5/realms/mcp/protocol")
                .is_ok()
        );
        assert!(client.check_url("https://10.0.0.6/x").is_err());
        assert!(client.check_url("https://169.254.169.254/x").is_err());
    }

    #[test]
    fn printable_strips_controls_and_truncates() {
        assert_eq!(printable("a\x1b[31mb\nc", 100), "a [31mb c");
        assert_eq!(printable("abcdef", 3), "abc…");
    }
}
