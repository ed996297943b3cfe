//! JWS signature algorithms this crate verifies (RFC 7518 §3, RFC 8037 §3.1).
//!
//! Only asymmetric algorithms exist here: `none` and the HMAC family cannot be named, so they
//! can never be allowed, and a public key can never be used as an HMAC secret (RFC 8725 §2.1,
//! §3.1; CVE-2022-23541, CVE-2024-37568 and `Keats/jsonwebtoken#41` are of that class).

use std::fmt;

use aws_lc_rs::signature;

/// An asymmetric JWS algorithm accepted for access tokens.
///
/// The default allow-list of [`JwtVerifier`](super::JwtVerifier) is every variant;
/// [`JwtVerifier::with_algorithms`](super::JwtVerifier::with_algorithms) narrows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3).
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1 (RFC 7518 §3.5).
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256, fixed-length `R‖S` signature (RFC 7518 §3.4).
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// EdDSA on Ed25519 (RFC 8037 §3.1).
    EdDSA,
}

/// The family of key an algorithm needs (RFC 7517 `kty`, and the curve where one applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyFamily {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

impl JwsAlgorithm {
    /// Every supported algorithm, in a fixed order.
    pub const ALL: [Self; 10] = [
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
    ];

    /// The registered `alg` name (RFC 7518 §3.1, RFC 8037 §3.1).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The algorithm with this exact (case-sensitive) `alg` name, if supported.
    ///
    /// `none`, `HS256` and every other name return `None`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|alg| alg.as_str() == name)
    }

    pub(crate) fn family(self) -> KeyFamily {
        match self {
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                KeyFamily::Rsa
            }
            Self::ES256 => KeyFamily::P256,
            Self::ES384 => KeyFamily::P384,
            Self::ES512 => KeyFamily::P521,
            Self::EdDSA => KeyFamily::Ed25519,
        }
    }

    /// Position among the RSA algorithms (for per-algorithm parsed keys), if RSA.
    pub(crate) fn rsa_index(self) -> Option<usize> {
        match self {
            Self::RS256 => Some(0),
            Self::RS384 => Some(1),
            Self::RS512 => Some(2),
            Self::PS256 => Some(3),
            Self::PS384 => Some(4),
            Self::PS512 => Some(5),
            _ => None,
        }
    }

    /// The RSA parameters (key size range 2048..=8192 bits), if RSA.
    pub(crate) fn rsa_parameters(self) -> Option<&'static signature::RsaParameters> {
        Some(match self {
            Self::RS256 => &signature::RSA_PKCS1_2048_8192_SHA256,
            Self::RS384 => &signature::RSA_PKCS1_2048_8192_SHA384,
            Self::RS512 => &signature::RSA_PKCS1_2048_8192_SHA512,
            Self::PS256 => &signature::RSA_PSS_2048_8192_SHA256,
            Self::PS384 => &signature::RSA_PSS_2048_8192_SHA384,
            Self::PS512 => &signature::RSA_PSS_2048_8192_SHA512,
            _ => return None,
        })
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of algorithms, as a bit mask (the allow-list is checked per request).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct AlgorithmSet(u16);

impl AlgorithmSet {
    pub(crate) const ALL: Self = {
        let mut bits = 0u16;
        let mut i = 0;
        while i < JwsAlgorithm::ALL.len() {
            bits |= 1 << i;
            i += 1;
        }
        Self(bits)
    };

    pub(crate) fn from_iter(algs: impl IntoIterator<Item = JwsAlgorithm>) -> Self {
        Self(algs.into_iter().fold(0, |bits, alg| bits | alg.bit()))
    }

    pub(crate) fn contains(self, alg: JwsAlgorithm) -> bool {
        self.0 & alg.bit() != 0
    }

    pub(crate) fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl fmt::Debug for AlgorithmSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set()
            .entries(JwsAlgorithm::ALL.into_iter().filter(|a| self.contains(*a)))
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_none() {
        for alg in JwsAlgorithm::ALL {
            assert_eq!(JwsAlgorithm::from_name(alg.as_str()), Some(alg));
        }
        for name in [
            "none", "None", "HS256", "HS512", "rs256", "ES256K", "", "RSA-OAEP",
        ] {
            assert_eq!(JwsAlgorithm::from_name(name), None, "{name}");
        }
    }

    #[test]
    fn sets() {
        assert!(
            JwsAlgorithm::ALL
                .into_iter()
                .all(|a| AlgorithmSet::ALL.contains(a))
        );
        let set = AlgorithmSet::from_iter([JwsAlgorithm::RS256]);
        assert!(set.contains(JwsAlgorithm::RS256));
        assert!(!set.contains(JwsAlgorithm::PS256));
        assert!(AlgorithmSet::from_iter([]).is_empty());
        assert_eq!(format!("{set:?}"), "{RS256}");
    }
}
