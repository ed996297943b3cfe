//! Decoding a JWS compact serialization (RFC 7515 §7.1) without verifying it.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::{Map, Value};

use crate::exit::Failure;

/// base64url, padding optional (RFC 7515 §2 forbids it; being lenient costs nothing here).
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A decoded, unverified JWT.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub(crate) header: Map<String, Value>,
    pub(crate) claims: Map<String, Value>,
    /// The signature's length in bytes; `None` when it is not base64url (decoding goes on: the
    /// header and claims are still shown, and a verifier refuses the token).
    pub(crate) signature_len: Option<usize>,
}

impl Decoded {
    /// Decodes `token`.
    ///
    /// # Errors
    ///
    /// A usage failure (exit 2) saying why the input is not a JWT.
    pub(crate) fn parse(token: &str) -> Result<Self, Failure> {
        let parts: Vec<&str> = token.split('.').collect();
        let [header, payload, signature] = parts.as_slice() else {
            return Err(match parts.len() {
                5 => Failure::usage(
                    "this is an encrypted JWT (JWE, five parts): only its recipient can read it",
                ),
                1 => Failure::usage(
                    "not a JWT (no `.`): probably an opaque token, which only its issuer can \
                     check (introspection, userinfo)",
                ),
                n => Failure::usage(format!(
                    "not a JWT: expected three base64url parts separated by `.`, found {n}"
                )),
            });
        };
        let header = object(header, "header")?;
        let claims = object(payload, "payload")?;
        let signature_len = BASE64URL.decode(signature).ok().map(|s| s.len());
        Ok(Self {
            header,
            claims,
            signature_len,
        })
    }
}

fn object(part: &str, name: &str) -> Result<Map<String, Value>, Failure> {
    let bytes = BASE64URL
        .decode(part)
        .map_err(|_| Failure::usage(format!("not a JWT: the {name} is not base64url")))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::usage(format!(
            "not a JWT: the {name} is JSON but not an object"
        ))),
        Err(_) => Err(Failure::usage(format!("not a JWT: the {name} is not JSON"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(json: &str) -> String {
        BASE64URL.encode(json)
    }

    #[test]
    fn decodes_header_and_claims() {
        let token = format!(
            "{}.{}.{}",
            part(r#"{"alg":"ES256","typ":"at+jwt"}"#),
            part(r#"{"sub":"u-alice","exp":1}"#),
            BASE64URL.encode([1u8; 64])
        );
        let decoded = Decoded::parse(&token).expect("a JWT");
        assert_eq!(decoded.header["alg"], "ES256");
        assert_eq!(decoded.claims["sub"], "u-alice");
        assert_eq!(decoded.signature_len, Some(64));
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        for input in [
            "garbage",
            "a.b",
            "a.b.c.d",
            "a.b.c.d.e",
            "!!!.???.***",
            "....",
            "e30.e30",
            "bnVsbA.e30.",
            "e30.WzFd.",
            "\u{1F600}.\u{1F600}.\u{1F600}",
        ] {
            let failure = Decoded::parse(input).expect_err(input);
            assert_eq!(failure.exit, crate::exit::Exit::Usage, "{input}");
        }
        assert!(Decoded::parse("e30.e30.").is_ok());
        let bad_signature = Decoded::parse("e30.e30.%%%").expect("header and claims decode");
        assert_eq!(bad_signature.signature_len, None);
    }
}
