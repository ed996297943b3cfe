//! Redirect URIs (RFC 6749 §3.1.2): which ones a client may register, and how a presented one
//! is matched against the registered ones.
//!
//! * Matching is exact string comparison (RFC 9700 §4.1.3, OAuth 2.1 §2.3.1), with one
//!   exception: for an `http` redirect URI on a loopback host (`127.0.0.1` and the rest of
//!   `127.0.0.0/8`, `[::1]`, `localhost`), the port may differ, because native apps listen on an
//!   ephemeral port (RFC 8252 §7.3). Scheme, host (as written), path and query must still be
//!   identical, and neither URI may have a fragment or user information.
//! * Registration (RFC 7591 and Client ID Metadata Documents) accepts `https` URIs, `http` on a
//!   loopback host (RFC 8252 §7.3), and private-use schemes of native apps (`com.example.app:/cb`,
//!   RFC 8252 §7.1) except schemes a browser would run or read locally (`javascript`, `data`,
//!   `file`, ...). No fragment (RFC 6749 §3.1.2), no user information, at most 2 048 bytes.

use std::net::IpAddr;

use url::{Host, Url};

/// Longest redirect URI accepted.
pub(crate) const MAX_LEN: usize = 2048;

/// Schemes never accepted for a redirect URI: they run code, read local data, or are not
/// navigations at all.
const FORBIDDEN_SCHEMES: [&str; 8] = [
    "javascript",
    "data",
    "file",
    "vbscript",
    "blob",
    "about",
    "ws",
    "wss",
];

/// Whether `presented` matches `registered` (see the module docs).
pub(crate) fn matches(registered: &str, presented: &str) -> bool {
    if registered == presented {
        return true;
    }
    let (Ok(registered), Ok(presented)) = (Url::parse(registered), Url::parse(presented)) else {
        return false;
    };
    is_loopback_http(&registered)
        && is_loopback_http(&presented)
        && registered.host_str() == presented.host_str()
        && registered.path() == presented.path()
        && registered.query() == presented.query()
        && registered.fragment().is_none()
        && presented.fragment().is_none()
        && presented.username().is_empty()
        && presented.password().is_none()
}

/// Whether `url` is `http` on a loopback host.
pub(crate) fn is_loopback_http(url: &Url) -> bool {
    url.scheme() == "http" && is_loopback_host(url)
}

/// Whether the host of `url` is a loopback address or `localhost`.
pub(crate) fn is_loopback_host(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks a redirect URI a client registers (see the module docs); `Err` says why not.
pub(crate) fn check_registrable(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_LEN {
        return Err("a redirect URI is longer than 2048 bytes".into());
    }
    let url = Url::parse(uri).map_err(|_| format!("`{uri}` is not an absolute URI"))?;
    if url.fragment().is_some() {
        return Err(format!("`{uri}` has a fragment (RFC 6749 section 3.1.2)"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("`{uri}` has user information"));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(()),
        "https" => Err(format!("`{uri}` has no host")),
        "http" if is_loopback_host(&url) => Ok(()),
        "http" => Err(format!(
            "`{uri}`: plain http is only allowed for loopback redirect URIs (RFC 8252 section 7.3); use https"
        )),
        scheme if FORBIDDEN_SCHEMES.contains(&scheme) => Err(format!(
            "the `{scheme}` scheme is not allowed for redirect URIs"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_and_loopback_ports() {
        let inspector = "http://localhost:6274/oauth/callback";
        assert!(matches(inspector, inspector));
        assert!(matches(inspector, "http://localhost:6276/oauth/callback"));
        assert!(matches(inspector, "http://localhost/oauth/callback"));
        assert!(matches("http://127.0.0.1/cb", "http://127.0.0.1:49152/cb"));
        assert!(matches("http://[::1]:1/cb?x=1", "http://[::1]:2/cb?x=1"));
        for other in [
            "http://localhost:6274/oauth/callback/",
            "http://localhost:6274/oauth/Callback",
            "http://localhost:6274/oauth/callback?x=1",
            "http://localhost:6274/oauth/callback#f",
            "http://127.0.0.1:6274/oauth/callback",
            "https://localhost:6274/oauth/callback",
            "http://user@localhost:6274/oauth/callback",
            "http://localhost.evil.example:6274/oauth/callback",
        ] {
            assert!(!matches(inspector, other), "{other}");
        }
        // Not loopback: exact only.
        let web = "https://app.example.com/cb";
        assert!(!matches(web, "https://app.example.com:8443/cb"));
        assert!(!matches(web, "https://APP.example.com/cb"));
    }

    #[test]
    fn registrable_uris() {
        for good in [
            "https://app.example.com/cb",
            "http://127.0.0.1:9999/callback",
            "http://localhost/cb",
            "http://[::1]:8080/cb",
            "com.example.app:/oauth2redirect",
            "cursor://anysphere.cursor-retrieval/oauth/callback",
        ] {
            assert!(check_registrable(good).is_ok(), "{good}");
        }
        for bad in [
            "/relative",
            "http://app.example.com/cb",
            "http://10.0.0.1/cb",
            "https://app.example.com/cb#x",
            "https://user:pw@app.example.com/cb",
            "javascript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
        ] {
            assert!(check_registrable(bad).is_err(), "{bad}");
        }
        assert!(check_registrable(&format!("https://a.example/{}", "x".repeat(MAX_LEN))).is_err());
    }
}
