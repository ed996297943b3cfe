//! Elliptic-curve keys: EC P-256/P-384/P-521 (RFC 7518 §6.2.1) and OKP Ed25519 (RFC 8037 §2).

use aws_lc_rs::signature::{self, ParsedPublicKey};
use serde_json::{Map, Value};

use super::{Material, members};
use crate::verify::jwt::algorithm::KeyFamily;

/// An EC key: `crv` and the affine coordinates `x`, `y`, each exactly the field size
/// (RFC 7518 §6.2.1.2). aws-lc checks that the point is on the curve (RFC 8725 §3.4).
pub(super) fn parse_ec(member: &Map<String, Value>) -> Option<Material> {
    let (family, len, alg): (_, usize, &'static signature::EcdsaVerificationAlgorithm) =
        match member.get("crv")?.as_str()? {
            "P-256" => (KeyFamily::P256, 32, &signature::ECDSA_P256_SHA256_FIXED),
            "P-384" => (KeyFamily::P384, 48, &signature::ECDSA_P384_SHA384_FIXED),
            "P-521" => (KeyFamily::P521, 66, &signature::ECDSA_P521_SHA512_FIXED),
            _ => return None,
        };
    let x = members::bytes(member, "x")?;
    let y = members::bytes(member, "y")?;
    if x.len() != len || y.len() != len {
        return None;
    }
    // SEC 1 §2.3.3 uncompressed point: 0x04 ‖ X ‖ Y.
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    let key = ParsedPublicKey::new(alg, &point).ok()?;
    Some(Material::Curve { family, key })
}

/// An OKP key; only `crv: "Ed25519"` signs JWS (RFC 8037 §3.1). `X25519` is for key
/// agreement and `Ed448` is not supported: both are ignored.
pub(super) fn parse_okp(member: &Map<String, Value>) -> Option<Material> {
    if member.get("crv")?.as_str()? != "Ed25519" {
        return None;
    }
    let x: [u8; 32] = members::bytes(member, "x")?.try_into().ok()?;
    if !is_acceptable_ed25519_point(&x) {
        return None;
    }
    let key = ParsedPublicKey::new(&signature::ED25519, x).ok()?;
    Some(Material::Curve {
        family: KeyFamily::Ed25519,
        key,
    })
}

/// The field prime 2^255 − 19, little-endian.
const P: [u8; 32] = {
    let mut p = [0xff; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
};

/// Canonical encodings (sign bit cleared) of the y-coordinates of the points of order 1, 2,
/// 4 and 8 on edwards25519: y = 1 (the identity), y = p − 1 (order 2), y = 0 (order 4) and the
/// two order-8 values. A key that is one of these verifies forged signatures for many
/// messages (with the identity, `R` = identity and `S` = 0 verifies everything).
const SMALL_ORDER_Y: [[u8; 32]; 5] = {
    let mut one = [0u8; 32];
    one[0] = 1;
    let mut minus_one = P;
    minus_one[0] = 0xec;
    [
        one,
        minus_one,
        [0u8; 32],
        [
            0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef,
            0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88,
            0x6d, 0x53, 0xfc, 0x05,
        ],
        [
            0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10,
            0x67, 0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77,
            0x92, 0xac, 0x03, 0x7a,
        ],
    ]
};

/// Refuses non-canonical encodings (y ≥ p, RFC 8032 §5.1.3) and small-order points
/// (RFC 8725 §3.4), whatever the sign bit.
pub(super) fn is_acceptable_ed25519_point(encoded: &[u8; 32]) -> bool {
    let mut y = *encoded;
    y[31] &= 0x7f;
    !is_at_least_p(&y) && !SMALL_ORDER_Y.contains(&y)
}

/// `y ≥ p` for a little-endian 255-bit value.
fn is_at_least_p(y: &[u8; 32]) -> bool {
    for (a, b) in y.iter().zip(P.iter()).rev() {
        if a != b {
            return a > b;
        }
    }
    true
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn d11_small_order_and_non_canonical_points_are_refused() {
        for y in SMALL_ORDER_Y {
            assert!(!is_acceptable_ed25519_point(&y));
            let mut signed = y;
            signed[31] |= 0x80;
            assert!(!is_acceptable_ed25519_point(&signed));
        }
        // p, p + 1 (non-canonical 0 and 1) and everything up to 2^255 − 1.
        for add in 0u8..19 {
            let mut y = P;
            y[0] = 0xed + add;
            assert!(!is_acceptable_ed25519_point(&y), "p + {add}");
        }
        // The base point is fine.
        let mut base = [0x66u8; 32];
        base[0] = 0x58;
        assert!(is_acceptable_ed25519_point(&base));
    }
}
