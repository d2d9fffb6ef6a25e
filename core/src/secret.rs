//! Newtypes for values that must never be printed: client secrets, passwords
//! and access tokens. `Debug`/`Display` redact, access is explicit, memory is
//! zeroized on drop and equality is constant-time.

use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Zeroize, ZeroizeOnDrop)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            #[must_use]
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The raw value. Every call site says why it needs it.
            #[must_use]
            pub fn expose_secret(&self) -> &str {
                &self.0
            }

            /// Whether the value is empty.
            #[must_use]
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
            }
        }

        impl Eq for $name {}
    };
}

secret_type!(
    /// A client secret, as used with the `client_credentials` grant.
    ClientSecret
);
secret_type!(
    /// A user's password, as used with the `password` grant.
    Password
);
secret_type!(
    /// A bearer access token.
    AccessToken
);

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "CANARY-7f3a9c1e-do-not-print";

    #[test]
    fn debug_and_display_redact() {
        let s = ClientSecret::new(CANARY);
        let p = Password::new(CANARY);
        let t = AccessToken::new(CANARY);
        for text in [
            format!("{s:?} {s} {s:#?}"),
            format!("{p:?} {p}"),
            format!("{t:?} {t}"),
        ] {
            assert!(!text.contains(CANARY), "{text}");
            assert!(text.contains("[redacted]"));
        }
        assert_eq!(s.expose_secret(), CANARY);
    }

    #[test]
    fn equality_compares_values() {
        assert_eq!(ClientSecret::new("a"), ClientSecret::new("a"));
        assert_ne!(ClientSecret::new("a"), ClientSecret::new("ab"));
        assert_ne!(ClientSecret::new("a"), ClientSecret::new("b"));
    }
}
