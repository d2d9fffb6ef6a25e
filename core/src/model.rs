//! The API's values once parsed: [`Token`], [`SecretInfo`] (a listed secret,
//! never its value), [`CreatedSecret`] (shown once) and [`Timestamp`].

use crate::secret::{AccessToken, ClientSecret};
use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

/// An access token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The bearer token.
    pub access_token: AccessToken,
    /// Always `Bearer` (checked case-insensitively while parsing).
    pub token_type: String,
    /// Lifetime in seconds, if the server said.
    pub expires_in: Option<u64>,
    /// Granted scopes, space-separated.
    pub scope: Option<String>,
}

/// A secret as listed: its metadata, never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    /// The secret's id.
    pub id: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// The client it belongs to, if the server said.
    pub client_id: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
}

/// A secret just created. Its value is shown this once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSecret {
    /// The new secret's id.
    pub id: String,
    /// Its description, if any.
    pub description: Option<String>,
    /// When it was created.
    pub created_at: Timestamp,
    /// The secret itself.
    pub secret: ClientSecret,
}

/// A point in time parsed from the API, kept with its original text.
#[derive(Clone, PartialEq, Eq)]
pub struct Timestamp {
    at: OffsetDateTime,
    raw: String,
}

impl Timestamp {
    /// Parses RFC 3339 with any number of fractional digits (the API sends
    /// up to 7). A timestamp without an offset is taken as UTC.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::parse_owned(text.to_owned())
    }

    /// [`Timestamp::parse`], keeping `text` as the original without a copy.
    pub(crate) fn parse_owned(text: String) -> Option<Self> {
        let at = OffsetDateTime::parse(&text, &Rfc3339).ok().or_else(|| {
            let with_z = format!("{text}Z");
            OffsetDateTime::parse(&with_z, &Rfc3339).ok()
        })?;
        // `checked_`: an offset that moves the date past year 9999 is refused, not a panic.
        Some(Self {
            at: at.checked_to_offset(UtcOffset::UTC)?,
            raw: text,
        })
    }

    /// A timestamp from Unix milliseconds.
    #[must_use]
    pub fn from_unix_millis(ms: u64) -> Self {
        let nanos = i128::from(ms) * 1_000_000;
        let at =
            OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        let raw = at.format(&Rfc3339).unwrap_or_default();
        Self { at, raw }
    }

    /// Milliseconds since the Unix epoch (negative before it).
    #[must_use]
    pub fn unix_millis(&self) -> i64 {
        i64::try_from(self.at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
    }

    /// The text as the server sent it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Normalised RFC 3339 in UTC.
    #[must_use]
    pub fn to_rfc3339(&self) -> String {
        self.at
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.raw.clone())
    }

    /// The parsed time.
    #[must_use]
    pub fn datetime(&self) -> OffsetDateTime {
        self.at
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.raw)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn seven_and_three_digit_fractions() {
        let a = Timestamp::parse("2024-05-27T14:26:36.9981013Z").unwrap();
        assert_eq!(a.unix_millis(), 1_716_819_996_998);
        let b = Timestamp::parse("2024-05-27T13:46:31.843Z").unwrap();
        assert_eq!(b.unix_millis(), 1_716_817_591_843);
        let c = Timestamp::parse("2024-05-27T13:46:31.843").unwrap();
        assert_eq!(c.unix_millis(), b.unix_millis());
        assert!(Timestamp::parse("yesterday").is_none());
        assert!(Timestamp::parse("2024-13-27T13:46:31Z").is_none());
    }
}
