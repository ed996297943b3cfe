//! Audience matching (RFC 7519 §4.1.3, RFC 8707 §2, RFC 9068 §4).
//!
//! A token's `aud` must contain this resource's identifier. URIs are compared after the
//! syntax-based normalization of RFC 3986 §6.2.2.1 and §6.2.3 **only**:
//! * scheme and host compare case-insensitively (ASCII);
//! * an explicit default port (`:443` for `https`, `:80` for `http`) or an empty port equals no
//!   port;
//! * an empty path equals `/`.
//!
//! Paths and queries compare exactly (`https://h/mcp/` is not `https://h/mcp`, percent-encoding
//! and dot segments are not normalized), a fragment or userinfo never matches, and no Unicode
//! normalization happens (RFC 9728 §6). Configured extra audiences that are not URLs (an API
//! identifier, a client id) compare as exact strings.
//!
//! Comparison allocates nothing: both sides are split into borrowed parts.

use crate::error::ConfigError;

/// The parts of an absolute `scheme://authority[path][?query]` URI that take part in matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct UriParts<'a> {
    scheme: &'a str,
    host: &'a str,
    /// `None` when absent, empty or the scheme's default.
    port: Option<&'a str>,
    /// Never empty: an empty path is `/`.
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> UriParts<'a> {
    /// Splits `uri`; `None` when it is not an absolute hierarchical URI that can match
    /// (relative, no authority, userinfo, fragment, or a malformed port).
    fn parse(uri: &'a str) -> Option<Self> {
        let (scheme, rest) = uri.split_once("://")?;
        let valid_scheme = scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !valid_scheme || rest.contains('#') {
            return None;
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(authority_end);
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let (host, port) = split_port(authority)?;
        let port = port.filter(|p| !p.is_empty() && Some(*p) != default_port(scheme));
        let (path, query) = match path_and_query.split_once('?') {
            Some((path, query)) => (path, Some(query)),
            None => (path_and_query, None),
        };
        let path = if path.is_empty() { "/" } else { path };
        Some(Self {
            scheme,
            host,
            port,
            path,
            query,
        })
    }

    fn matches(&self, other: &UriParts<'_>) -> bool {
        self.scheme.eq_ignore_ascii_case(other.scheme)
            && self.host.eq_ignore_ascii_case(other.host)
            && self.port == other.port
            && self.path == other.path
            && self.query == other.query
    }
}

/// Splits `host[:port]`, keeping IPv6 literals (`[::1]:8080`) intact; the port must be digits.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() || port.is_some_and(|p| !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    // Leading zeros are not a different port: "0443" is 443 (RFC 3986 §3.2.3 port = *DIGIT).
    let port = port.map(|p| match p.trim_start_matches('0') {
        "" if !p.is_empty() => "0",
        trimmed => trimmed,
    });
    Some((host, port))
}

fn default_port(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("https") {
        Some("443")
    } else if scheme.eq_ignore_ascii_case("http") {
        Some("80")
    } else {
        None
    }
}

/// An audience this verifier accepts, prepared once at configuration time.
#[derive(Debug, Clone)]
pub(crate) struct Audience {
    text: Box<str>,
    is_uri: bool,
}

impl Audience {
    /// An extra accepted audience from the configuration (an API identifier, say): non-empty,
    /// without whitespace or control characters.
    pub(crate) fn additional(text: &str) -> Result<Self, ConfigError> {
        if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ConfigError::InvalidSetting {
                name: "additional audience",
                reason: "must be non-empty, without whitespace or control characters",
            });
        }
        Ok(Self::new(text))
    }

    pub(crate) fn new(text: &str) -> Self {
        Self {
            is_uri: UriParts::parse(text).is_some(),
            text: text.into(),
        }
    }

    /// `true` when the token audience `candidate` names this audience.
    pub(crate) fn matches(&self, candidate: &str) -> bool {
        if *self.text == *candidate {
            return true;
        }
        if !self.is_uri {
            return false;
        }
        match (UriParts::parse(&self.text), UriParts::parse(candidate)) {
            (Some(ours), Some(theirs)) => ours.matches(&theirs),
            _ => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn m(ours: &str, theirs: &str) -> bool {
        Audience::new(ours).matches(theirs)
    }

    #[test]
    fn equal_after_normalization() {
        let ours = "https://api.example.com/mcp";
        for same in [
            "https://api.example.com/mcp",
            "HTTPS://API.Example.COM/mcp",
            "https://api.example.com:443/mcp",
            "https://api.example.com:0443/mcp",
            "https://api.example.com:/mcp",
        ] {
            assert!(m(ours, same), "{same}");
        }
        assert!(m("https://h", "https://h/"));
        assert!(m("https://h/", "https://h:443"));
        assert!(m("http://127.0.0.1:80/x", "http://127.0.0.1/x"));
        assert!(m("https://[::1]:443/x", "https://[::1]/x"));
        assert!(m("https://h/mcp?a=1", "https://h/mcp?a=1"));
    }

    #[test]
    fn f08_different_resources_do_not_match() {
        let ours = "https://api.example.com/mcp";
        for other in [
            "https://api.example.com/mcp/",
            "https://api.example.com/MCP",
            "https://api.example.com/mcp?x",
            "https://api.example.com/mcp?",
            "https://api.example.com/mcp#f",
            "https://api.example.com:8443/mcp",
            "http://api.example.com/mcp",
            "https://user@api.example.com/mcp",
            "https://api.example.com.evil.test/mcp",
            "https://api.example.com/%6Dcp",
            "https://api.example.com/x/../mcp",
            "https://other-rs.test/mcp",
            "api.example.com/mcp",
            "",
            "https://",
            "https://api.example.com:44x/mcp",
        ] {
            assert!(!m(ours, other), "{other:?}");
        }
        assert!(!m("https://h:443/", "https://h:8443/"));
    }

    #[test]
    fn non_uri_audiences_compare_exactly() {
        assert!(m("api://default", "api://default"));
        assert!(m("my-client", "my-client"));
        assert!(!m("my-client", "MY-CLIENT"));
        assert!(!m("my-client", "my-client "));
    }
}
