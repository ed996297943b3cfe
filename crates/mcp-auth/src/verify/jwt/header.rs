//! The JOSE header of a JWS access token (RFC 7515 §4) and the `typ` policy (RFC 9068 §2.1, §4).
//!
//! Parsed in one pass without building a `Value` tree. Rules:
//! * an object, member names unique (RFC 7515 §4), at most [`MAX_MEMBERS`] members;
//! * `alg` a string naming an allowed algorithm (checked by the caller);
//! * `crit` in any form is refused: this crate understands no extension (RFC 7515 §4.1.11);
//! * `b64` is refused: JWT payloads are always base64url-encoded (RFC 7797 §3, §7);
//! * `cty: "JWT"` (a nested JWT) is refused (RFC 8725 §2.3/§3.3, RFC 7519 §5.2);
//! * `kid`, `typ`, `cty` must be strings when present;
//! * `jku`, `x5u`, `jwk`, `x5c` are ignored: keys only ever come from the issuer's JWKS
//!   (RFC 8725 §3.10, RFC 9068 §4);
//! * unknown names that are not critical are ignored (RFC 7515 §4).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::{VerifyError, VerifyErrorKind};

/// Most members a header may have; real headers have fewer than ten.
pub(crate) const MAX_MEMBERS: usize = 64;

/// How the JOSE `typ` header parameter is checked (RFC 9068 §2.1, §4; RFC 8725 §3.11).
///
/// Media types compare case-insensitively and the `application/` prefix may be omitted
/// (RFC 7515 §4.1.9). Every other check (`iss`, `aud`, time, signature) is the same in both
/// modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TypPolicy {
    /// Accept `at+jwt`, `application/at+jwt`, `JWT` (as emitted by Entra ID, Auth0 and others)
    /// or no `typ`; refuse anything else (`dpop+jwt`, `logout+jwt`, `secevent+jwt`, ...).
    #[default]
    Default,
    /// RFC 9068 explicit typing: `at+jwt` or `application/at+jwt` is required.
    Strict,
}

impl TypPolicy {
    /// `true` when a header with this `typ` (or none) is acceptable.
    #[must_use]
    pub fn accepts(self, typ: Option<&str>) -> bool {
        let Some(typ) = typ else {
            return self == Self::Default;
        };
        let subtype = strip_application(typ);
        if subtype.eq_ignore_ascii_case("at+jwt") {
            return true;
        }
        self == Self::Default && subtype.eq_ignore_ascii_case("jwt")
    }
}

fn strip_application(media_type: &str) -> &str {
    const PREFIX: &str = "application/";
    match media_type.get(..PREFIX.len()) {
        Some(p) if p.eq_ignore_ascii_case(PREFIX) => media_type.get(PREFIX.len()..).unwrap_or(""),
        _ => media_type,
    }
}

/// The header members the verifier needs; strings borrow from the decoded header bytes.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    pub(crate) alg: Option<Cow<'a, str>>,
    pub(crate) kid: Option<Cow<'a, str>>,
    pub(crate) typ: Option<Cow<'a, str>>,
}

/// Parses and checks a decoded header. `alg` is returned as found; the caller maps it.
pub(crate) fn parse(bytes: &[u8]) -> Result<Header<'_>, VerifyError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let raw = match de.deserialize_any(HeaderVisitor) {
        Ok(Some(raw)) => raw,
        Ok(None) => return Err(malformed("header is not a JSON object")),
        Err(_) => return Err(malformed("header is not valid JSON")),
    };
    if de.end().is_err() {
        return Err(malformed("header is not valid JSON"));
    }
    raw.check()
}

fn malformed(detail: &'static str) -> VerifyError {
    VerifyError::new(VerifyErrorKind::Malformed).with_detail(detail)
}

fn invalid_header(detail: &'static str) -> VerifyError {
    VerifyError::new(VerifyErrorKind::InvalidHeader).with_detail(detail)
}

/// A member value that is a string, or something else (already consumed).
enum Member<'a> {
    Str(Cow<'a, str>),
    Other,
}

#[derive(Default)]
struct RawHeader<'a> {
    alg: Option<Member<'a>>,
    kid: Option<Member<'a>>,
    typ: Option<Member<'a>>,
    cty: Option<Member<'a>>,
    crit: bool,
    b64: bool,
}

impl<'a> RawHeader<'a> {
    fn check(self) -> Result<Header<'a>, VerifyError> {
        if self.crit {
            return Err(invalid_header(
                "critical header parameters are not supported",
            ));
        }
        if self.b64 {
            return Err(invalid_header("unencoded payloads are not supported"));
        }
        let alg = match self.alg {
            Some(Member::Str(alg)) => Some(alg),
            Some(Member::Other) | None => None,
        };
        let kid = string_member(self.kid, "kid must be a string")?;
        let typ = string_member(self.typ, "typ must be a string")?;
        if let Some(cty) = string_member(self.cty, "cty must be a string")? {
            if strip_application(&cty).eq_ignore_ascii_case("jwt") {
                return Err(invalid_header("nested JWTs are not accepted"));
            }
        }
        Ok(Header { alg, kid, typ })
    }
}

fn string_member<'a>(
    member: Option<Member<'a>>,
    detail: &'static str,
) -> Result<Option<Cow<'a, str>>, VerifyError> {
    match member {
        None => Ok(None),
        Some(Member::Str(s)) => Ok(Some(s)),
        Some(Member::Other) => Err(invalid_header(detail)),
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Option<RawHeader<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut names: Vec<Cow<'de, str>> = Vec::new();
        let mut raw = RawHeader::default();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            if names.len() >= MAX_MEMBERS || names.contains(&name) {
                return Err(de::Error::custom("too many or duplicate header members"));
            }
            match &*name {
                "alg" => raw.alg = Some(map.next_value::<MemberSeed<'de>>()?.0),
                "kid" => raw.kid = Some(map.next_value::<MemberSeed<'de>>()?.0),
                "typ" => raw.typ = Some(map.next_value::<MemberSeed<'de>>()?.0),
                "cty" => raw.cty = Some(map.next_value::<MemberSeed<'de>>()?.0),
                "crit" => {
                    map.next_value::<IgnoredAny>()?;
                    raw.crit = true;
                }
                "b64" => {
                    map.next_value::<IgnoredAny>()?;
                    raw.b64 = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            names.push(name);
        }
        Ok(Some(raw))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// A member name, borrowed when it has no escapes.
struct Name<'a>(Cow<'a, str>);

impl<'de> de::Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor).map(Name)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// Any JSON value, kept only when it is a string.
struct MemberSeed<'a>(Member<'a>);

impl<'de> de::Deserialize<'de> for MemberSeed<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MemberVisitor).map(MemberSeed)
    }
}

struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Owned(v)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Member::Other)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Member::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Member::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(bytes: &[u8]) -> VerifyErrorKind {
        parse(bytes).unwrap_err().kind()
    }

    #[test]
    fn reads_alg_kid_typ_and_ignores_the_rest() {
        let h = parse(br#"{"alg":"RS256","kid":"k1","typ":"at+jwt","x-debug":true,"jku":"https://attacker.test/","x5c":["AAAA"],"jwk":{"kty":"RSA"}}"#).unwrap();
        assert_eq!(h.alg.as_deref(), Some("RS256"));
        assert_eq!(h.kid.as_deref(), Some("k1"));
        assert_eq!(h.typ.as_deref(), Some("at+jwt"));
        let escaped = parse(br#"{"\u0061lg":"RS\u003256"}"#).unwrap();
        assert_eq!(escaped.alg.as_deref(), Some("RS256"));
    }

    #[test]
    fn b06_non_objects_and_invalid_json_are_malformed() {
        for text in [
            &b"[]"[..],
            b"\"x\"",
            b"1",
            b"null",
            b"true",
            b"{",
            b"",
            b"{}x",
        ] {
            assert_eq!(kind(text), VerifyErrorKind::Malformed, "{text:?}");
        }
    }

    #[test]
    fn duplicates_and_member_flood_are_malformed() {
        assert_eq!(
            kind(br#"{"alg":"RS256","alg":"none"}"#),
            VerifyErrorKind::Malformed
        );
        assert_eq!(kind(br#"{"x":1,"y":2,"x":3}"#), VerifyErrorKind::Malformed);
        let members: Vec<String> = (0..=MAX_MEMBERS).map(|i| format!("\"m{i}\":0")).collect();
        let flood = format!("{{\"alg\":\"RS256\",{}}}", members.join(","));
        assert_eq!(kind(flood.as_bytes()), VerifyErrorKind::Malformed);
    }

    #[test]
    fn c03_non_string_alg_is_treated_as_missing() {
        for text in [
            &br#"{}"#[..],
            br#"{"alg":null}"#,
            br#"{"alg":1}"#,
            br#"{"alg":["RS256"]}"#,
            br#"{"alg":{}}"#,
        ] {
            assert!(parse(text).unwrap().alg.is_none(), "{text:?}");
        }
    }

    #[test]
    fn c16_crit_in_any_form_is_refused() {
        for text in [
            &br#"{"alg":"RS256","crit":["exp"]}"#[..],
            br#"{"alg":"RS256","crit":["x-demo"],"x-demo":1}"#,
            br#"{"alg":"RS256","crit":[]}"#,
            br#"{"alg":"RS256","crit":"b64"}"#,
            br#"{"alg":"RS256","crit":[1]}"#,
            br#"{"alg":"RS256","b64":false,"crit":["b64"]}"#,
            br#"{"alg":"RS256","b64":true}"#,
        ] {
            assert_eq!(kind(text), VerifyErrorKind::InvalidHeader, "{text:?}");
        }
    }

    #[test]
    fn wrong_member_types_and_nested_jwts_are_refused() {
        for text in [
            &br#"{"alg":"RS256","kid":1}"#[..],
            br#"{"alg":"RS256","typ":["at+jwt"]}"#,
            br#"{"alg":"RS256","cty":"JWT"}"#,
            br#"{"alg":"RS256","cty":"application/jwt"}"#,
            br#"{"alg":"RS256","cty":false}"#,
        ] {
            assert_eq!(kind(text), VerifyErrorKind::InvalidHeader, "{text:?}");
        }
        assert!(parse(br#"{"alg":"RS256","cty":"json"}"#).is_ok());
    }

    #[test]
    fn c19_typ_policy() {
        let d = TypPolicy::Default;
        let s = TypPolicy::Strict;
        for ok in [
            "at+jwt",
            "application/at+jwt",
            "AT+JWT",
            "Application/At+Jwt",
        ] {
            assert!(d.accepts(Some(ok)) && s.accepts(Some(ok)), "{ok}");
        }
        for compat in ["JWT", "jwt", "application/jwt"] {
            assert!(
                d.accepts(Some(compat)) && !s.accepts(Some(compat)),
                "{compat}"
            );
        }
        assert!(d.accepts(None) && !s.accepts(None));
        for bad in [
            "id_token+jwt",
            "secevent+jwt",
            "logout+jwt",
            "dpop+jwt",
            "oauth-id-jag+jwt",
            "",
            "application/",
            "at+jwt ",
            "JWS",
        ] {
            assert!(!d.accepts(Some(bad)) && !s.accepts(Some(bad)), "{bad:?}");
        }
    }
}
