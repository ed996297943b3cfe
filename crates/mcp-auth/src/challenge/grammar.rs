//! A strict `WWW-Authenticate` parser for tests (battery G11, invariant I5).
//!
//! It accepts exactly one challenge in the RFC 9110 §11.6.1 grammar
//! (`auth-scheme [ 1*SP #auth-param ]`, `auth-param = token BWS "=" BWS quoted-string`) and
//! refuses everything the crate must never send: bytes outside printable ASCII and SP, a second
//! challenge, unquoted values, repeated parameters, unknown error codes, descriptions outside
//! `%x20-21 / %x23-5B / %x5D-7E`, malformed scope lists and non-absolute metadata URLs.
//!
//! Test-only: compiled into the library's unit tests and included by path into the integration
//! tests, so it uses nothing from the crate.
#![allow(dead_code)]

/// One parsed challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// The auth-scheme as sent.
    pub(crate) scheme: String,
    /// Parameters in order, names lower-cased, values unescaped.
    pub(crate) params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of a parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parameter names in order.
    pub(crate) fn names(&self) -> Vec<&str> {
        self.params.iter().map(|(n, _)| n.as_str()).collect()
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_sp(&mut self) -> usize {
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        self.pos - start
    }

    fn token(&mut self) -> Result<String, String> {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(format!("expected a token at byte {start}"));
        }
        Ok(String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned())
    }

    fn quoted_string(&mut self) -> Result<String, String> {
        if self.peek() != Some(b'"') {
            return Err(format!("value at byte {} is not a quoted string", self.pos));
        }
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err("unterminated quoted string".into()),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out).map_err(|_| "non-UTF-8 value".into());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b) if b == b' ' || b.is_ascii_graphic() => {
                            out.push(b);
                            self.pos += 1;
                        }
                        _ => return Err("bad quoted-pair".into()),
                    }
                }
                Some(b) => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }
}

/// Parses exactly one challenge, strictly.
pub(crate) fn parse_challenge(header: &[u8]) -> Result<Challenge, String> {
    if let Some(b) = header
        .iter()
        .find(|b| !(**b == b' ' || b.is_ascii_graphic()))
    {
        return Err(format!("byte {b:#04x} outside printable ASCII"));
    }
    let mut c = Cursor {
        bytes: header,
        pos: 0,
    };
    let scheme = c.token()?;
    let mut params: Vec<(String, String)> = Vec::new();
    if c.peek().is_none() {
        return Ok(Challenge { scheme, params });
    }
    if c.skip_sp() == 0 {
        return Err("expected SP after the scheme".into());
    }
    loop {
        let name = c.token()?.to_ascii_lowercase();
        c.skip_sp();
        if c.peek() != Some(b'=') {
            return Err(format!(
                "`{name}` is not followed by `=` (token68 or a second challenge)"
            ));
        }
        c.pos += 1;
        c.skip_sp();
        let value = c.quoted_string()?;
        if params.iter().any(|(n, _)| *n == name) {
            return Err(format!("parameter `{name}` repeated"));
        }
        params.push((name, value));
        c.skip_sp();
        match c.peek() {
            None => break,
            Some(b',') => {
                c.pos += 1;
                c.skip_sp();
                if c.peek().is_none() {
                    return Err("trailing comma".into());
                }
            }
            Some(b) => return Err(format!("unexpected byte {b:#04x} at {}", c.pos)),
        }
    }
    Ok(Challenge { scheme, params })
}

/// Parses `header` and checks invariant I5 of the battery: one `Bearer` challenge, every value
/// quoted, no repeated parameter, a known `error`, an `error_description` from the allowed
/// character set, a well-formed `scope` list, and `resource_metadata` equal to `expected`.
pub(crate) fn check_bearer_challenge(
    header: &[u8],
    expected_resource_metadata: Option<&str>,
) -> Result<Challenge, String> {
    let challenge = parse_challenge(header)?;
    if challenge.scheme != "Bearer" {
        return Err(format!("scheme `{}` is not `Bearer`", challenge.scheme));
    }
    for (name, value) in &challenge.params {
        match name.as_str() {
            "error" => {
                if !matches!(
                    value.as_str(),
                    "invalid_request" | "invalid_token" | "insufficient_scope"
                ) {
                    return Err(format!("unknown error code `{value}`"));
                }
            }
            "error_description" => {
                if let Some(c) = value
                    .chars()
                    .find(|c| !matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
                {
                    return Err(format!("error_description has character {c:?}"));
                }
            }
            "scope" => {
                if value.is_empty()
                    || value.split(' ').any(|s| {
                        s.is_empty()
                            || s.chars()
                                .any(|c| !matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e'))
                    })
                {
                    return Err(format!("malformed scope list `{value}`"));
                }
            }
            "resource_metadata" => {
                let rest = value
                    .strip_prefix("https://")
                    .or_else(|| value.strip_prefix("http://"))
                    .ok_or_else(|| format!("resource_metadata `{value}` is not absolute"))?;
                let authority = rest.split('/').next().unwrap_or_default();
                if authority.is_empty() || authority.contains('@') || value.contains('#') {
                    return Err(format!("resource_metadata `{value}` has userinfo/fragment"));
                }
            }
            "realm" | "error_uri" => {}
            other => return Err(format!("unexpected parameter `{other}`")),
        }
    }
    if challenge.get("resource_metadata") != expected_resource_metadata {
        return Err(format!(
            "resource_metadata {:?}, expected {expected_resource_metadata:?}",
            challenge.get("resource_metadata")
        ));
    }
    if challenge.get("error_description").is_some() && challenge.get("error").is_none() {
        return Err("error_description without error".into());
    }
    Ok(challenge)
}
