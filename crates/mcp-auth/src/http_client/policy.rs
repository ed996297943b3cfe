//! The outbound network policy: which URLs and which addresses may be fetched.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use url::{Host, Url};

/// The default whole-operation deadline of an outbound fetch (battery pinned decision 7).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(5);

/// Host names of cloud metadata services, refused whatever they resolve to.
const METADATA_HOST_NAMES: &[&str] = &["metadata.google.internal", "metadata.goog"];

/// Policy for every outbound fetch (metadata, JWKS, introspection, userinfo).
///
/// The rules (the battery's pinned decision 6, MCP Security Best Practices "Server-Side Request
/// Forgery", RFC 9728 §7.7):
///
/// * `https` only; plain `http` only to a loopback host (`localhost`, `*.localhost`,
///   `127.0.0.0/8`, `::1`), for local development and tests.
/// * No credentials in the URL (`https://user:pass@host`).
/// * Link-local and cloud-metadata addresses (`169.254.0.0/16`, `fe80::/10`, `fd00:ec2::254`,
///   `100.100.100.200`, `192.0.0.192`), unspecified, multicast, broadcast and reserved addresses
///   are always refused.
/// * Private and special-purpose addresses (`10/8`, `172.16/12`, `192.168/16`, `100.64/10`,
///   `fc00::/7`, ...) are refused unless the host is allow-listed with
///   [`OutboundPolicy::with_allowed_private_host`]. So is a name that is not a loopback name but
///   resolves to a loopback address (a classic DNS-rebinding target).
/// * IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 addresses are judged by the IPv4 address
///   they embed. Octal, hexadecimal and integer IPv4 spellings are normalized by the URL parser
///   (WHATWG URL) before they are judged.
///
/// The address rules are enforced on the address actually connected to: the client's DNS
/// resolver drops refused addresses, and IP-literal hosts are checked before any connection.
///
/// The default is strict. Relax it only for hosts you operate:
///
/// ```
/// use std::time::Duration;
/// use mcp_auth::http_client::OutboundPolicy;
///
/// let policy = OutboundPolicy::default()
///     .with_deadline(Duration::from_secs(3))
///     .with_allowed_private_host("keycloak.internal");
/// assert!(policy.check_url("https://keycloak.internal/realms/mcp").is_ok());
/// assert!(policy.check_url("http://keycloak.internal/realms/mcp").is_err()); // https only
/// assert!(policy.check_url("https://169.254.169.254/latest/meta-data").is_err());
/// assert!(policy.check_url("http://localhost:8080/oidc").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutboundPolicy {
    /// The whole-operation deadline (connect, headers and body) of one fetch. Default 5 s.
    pub deadline: Duration,
    allowed_private_hosts: Vec<AllowedHost>,
}

/// An allow-listed host: a DNS name (lower case, no trailing dot) or an IP address.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AllowedHost {
    Name(String),
    Ip(IpAddr),
}

/// How an IP address is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AddressClass {
    /// A globally routable address.
    Public,
    /// This host (`127.0.0.0/8`, `::1`).
    Loopback,
    /// Private or special-purpose: allowed only for allow-listed hosts.
    Private,
    /// Never allowed; the text says why.
    Refused(&'static str),
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        Self {
            deadline: DEFAULT_DEADLINE,
            allowed_private_hosts: Vec::new(),
        }
    }
}

impl OutboundPolicy {
    /// The strict default policy.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the whole-operation deadline of one fetch (connect, headers and body).
    #[must_use]
    pub fn with_deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Allows `host` (a DNS name or an IP address) to use private and special-purpose addresses,
    /// and loopback addresses under a non-loopback name, for example an authorization server on
    /// an internal network. Link-local and cloud-metadata addresses stay refused, and `https`
    /// is still required.
    #[must_use]
    pub fn with_allowed_private_host(mut self, host: impl AsRef<str>) -> Self {
        let host = host.as_ref().trim();
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let entry = match bare.parse::<IpAddr>() {
            Ok(ip) => AllowedHost::Ip(ip),
            Err(_) => AllowedHost::Name(normalize_name(bare)),
        };
        if !self.allowed_private_hosts.contains(&entry) {
            self.allowed_private_hosts.push(entry);
        }
        self
    }

    /// The whole-operation deadline of one fetch.
    #[must_use]
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Whether `host` (a DNS name or an IP address) was allow-listed with
    /// [`with_allowed_private_host`](Self::with_allowed_private_host).
    #[must_use]
    pub fn is_allowed_private_host(&self, host: &str) -> bool {
        let bare = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        match bare.parse::<IpAddr>() {
            Ok(ip) => self.allowed_private_hosts.contains(&AllowedHost::Ip(ip)),
            Err(_) => self
                .allowed_private_hosts
                .contains(&AllowedHost::Name(normalize_name(bare))),
        }
    }

    /// Checks a URL against the policy without any network access. For a host name, the
    /// addresses it resolves to are checked when the client connects.
    ///
    /// # Errors
    ///
    /// The reason the URL is refused: not an absolute `http(s)` URL, credentials in the URL,
    /// plain `http` to a host that is not loopback, a refused host name, or an IP literal in a
    /// refused range.
    pub fn check_url(&self, url: &str) -> Result<Url, &'static str> {
        let parsed = Url::parse(url).map_err(|_| "not a valid absolute URL")?;
        self.check_parsed(&parsed, true)?;
        Ok(parsed)
    }

    /// Checks a parsed URL. With `judge_private` off, private and special-purpose literals are
    /// accepted (used where the allow-list of the client that will fetch is not known yet).
    pub(crate) fn check_parsed(&self, url: &Url, judge_private: bool) -> Result<(), &'static str> {
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return Err("only https URLs (or http to a loopback host) may be fetched"),
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err("credentials in the URL (userinfo) are not allowed");
        }
        match url.host() {
            None => Err("the URL has no host"),
            Some(Host::Domain(name)) => {
                let name = normalize_name(name);
                if METADATA_HOST_NAMES.contains(&name.as_str()) {
                    return Err("cloud metadata host names are always refused");
                }
                if !https && !is_loopback_name(&name) {
                    return Err("plain http is only allowed to loopback hosts; use https");
                }
                Ok(())
            }
            Some(Host::Ipv4(ip)) => self.check_literal(IpAddr::V4(ip), https, judge_private),
            Some(Host::Ipv6(ip)) => self.check_literal(IpAddr::V6(ip), https, judge_private),
        }
    }

    fn check_literal(
        &self,
        ip: IpAddr,
        https: bool,
        judge_private: bool,
    ) -> Result<(), &'static str> {
        let class = classify(ip);
        if !https && class != AddressClass::Loopback {
            return Err("plain http is only allowed to loopback hosts; use https");
        }
        match class {
            AddressClass::Private if !judge_private => Ok(()),
            _ => self.check_address(&ip.to_string(), ip),
        }
    }

    /// Checks one address that `host` (a DNS name or an IP literal) resolved to.
    pub(crate) fn check_address(&self, host: &str, ip: IpAddr) -> Result<(), &'static str> {
        let name = normalize_name(host);
        let literal = name.parse::<IpAddr>().is_ok();
        match classify(ip) {
            AddressClass::Refused(reason) => Err(reason),
            AddressClass::Loopback => {
                if literal || is_loopback_name(&name) || self.is_allowed_private_host(&name) {
                    Ok(())
                } else {
                    Err("the host name resolves to a loopback address and is not allow-listed")
                }
            }
            _ if is_loopback_name(&name) => {
                Err("a loopback host name resolves to a non-loopback address")
            }
            AddressClass::Public => Ok(()),
            AddressClass::Private => {
                if self.is_allowed_private_host(&name) {
                    Ok(())
                } else {
                    Err("private or special-purpose address; allow-list the host to permit it")
                }
            }
        }
    }
}

/// Lower case, without one trailing dot.
fn normalize_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase()
}

/// `localhost` and names under `.localhost` (RFC 6761 §6.3), already normalized.
fn is_loopback_name(name: &str) -> bool {
    name == "localhost" || name.ends_with(".localhost")
}

/// Classifies an address (IANA IPv4/IPv6 special-purpose address registries, RFC 6890).
pub(crate) fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, d] = ip.octets();
    match (a, b, c, d) {
        (0, ..) => AddressClass::Refused("unspecified address (0.0.0.0/8)"),
        (127, ..) => AddressClass::Loopback,
        (169, 254, ..) => AddressClass::Refused("link-local or cloud metadata address"),
        (100, 100, 100, 200) | (192, 0, 0, 192) => AddressClass::Refused("cloud metadata address"),
        (224..=239, ..) => AddressClass::Refused("multicast address"),
        (240..=255, ..) => AddressClass::Refused("reserved or broadcast address"),
        (10, ..) | (192, 168, ..) => AddressClass::Private,
        (172, 16..=31, ..) => AddressClass::Private,
        (100, 64..=127, ..) => AddressClass::Private, // shared address space (RFC 6598)
        (192, 0, 0 | 2, _) | (198, 51, 100, _) | (203, 0, 113, _) => AddressClass::Private,
        (198, 18..=19, ..) => AddressClass::Private, // benchmarking (RFC 2544)
        _ => AddressClass::Public,
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let seg = ip.segments();
    if ip.is_unspecified() {
        return AddressClass::Refused("unspecified address (::)");
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if ip == Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254) {
        return AddressClass::Refused("cloud metadata address");
    }
    let embedded = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        embedded_v4(Ipv4Addr::new(a, b, c, d))
    };
    match seg {
        [0, 0, 0, 0, 0, 0, hi, lo] => embedded(hi, lo), // IPv4-compatible (deprecated)
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => embedded(hi, lo), // NAT64 (RFC 6052)
        [0x64, 0xff9b, 1, ..] => AddressClass::Private, // local-use NAT64 (RFC 8215)
        [0x2002, hi, lo, ..] => embedded(hi, lo),       // 6to4 (RFC 3056)
        [s, ..] if s & 0xffc0 == 0xfe80 => AddressClass::Refused("link-local address (fe80::/10)"),
        [s, ..] if s & 0xff00 == 0xff00 => AddressClass::Refused("multicast address"),
        [s, ..] if s & 0xfe00 == 0xfc00 => AddressClass::Private, // unique local (fc00::/7)
        [s, ..] if s & 0xffc0 == 0xfec0 => AddressClass::Private, // site-local (deprecated)
        [0x2001, 0x0db8, ..] => AddressClass::Private,            // documentation
        [0x0100, 0, 0, 0, ..] => AddressClass::Private,           // discard-only (RFC 6666)
        _ => AddressClass::Public,
    }
}

/// An IPv4 address embedded in an IPv6 one is public only if the IPv4 address is.
fn embedded_v4(v4: Ipv4Addr) -> AddressClass {
    match classify_v4(v4) {
        AddressClass::Public => AddressClass::Public,
        AddressClass::Refused(reason) => AddressClass::Refused(reason),
        AddressClass::Loopback | AddressClass::Private => AddressClass::Private,
    }
}
