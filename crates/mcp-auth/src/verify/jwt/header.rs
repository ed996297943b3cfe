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
    // The whole header must be UTF-8, including members the verifier ignores (RFC 8725 §3.7);
    // `serde_json` would skip ignored strings without checking them. Read as a `str`, it then
    // also skips its per-string checks.
    let text = std::str::from_utf8(bytes).map_err(|_| malformed("header is not UTF-8"))?;
    let mut de = serde_json::Deserializer::from_str(text);
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
        if let Some(cty) = string_member(self.cty, "cty must be a string")?
            && strip_application(&cty).eq_ignore_ascii_case("jwt")
        {
            return Err(invalid_header("nested JWTs are not accepted"));
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
        // Registered names are tracked with bits; other names are kept only when present (most
        // headers have none), so the usual header costs no allocation.
        const KNOWN: [&str; 6] = ["alg", "kid", "typ", "cty", "crit", "b64"];
        let mut seen = 0u8;
        let mut others: Vec<Cow<'de, str>> = Vec::new();
        let mut raw = RawHeader::default();
        let duplicate = || de::Error::custom("too many or duplicate header members");
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            let Some(index) = KNOWN.iter().position(|known| *known == name) else {
                if others.len() + KNOWN.len() >= MAX_MEMBERS || others.contains(&name) {
                    return Err(duplicate());
                }
                map.next_value::<IgnoredAny>()?;
                others.push(name);
                continue;
            };
            if seen & (1 << index) != 0 {
                return Err(duplicate());
            }
            seen |= 1 << index;
            match index {
                0 => raw.alg = Some(map.next_value::<MemberSeed<'de>>()?.0),
                1 => raw.kid = Some(map.next_value::<MemberSeed<'de>>()?.0),
                2 => raw.typ = Some(map.next_value::<MemberSeed<'de>>()?.0),
                3 => raw.cty = Some(map.next_value::<MemberSeed<'de>>()?.0),
                4 => {
                    map.next_value::<IgnoredAny>()?;
                    raw.crit = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    raw.b64 = true;
                }
            }
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
mod tests;
