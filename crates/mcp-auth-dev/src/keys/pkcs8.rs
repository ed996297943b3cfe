//! Just enough DER to take the RSA key out of a PKCS#8 document.
//!
//! aws-lc-rs generates RSA keys as PKCS#8 `PrivateKeyInfo` (RFC 5208 §5), while
//! `jsonwebtoken::EncodingKey::from_rsa_der` wants the inner PKCS#1 `RSAPrivateKey`
//! (RFC 8017 §A.1.2). The inner key is the content of the `privateKey` OCTET STRING.

/// DER tags (X.690 §8).
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
/// `rsaEncryption` (RFC 8017 §A.1): 1.2.840.113549.1.1.1, DER-encoded OID content.
const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const OBJECT_IDENTIFIER: u8 = 0x06;

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo`, or `None` when `pkcs8` is not
/// an RSA `PrivateKeyInfo`.
///
/// ```text
/// PrivateKeyInfo ::= SEQUENCE {
///   version             INTEGER,
///   privateKeyAlgorithm AlgorithmIdentifier,   -- SEQUENCE { OID, parameters }
///   privateKey          OCTET STRING,          -- RSAPrivateKey
///   attributes          [0] IMPLICIT Attributes OPTIONAL }
/// ```
pub(crate) fn rsa_private_key(pkcs8: &[u8]) -> Option<&[u8]> {
    let (info, rest) = element(pkcs8, SEQUENCE)?;
    if !rest.is_empty() {
        return None;
    }
    let (_version, info) = element(info, INTEGER)?;
    let (algorithm, info) = element(info, SEQUENCE)?;
    let (oid, _parameters) = element(algorithm, OBJECT_IDENTIFIER)?;
    if oid != RSA_ENCRYPTION {
        return None;
    }
    let (key, _attributes) = element(info, OCTET_STRING)?;
    Some(key)
}

/// Reads one DER element with tag `tag`: its content and what follows it.
fn element(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (&first, rest) = input.split_first()?;
    if first != tag {
        return None;
    }
    let (&len_byte, rest) = rest.split_first()?;
    let (len, rest) = if len_byte < 0x80 {
        (usize::from(len_byte), rest)
    } else {
        // Long form: the low bits say how many length bytes follow (at most 4 here).
        let count = usize::from(len_byte & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let (len_bytes, rest) = rest.split_at_checked(count)?;
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, rest)
    };
    rest.split_at_checked(len)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths() {
        assert_eq!(
            element(&[0x04, 0x02, 1, 2, 9], 0x04),
            Some((&[1u8, 2][..], &[9u8][..]))
        );
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        assert_eq!(
            element(&long, 0x04).map(|(c, r)| (c.len(), r.len())),
            Some((0x80, 0))
        );
    }

    #[test]
    fn truncated_or_wrong_input_is_refused() {
        assert_eq!(element(&[], 0x30), None);
        assert_eq!(element(&[0x30], 0x30), None);
        assert_eq!(element(&[0x30, 0x05, 1], 0x30), None);
        assert_eq!(element(&[0x30, 0x80], 0x30), None);
        assert_eq!(element(&[0x30, 0x85, 1, 1, 1, 1, 1], 0x30), None);
        assert_eq!(element(&[0x31, 0x00], 0x30), None);
        assert_eq!(rsa_private_key(b"not der"), None);
    }
}
