//! RSA public keys (RFC 7518 §6.3.1): `n` and `e`.

use aws_lc_rs::rsa::PublicKeyComponents;
use serde_json::{Map, Value};

use super::{Slot, members};
use crate::verify::jwt::JwsAlgorithm;

/// Smallest accepted modulus (RFC 7518 §3.3, pinned decision 7).
pub(crate) const MIN_MODULUS_BITS: usize = 2048;
/// Largest accepted modulus (bounds verification cost; pinned decision 7).
pub(crate) const MAX_MODULUS_BITS: usize = 8192;
/// Longest accepted public exponent in bytes (aws-lc refuses exponents over 33 bits).
const MAX_EXPONENT_LEN: usize = 4;

/// An RSA key, parsed once per algorithm it is used with (six at most).
pub(super) struct RsaKey {
    n: Box<[u8]>,
    e: Box<[u8]>,
    parsed: [Slot; 6],
}

impl RsaKey {
    /// `None` for a malformed or weak key (RFC 8725 §3.4/§3.5): modulus outside
    /// 2048..=8192 bits, exponent even, below 3 or over 32 bits (`e = 1` would let anyone
    /// forge signatures).
    pub(super) fn parse(member: &Map<String, Value>, pinned: Option<JwsAlgorithm>) -> Option<Self> {
        let n = strip_leading_zeros(members::bytes(member, "n")?);
        let e = strip_leading_zeros(members::bytes(member, "e")?);
        let bits = bit_length(&n);
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) || n.last()? & 1 == 0 {
            return None;
        }
        let e_last = *e.last()?;
        if e.len() > MAX_EXPONENT_LEN || e_last & 1 == 0 || (e.len() == 1 && e_last < 3) {
            return None;
        }
        let key = Self {
            n: n.into_boxed_slice(),
            e: e.into_boxed_slice(),
            parsed: Default::default(),
        };
        // Parse once now so that a key aws-lc refuses is ignored rather than failing later.
        key.parsed_for(pinned.unwrap_or(JwsAlgorithm::RS256))?;
        Some(key)
    }

    fn parsed_for(&self, alg: JwsAlgorithm) -> Option<&aws_lc_rs::signature::ParsedPublicKey> {
        let slot = self.parsed.get(alg.rsa_index()?)?;
        if let Some(key) = slot.get() {
            return Some(key);
        }
        let components = PublicKeyComponents {
            n: &*self.n,
            e: &*self.e,
        };
        let key = components
            .to_parsed_public_key(alg.rsa_parameters()?)
            .ok()?;
        // Another thread may have won the race; either value is the same key.
        let _ = slot.set(key);
        slot.get()
    }

    pub(super) fn verify(&self, alg: JwsAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        self.parsed_for(alg)
            .is_some_and(|key| key.verify_sig(message, signature).is_ok())
    }
}

fn strip_leading_zeros(mut bytes: Vec<u8>) -> Vec<u8> {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    bytes.drain(..zeros);
    bytes
}

fn bit_length(be: &[u8]) -> usize {
    match be.first() {
        None => 0,
        Some(first) => (be.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_length(&[]), 0);
        assert_eq!(bit_length(&[1]), 1);
        assert_eq!(bit_length(&[0x80, 0]), 16);
        assert_eq!(bit_length(&[0x7f; 256]), 2047);
        assert_eq!(strip_leading_zeros(vec![0, 0, 1, 0]), [1, 0]);
        assert!(strip_leading_zeros(vec![0, 0]).is_empty());
    }
}
