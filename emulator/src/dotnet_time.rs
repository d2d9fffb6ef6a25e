//! Timestamps written the way ASP.NET's JSON writers write a UTC `DateTime`, and parsed from seeds.
//! Formatting only; the clock is read by the callers.

use std::time::SystemTime;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How many fractional digits the stored value keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precision {
    /// .NET ticks (100 ns): what the API answers right after creating a secret.
    Ticks,
    /// Milliseconds: what the API lists later (the value went through a millisecond-precision store).
    Millis,
}

/// `2024-05-27T14:26:36.9981013Z`: UTC, `Z`, and the fraction with trailing zeros trimmed
/// (as `System.Text.Json` and Json.NET do), so it has at most 7 digits and none when it is zero.
pub(crate) fn format(t: SystemTime, precision: Precision) -> String {
    let dt = OffsetDateTime::from(t);
    let nanos = dt.nanosecond();
    let (value, width) = match precision {
        Precision::Ticks => (nanos / 100, 7),
        Precision::Millis => (nanos / 1_000_000, 3),
    };
    let digits = format!("{value:0width$}");
    let trimmed = digits.trim_end_matches('0');
    let fraction = if trimmed.is_empty() {
        String::new()
    } else {
        format!(".{trimmed}")
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
    )
}

/// Parses an RFC 3339 timestamp (as written in a seed file).
pub(crate) fn parse(text: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(text, &Rfc3339)
        .ok()
        .map(SystemTime::from)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn at(secs: u64, nanos: u32) -> SystemTime {
        UNIX_EPOCH + Duration::new(secs, nanos)
    }

    #[test]
    fn seven_digits_like_the_documentation() {
        let t = parse("2024-05-27T14:26:36.9981013Z").unwrap();
        assert_eq!(format(t, Precision::Ticks), "2024-05-27T14:26:36.9981013Z");
        assert_eq!(format(t, Precision::Millis), "2024-05-27T14:26:36.998Z");
    }

    #[test]
    fn trailing_zeros_are_trimmed() {
        assert_eq!(
            format(at(0, 120_000_000), Precision::Ticks),
            "1970-01-01T00:00:00.12Z"
        );
        assert_eq!(format(at(0, 0), Precision::Ticks), "1970-01-01T00:00:00Z");
        assert_eq!(format(at(0, 99), Precision::Ticks), "1970-01-01T00:00:00Z");
        assert_eq!(
            format(at(0, 843_000_000), Precision::Millis),
            "1970-01-01T00:00:00.843Z"
        );
    }

    #[test]
    fn parse_rejects_garbage() {
        assert!(parse("yesterday").is_none());
        assert!(parse("2024-05-27T13:46:31.843Z").is_some());
    }
}
