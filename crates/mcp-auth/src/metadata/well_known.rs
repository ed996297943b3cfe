//! Well-known URLs of metadata documents (RFC 8615).
//!
//! * Protected-resource metadata: RFC 9728 §3.1 path *insertion*.
//! * Authorization-server metadata: RFC 8414 §3.1 path *insertion*
//!   (`/.well-known/oauth-authorization-server`), OpenID Connect Discovery 1.0 §4.1 path
//!   *appending* (`/.well-known/openid-configuration`), and the insertion variant of the latter
//!   that RFC 8414 §5 describes for compatibility.
//!
//! ```
//! use mcp_auth::metadata::well_known::{discovery_urls, protected_resource_metadata_url};
//! use url::Url;
//!
//! let resource = Url::parse("https://api.example.com/mcp").unwrap();
//! assert_eq!(
//!     protected_resource_metadata_url(&resource).as_str(),
//!     "https://api.example.com/.well-known/oauth-protected-resource/mcp"
//! );
//!
//! let issuer = Url::parse("https://auth.example.com/tenant1").unwrap();
//! let urls: Vec<String> = discovery_urls(&issuer, None).into_iter().map(String::from).collect();
//! assert_eq!(urls, [
//!     "https://auth.example.com/.well-known/oauth-authorization-server/tenant1",
//!     "https://auth.example.com/.well-known/openid-configuration/tenant1",
//!     "https://auth.example.com/tenant1/.well-known/openid-configuration",
//! ]);
//! ```

use url::Url;

use crate::discovery::AuthServerType;

/// The RFC 9728 well-known suffix.
pub const OAUTH_PROTECTED_RESOURCE: &str = "/.well-known/oauth-protected-resource";
/// The RFC 8414 well-known suffix.
pub const OAUTH_AUTHORIZATION_SERVER: &str = "/.well-known/oauth-authorization-server";
/// The OpenID Connect Discovery well-known suffix.
pub const OPENID_CONFIGURATION: &str = "/.well-known/openid-configuration";

/// `base` with `path` and no query or fragment.
fn with_path(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    url.set_path(path);
    url.set_query(None);
    url.set_fragment(None);
    url
}

/// The issuer's path without terminating slashes (empty for a root issuer).
fn issuer_path(issuer: &Url) -> &str {
    issuer.path().trim_end_matches('/')
}

/// The protected-resource metadata URL of `resource` (RFC 9728 §3.1): the well-known suffix is
/// inserted between the host and the path. A root resource (`https://host` or `https://host/`)
/// gives `https://host/.well-known/oauth-protected-resource`; a trailing slash of a longer path
/// is kept (`/mcp/` gives `…/oauth-protected-resource/mcp/`). Query and fragment are dropped,
/// like the reference SDKs do (a resource identifier should have neither, RFC 8707 §2).
#[must_use]
pub fn protected_resource_metadata_url(resource: &Url) -> Url {
    let path = resource.path();
    if path.is_empty() || path == "/" {
        with_path(resource, OAUTH_PROTECTED_RESOURCE)
    } else {
        with_path(resource, &format!("{OAUTH_PROTECTED_RESOURCE}{path}"))
    }
}

/// The RFC 8414 §3.1 metadata URL: `/.well-known/oauth-authorization-server` inserted between
/// the host and the issuer's path (terminating slashes removed).
#[must_use]
pub fn oauth_authorization_server_url(issuer: &Url) -> Url {
    with_path(
        issuer,
        &format!("{OAUTH_AUTHORIZATION_SERVER}{}", issuer_path(issuer)),
    )
}

/// The OpenID configuration URL with the suffix *inserted* between host and path (RFC 8414
/// §5; the MCP authorization spec's second choice).
#[must_use]
pub fn openid_configuration_url_inserted(issuer: &Url) -> Url {
    with_path(
        issuer,
        &format!("{OPENID_CONFIGURATION}{}", issuer_path(issuer)),
    )
}

/// The OpenID configuration URL with the suffix *appended* to the issuer's path (OpenID
/// Connect Discovery 1.0 §4.1: terminating slashes are removed first).
#[must_use]
pub fn openid_configuration_url_appended(issuer: &Url) -> Url {
    with_path(
        issuer,
        &format!("{}{OPENID_CONFIGURATION}", issuer_path(issuer)),
    )
}

/// The metadata URLs to try for `issuer`, in order.
///
/// * `Some(AuthServerType::OAuth)`: RFC 8414 insertion only.
/// * `Some(AuthServerType::Oidc)`: OpenID Connect appending only (as the reference SDKs do).
/// * `None`: the MCP authorization spec's order, RFC 8414 insertion, then OpenID insertion,
///   then OpenID appending; duplicates (a root issuer) are listed once.
#[must_use]
pub fn discovery_urls(issuer: &Url, server_type: Option<AuthServerType>) -> Vec<Url> {
    match server_type {
        Some(AuthServerType::OAuth) => vec![oauth_authorization_server_url(issuer)],
        Some(AuthServerType::Oidc) => vec![openid_configuration_url_appended(issuer)],
        None => {
            let mut urls = Vec::with_capacity(3);
            for url in [
                oauth_authorization_server_url(issuer),
                openid_configuration_url_inserted(issuer),
                openid_configuration_url_appended(issuer),
            ] {
                if !urls.contains(&url) {
                    urls.push(url);
                }
            }
            urls
        }
    }
}

/// The kind of metadata document `url` names by its well-known suffix, if any.
#[must_use]
pub fn server_type_of_url(url: &Url) -> Option<AuthServerType> {
    let path = url.path();
    if path.contains(OAUTH_AUTHORIZATION_SERVER) {
        Some(AuthServerType::OAuth)
    } else if path.contains(OPENID_CONFIGURATION) {
        Some(AuthServerType::Oidc)
    } else {
        None
    }
}
