//! Minting and hashing of secrets, secret ids and access tokens.
//! Plaintext only passes through here; what is kept is a SHA-256 digest, compared in constant time.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;

/// Length of a minted client secret, as in the API documentation's example.
pub(crate) const SECRET_LEN: usize = 96;

/// A SHA-256 digest of a secret, a password or a token.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Digest([u8; 32]);

impl Digest {
    /// Hashes `plain`.
    pub(crate) fn of(plain: &str) -> Self {
        Self(Sha256::digest(plain.as_bytes()).into())
    }

    /// Parses 64 hex characters (a digest given in a seed file).
    pub(crate) fn from_hex(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (slot, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
            let hi = hex_value(*pair.first()?)?;
            let lo = hex_value(*pair.get(1)?)?;
            *slot = (hi << 4) | lo;
        }
        Some(Self(out))
    }

    /// Compares in constant time.
    pub(crate) fn matches(&self, other: &Digest) -> bool {
        bool::from(self.0.ct_eq(&other.0))
    }

    /// Lowercase hex, for `Debug`.
    pub(crate) fn to_hex(self) -> String {
        to_hex(&self.0)
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sha256:{}", self.to_hex())
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// A fresh client secret: 96 alphanumeric characters from the thread-local CSPRNG
/// (ChaCha, seeded from the OS).
pub(crate) fn mint_secret() -> String {
    alphanumeric(SECRET_LEN)
}

/// A fresh opaque access token.
pub(crate) fn mint_token() -> String {
    alphanumeric(64)
}

fn alphanumeric(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A fresh secret id: 24 lowercase hex characters shaped like a MongoDB ObjectId
/// (4 bytes of Unix seconds, then 8 random bytes).
pub(crate) fn mint_secret_id(now: SystemTime) -> String {
    let secs = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let secs = u32::try_from(secs).unwrap_or(u32::MAX);
    let tail: [u8; 8] = rand::rng().random();
    format!("{}{}", to_hex(&secs.to_be_bytes()), to_hex(&tail))
}

/// A W3C trace id as ASP.NET puts in problem details (`00-<32 hex>-<16 hex>-00`).
pub(crate) fn mint_trace_id() -> String {
    let trace: [u8; 16] = rand::rng().random();
    let span: [u8; 8] = rand::rng().random();
    format!("00-{}-{}-00", to_hex(&trace), to_hex(&span))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn minted_secrets_look_like_the_documentation() {
        let s = mint_secret();
        assert_eq!(s.len(), 96);
        assert!(s.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(s, mint_secret());
    }

    #[test]
    fn secret_ids_are_24_lowercase_hex() {
        let id = mint_secret_id(SystemTime::now());
        assert_eq!(id.len(), 24);
        assert!(id.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    }

    #[test]
    fn digest_round_trips_through_hex() {
        let d = Digest::of("hello");
        assert_eq!(
            d.to_hex(),
            "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert!(Digest::from_hex(&d.to_hex()).unwrap().matches(&d));
        assert!(!Digest::of("hellO").matches(&d));
        assert!(Digest::from_hex("zz").is_none());
    }
}
