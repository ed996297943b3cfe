#![allow(clippy::unwrap_used)]

use std::net::{IpAddr, SocketAddr};

use super::policy::{AddressClass, classify};
use super::resolver::filter;
use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn refused(url: &str) -> bool {
    OutboundPolicy::default().check_url(url).is_err()
}

#[test]
fn classifies_ipv4_ranges() {
    for public in [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "100.128.0.1",
        "93.184.216.34",
    ] {
        assert_eq!(classify(ip(public)), AddressClass::Public, "{public}");
    }
    for loopback in ["127.0.0.1", "127.1.2.3"] {
        assert_eq!(classify(ip(loopback)), AddressClass::Loopback, "{loopback}");
    }
    for private in [
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "100.64.0.1",
        "100.127.255.255",
        "198.18.0.1",
        "192.0.2.1",
    ] {
        assert_eq!(classify(ip(private)), AddressClass::Private, "{private}");
    }
    for never in [
        "169.254.169.254",
        "169.254.0.1",
        "100.100.100.200",
        "192.0.0.192",
        "0.0.0.0",
        "0.1.2.3",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
    ] {
        assert!(
            matches!(classify(ip(never)), AddressClass::Refused(_)),
            "{never}"
        );
    }
}

#[test]
fn classifies_ipv6_ranges() {
    assert_eq!(classify(ip("2606:4700::1111")), AddressClass::Public);
    assert_eq!(classify(ip("::1")), AddressClass::Loopback);
    assert_eq!(classify(ip("fd12:3456::1")), AddressClass::Private);
    assert_eq!(classify(ip("fc00::1")), AddressClass::Private);
    assert_eq!(classify(ip("fec0::1")), AddressClass::Private);
    for never in [
        "::",
        "fe80::1",
        "febf::1",
        "fd00:ec2::254",
        "ff02::1",
        // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 spellings of 169.254.169.254
        "::ffff:169.254.169.254",
        "::169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
    ] {
        assert!(
            matches!(classify(ip(never)), AddressClass::Refused(_)),
            "{never}"
        );
    }
    // Embedded private or loopback IPv4 addresses are private, except the plain mapped form.
    assert_eq!(classify(ip("::ffff:127.0.0.1")), AddressClass::Loopback);
    assert_eq!(classify(ip("::ffff:10.0.0.1")), AddressClass::Private);
    assert_eq!(classify(ip("64:ff9b::7f00:1")), AddressClass::Private);
    assert_eq!(classify(ip("2002:c0a8:0101::1")), AddressClass::Private);
    assert_eq!(classify(ip("64:ff9b::808:808")), AddressClass::Public);
}

#[test]
fn url_rules() {
    assert!(!refused("https://as.example.com/oidc"));
    assert!(!refused("http://localhost:3001/oidc"));
    assert!(!refused("http://LOCALHOST./x"));
    assert!(!refused("http://api.localhost/x"));
    assert!(!refused("http://127.0.0.1:8080/x"));
    assert!(!refused("http://[::1]:8080/x"));
    assert!(!refused("https://8.8.8.8/x"));
    // plain http elsewhere, other schemes, userinfo, no host
    assert!(refused("http://as.example.com/oidc"));
    assert!(refused("http://8.8.8.8/x"));
    assert!(refused("ftp://as.example.com/x"));
    assert!(refused("file:///etc/passwd"));
    assert!(refused("https://user:pass@as.example.com/"));
    assert!(refused("https://user@as.example.com/"));
    assert!(refused("not a url"));
    assert!(refused("/relative"));
    // metadata services in every spelling the URL parser accepts
    for url in [
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/latest/meta-data/",
        "https://0xa9fea9fe/",
        "https://2852039166/",
        "https://0251.0376.0251.0376/",
        "https://169.254.43518/",
        "https://[::ffff:169.254.169.254]/",
        "https://[::ffff:a9fe:a9fe]/",
        "https://[fd00:ec2::254]/",
        "https://100.100.100.200/",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://METADATA.GOOGLE.INTERNAL./",
        "https://0.0.0.0/",
        "https://[::]/",
        "https://[fe80::1]/",
    ] {
        assert!(refused(url), "{url}");
    }
    // private literals: refused by default, allowed once allow-listed (https only)
    for url in [
        "https://10.0.0.5/",
        "https://192.168.1.10/",
        "https://[fd12::1]/",
    ] {
        assert!(refused(url), "{url}");
    }
    let policy = OutboundPolicy::default()
        .with_allowed_private_host("10.0.0.5")
        .with_allowed_private_host("[fd12::1]");
    assert!(policy.check_url("https://10.0.0.5/").is_ok());
    assert!(policy.check_url("https://[fd12::1]/").is_ok());
    assert!(policy.check_url("http://10.0.0.5/").is_err());
    assert!(policy.check_url("https://10.0.0.6/").is_err());
    // link-local stays refused even when allow-listed
    let policy = OutboundPolicy::default().with_allowed_private_host("169.254.169.254");
    assert!(policy.check_url("https://169.254.169.254/").is_err());
}

#[test]
fn resolved_addresses_are_filtered() {
    let sock = |s: &str| SocketAddr::new(ip(s), 0);
    let strict = OutboundPolicy::default();
    // a public name resolving to public and private addresses keeps only the public one
    let kept = filter(
        &strict,
        "as.example.com",
        [sock("10.0.0.1"), sock("8.8.8.8")],
    )
    .unwrap();
    assert_eq!(kept, vec![sock("8.8.8.8")]);
    // rebinding: a public name resolving to loopback, link-local, metadata or private
    for bad in [
        "127.0.0.1",
        "::ffff:127.0.0.1",
        "169.254.169.254",
        "fe80::1",
        "10.1.2.3",
    ] {
        assert!(
            filter(&strict, "rebind.test", [sock(bad)]).is_err(),
            "{bad}"
        );
    }
    // loopback names must resolve to loopback only
    assert!(filter(&strict, "localhost", [sock("127.0.0.1"), sock("::1")]).is_ok());
    assert!(filter(&strict, "localhost", [sock("8.8.8.8")]).is_err());
    assert!(filter(&strict, "localhost", [sock("10.0.0.1")]).is_err());
    // allow-listed names may use private and loopback addresses, never link-local
    let allowed = OutboundPolicy::default().with_allowed_private_host("Keycloak.Internal.");
    assert!(filter(&allowed, "keycloak.internal", [sock("10.1.2.3")]).is_ok());
    assert!(filter(&allowed, "keycloak.internal", [sock("127.0.0.1")]).is_ok());
    assert!(filter(&allowed, "keycloak.internal", [sock("169.254.169.254")]).is_err());
    assert!(filter(&allowed, "other.internal", [sock("10.1.2.3")]).is_err());
    assert!(filter(&strict, "empty.test", []).is_err());
}

#[test]
fn errors_name_the_url_without_credentials() {
    let err = HttpClient::new()
        .check_url("https://user:secret@as.example.com/x")
        .unwrap_err();
    assert_eq!(err.url(), "https://as.example.com/x");
    assert!(!err.to_string().contains("secret"));
    assert!(err.to_string().contains("userinfo"), "{err}");
}

#[test]
fn user_agent_names_the_crate() {
    assert!(USER_AGENT.starts_with("mcp-auth-rust/"));
    assert_eq!(HttpClient::new().policy().deadline(), DEFAULT_DEADLINE);
}
