//! Configuration checks of the resource identifier (RFC 9728 §1.2, RFC 8707 §2) and of pinned
//! issuer identifiers (RFC 8414 §2).

use std::net::IpAddr;

use url::{Host, Url};

use crate::error::ConfigError;

fn invalid(url: &str, reason: &'static str) -> ConfigError {
    ConfigError::InvalidUrl {
        url: url.to_owned(),
        reason,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

fn parse(text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text).map_err(|_| invalid(text, "not an absolute URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                text,
                "must use https (http only on loopback hosts)",
            ));
        }
        _ => return Err(invalid(text, "must be an https URL")),
    }
    if !url.has_host() {
        return Err(invalid(text, "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(text, "must not contain userinfo"));
    }
    if url.fragment().is_some() || text.contains('#') {
        return Err(invalid(text, "must not contain a fragment"));
    }
    Ok(url)
}

/// The resource identifier: absolute `https` (or loopback `http`), no userinfo, no fragment.
pub(crate) fn validate(resource: &str) -> Result<(), ConfigError> {
    parse(resource).map(|_| ())
}

/// A pinned issuer: as a resource identifier, and without a query (RFC 8414 §2).
pub(crate) fn validate_issuer(issuer: &str) -> Result<(), ConfigError> {
    let url = parse(issuer)?;
    if url.query().is_some() {
        return Err(invalid(issuer, "an issuer must not contain a query"));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn resource_identifiers() {
        for ok in [
            "https://api.example.com/mcp",
            "https://api.example.com",
            "http://127.0.0.1:8080/mcp",
            "http://localhost/mcp",
            "http://[::1]:3000/",
            "https://api.example.com/mcp?tenant=1",
        ] {
            assert!(validate(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/mcp",
            "api.example.com/mcp",
            "http://api.example.com/mcp",
            "ftp://api.example.com/",
            "https://u:p@api.example.com/mcp",
            "https://api.example.com/mcp#frag",
            "https://api.example.com/mcp#",
            "urn:example:mcp",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
        assert!(validate_issuer("https://as.example.com/tenant").is_ok());
        assert!(validate_issuer("https://as.example.com/?x=1").is_err());
    }
}
