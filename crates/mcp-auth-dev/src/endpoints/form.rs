//! Request parameters in an `application/x-www-form-urlencoded` body (RFC 6749 §3.2,
//! RFC 7662 §2.1, RFC 7009 §2.1), parsed strictly.
//!
//! * the body is read up to [`MAX_BODY`] bytes (413 beyond);
//! * the content type must be `application/x-www-form-urlencoded`;
//! * percent-escapes must be valid and decode to UTF-8; `+` is a space;
//! * at most [`MAX_PARAMETERS`] parameters;
//! * parameters without a value are treated as omitted (RFC 6749 §3.1);
//! * a parameter may appear once (RFC 6749 §3.1, §3.2), except `resource` (RFC 8707 §2).

use axum::body::Body;
use axum::extract::FromRequest;
use http::Request;
use http::header::CONTENT_TYPE;

use super::error_response::ErrorResponse;

/// Largest body read: 16 KiB.
pub(crate) const MAX_BODY: usize = 16 * 1024;
/// Most parameters accepted.
pub(crate) const MAX_PARAMETERS: usize = 64;
/// Parameters that may be repeated.
const REPEATABLE: [&str; 1] = ["resource"];

/// The decoded parameters of a form body.
#[derive(Debug, Default)]
pub(crate) struct Form {
    parameters: Vec<(String, String)>,
}

impl Form {
    /// Parses a form body.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ErrorResponse> {
        let mut parameters: Vec<(String, String)> = Vec::new();
        for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (
                    pair.get(..i).unwrap_or_default(),
                    pair.get(i + 1..).unwrap_or_default(),
                ),
                None => (pair, &[][..]),
            };
            let name = decode(name)?;
            let value = decode(value)?;
            if value.is_empty() {
                continue;
            }
            if parameters.len() >= MAX_PARAMETERS {
                return Err(ErrorResponse::invalid_request("too many parameters"));
            }
            if !REPEATABLE.contains(&name.as_str()) && parameters.iter().any(|(n, _)| *n == name) {
                return Err(ErrorResponse::invalid_request(&format!(
                    "the parameter `{name}` is repeated"
                )));
            }
            parameters.push((name, value));
        }
        Ok(Self { parameters })
    }

    /// The value of a single-valued parameter.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeatable parameter.
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.parameters
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = ErrorResponse;

    async fn from_request(request: Request<Body>, _state: &S) -> Result<Self, Self::Rejection> {
        let media_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::trim);
        if !media_type.is_some_and(|t| t.eq_ignore_ascii_case("application/x-www-form-urlencoded"))
        {
            return Err(ErrorResponse::invalid_request(
                "the body must be application/x-www-form-urlencoded",
            ));
        }
        let body = axum::body::to_bytes(request.into_body(), MAX_BODY)
            .await
            .map_err(|_| ErrorResponse::payload_too_large())?;
        Self::parse(&body)
    }
}

/// Decodes one `application/x-www-form-urlencoded` name or value (WHATWG URL §5.1): `+` is a
/// space, `%XX` a byte; the result must be UTF-8.
pub(crate) fn decode(input: &[u8]) -> Result<String, ErrorResponse> {
    let malformed = || ErrorResponse::invalid_request("the form body is not validly encoded");
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.iter();
    while let Some(&b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let high = bytes.next().and_then(|h| hex(*h)).ok_or_else(malformed)?;
                let low = bytes.next().and_then(|l| hex(*l)).ok_or_else(malformed)?;
                out.push(high << 4 | low);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).map_err(|_| malformed())
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes() {
        let form = Form::parse(
            b"grant_type=client_credentials&scope=a+b%3Ac&resource=x&resource=y&empty=",
        )
        .unwrap();
        assert_eq!(form.get("grant_type"), Some("client_credentials"));
        assert_eq!(form.get("scope"), Some("a b:c"));
        assert_eq!(form.all("resource").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(form.get("empty"), None);
    }

    #[test]
    fn refuses_repeats_bad_escapes_and_bad_utf8() {
        for bad in [
            &b"scope=a&scope=b"[..],
            b"a=%zz",
            b"a=%4",
            b"a=%ff%fe",
            b"a=\xff",
        ] {
            assert!(Form::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn caps_the_parameter_count() {
        let body: Vec<String> = (0..=MAX_PARAMETERS).map(|i| format!("p{i}=v")).collect();
        assert!(Form::parse(body.join("&").as_bytes()).is_err());
        let body: Vec<String> = (0..MAX_PARAMETERS).map(|i| format!("p{i}=v")).collect();
        assert!(Form::parse(body.join("&").as_bytes()).is_ok());
    }
}
