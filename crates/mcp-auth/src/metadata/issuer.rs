//! Issuer identifiers (RFC 8414 §2).

use url::Url;

use crate::http_client::OutboundPolicy;

/// Checks an issuer identifier (RFC 8414 §2): an absolute `https` URL (plain `http` only for a
/// loopback host, for local development) without query, fragment or userinfo, whose host is not
/// a link-local or cloud-metadata address.
///
/// # Errors
///
/// Why the issuer is refused.
///
/// ```
/// use mcp_auth::metadata::check_issuer;
///
/// assert!(check_issuer("https://tenant.logto.app/oidc").is_ok());
/// assert!(check_issuer("http://localhost:3001/oidc").is_ok());
/// assert!(check_issuer("http://as.example.com").is_err());
/// assert!(check_issuer("https://as.example.com/?tenant=1").is_err());
/// ```
pub fn check_issuer(issuer: &str) -> Result<Url, &'static str> {
    let url = Url::parse(issuer).map_err(|_| "the issuer is not an absolute URL")?;
    OutboundPolicy::default().check_parsed(&url, false)?;
    if url.query().is_some() {
        return Err("the issuer must not contain a query");
    }
    if url.fragment().is_some() {
        return Err("the issuer must not contain a fragment");
    }
    Ok(url)
}
