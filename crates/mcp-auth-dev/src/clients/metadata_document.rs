//! Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; MCP
//! authorization, "Client ID Metadata Documents"): a `client_id` that is a URL names a JSON
//! document describing the client, which the server fetches.
//!
//! * The URL must be `https` — or, in development, plain `http` to a loopback host — with a
//!   path other than `/`, without fragment, user information or dot segments (draft §3).
//! * It is fetched with [`mcp_auth::http_client::HttpClient`]: the same outbound guards as the
//!   core crate (no redirects followed, private and link-local addresses refused, one deadline,
//!   a 16 KiB size cap).
//! * The document must be a JSON object whose `client_id` equals the URL exactly (string
//!   comparison, MCP "Client Registration": MUST), and must be valid client metadata for a
//!   public client ([`ClientMetadata`]).
//! * A valid document is cached for its `Cache-Control: max-age` (at most five minutes, one
//!   minute without one; `no-store` and `no-cache` are not cached). Failures are not cached.

use mcp_auth::http_client::HttpClient;
use serde_json::Value;
use url::Url;

use super::registration::{ClientMetadata, Source};
use super::{Client, ClientKind, redirect_uri};

/// Largest document read.
pub(crate) const MAX_DOCUMENT: usize = 16 * 1024;
/// Cache lifetime without `Cache-Control: max-age`, in seconds.
const DEFAULT_TTL: i64 = 60;
/// Longest cache lifetime, in seconds.
const MAX_TTL: i64 = 300;

/// Whether `client_id` is URL-shaped, so it names a metadata document rather than a
/// registered client.
pub(crate) fn is_document_url(client_id: &str) -> bool {
    client_id.starts_with("https://") || client_id.starts_with("http://")
}

/// Checks the shape of a `client_id` URL (draft §3); `Err` says why it is refused.
pub(crate) fn check_url(client_id: &str) -> Result<Url, String> {
    let url = Url::parse(client_id).map_err(|_| "the client_id is not a valid URL".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if redirect_uri::is_loopback_host(&url) => {}
        _ => {
            return Err(
                "a client_id URL must use https (plain http only on a loopback host)".into(),
            );
        }
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err("a client_id URL must not have a fragment or user information".into());
    }
    if url.path() == "/" {
        return Err("a client_id URL must have a path".into());
    }
    let dot_segment = client_id
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .split('/')
        .any(|segment| segment == "." || segment == "..");
    if dot_segment {
        return Err("a client_id URL must not contain . or .. path segments".into());
    }
    Ok(url)
}

/// Fetches and validates the document of `client_id`; returns the client and how long it may be
/// cached (seconds).
pub(crate) async fn fetch(
    http: &HttpClient,
    client_id: &str,
    scopes_supported: &[String],
) -> Result<(Client, i64), String> {
    check_url(client_id)?;
    let response = http
        .get(client_id, MAX_DOCUMENT)
        .await
        .map_err(|e| format!("the client metadata document could not be fetched: {e}"))?;
    let document: Value = serde_json::from_slice(&response.body)
        .map_err(|_| "the client metadata document is not JSON".to_owned())?;
    match document.get("client_id").and_then(Value::as_str) {
        Some(id) if id == client_id => {}
        _ => {
            return Err(
                "the client_id in the client metadata document does not equal its URL".into(),
            );
        }
    }
    let metadata = ClientMetadata::parse(&document, Source::MetadataDocument, scopes_supported)
        .map_err(|e| format!("the client metadata document is invalid: {}", e.description))?;
    let client = metadata.into_client(ClientKind::MetadataDocument, client_id.to_owned(), None);
    let ttl = cache_ttl(
        response
            .headers
            .get_all(http::header::CACHE_CONTROL)
            .iter()
            .filter_map(|v| v.to_str().ok()),
    );
    Ok((client, ttl))
}

/// How long to cache a document given its `Cache-Control` fields (RFC 9111 §5.2.2).
fn cache_ttl<'a>(fields: impl Iterator<Item = &'a str>) -> i64 {
    let mut ttl = DEFAULT_TTL;
    for directive in fields.flat_map(|f| f.split(',')).map(str::trim) {
        let lower = directive.to_ascii_lowercase();
        if lower == "no-store" || lower == "no-cache" {
            return 0;
        }
        if let Some(seconds) = lower.strip_prefix("max-age=") {
            ttl = seconds.trim_matches('"').parse::<i64>().unwrap_or(0);
        }
    }
    ttl.clamp(0, MAX_TTL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_urls() {
        for good in [
            "https://app.example.com/oauth/client.json",
            "http://127.0.0.1:8080/client.json",
            "http://localhost/client",
        ] {
            assert!(check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "https://app.example.com",
            "https://app.example.com/",
            "http://app.example.com/client.json",
            "https://app.example.com/a/../client.json",
            "https://app.example.com/./client.json",
            "https://app.example.com/client.json#x",
            "https://u:p@app.example.com/client.json",
            "ftp://app.example.com/client.json",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cache_lifetimes() {
        assert_eq!(cache_ttl(std::iter::empty()), DEFAULT_TTL);
        assert_eq!(cache_ttl(["public, max-age=30"].into_iter()), 30);
        assert_eq!(cache_ttl(["max-age=86400"].into_iter()), MAX_TTL);
        assert_eq!(cache_ttl(["max-age=60", "no-store"].into_iter()), 0);
        assert_eq!(cache_ttl(["no-cache"].into_iter()), 0);
        assert_eq!(cache_ttl(["max-age=bogus"].into_iter()), 0);
    }
}
