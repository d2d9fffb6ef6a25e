//! Reading JSON with `serde_json`, strictly and without echoing input.
//!
//! [`Field`] is one member's value seen shallowly: the parsers check each
//! field's type themselves, so their errors name the field and never quote
//! what the server sent. [`parse`] turns a `serde_json` error into a reason
//! that says where parsing failed, never what the input held.
//!
//! What stays strict: RFC 8259 grammar only (`serde_json` refuses trailing
//! commas, comments, lone surrogates and trailing characters); a repeated
//! member of a known field is refused (serde's derive); integers are exact
//! (`u64` or refused, never a float); nesting is bounded by `serde_json`'s
//! recursion limit (128) where values are read and skipped without recursion
//! where they are ignored; an array keeps at most [`MAX_ITEMS`] items. The
//! 1 MiB cap is the callers' (checked first). serde_json's
//! `arbitrary_precision` feature must stay off in any build of this crate:
//! it would hand every number to [`Field`] as a map.

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// One JSON value, seen shallowly. Strings borrow from the input unless
/// they hold escapes; a number is kept only as an exact non-negative integer.
#[derive(Debug, Default, PartialEq)]
pub(crate) enum Field<'a> {
    /// The member is not there.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A string.
    Str(Cow<'a, str>),
    /// A non-negative integer that fits a `u64`.
    Uint(u64),
    /// Any other number, an array or an object (skipped, not kept).
    Other,
}

impl<'a> Field<'a> {
    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Field::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The string, moved out (no copy when it held escapes).
    pub(crate) fn into_string(self) -> Option<String> {
        match self {
            Field::Str(s) => Some(s.into_owned()),
            _ => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(FieldVisitor)
    }
}

struct FieldVisitor;

impl<'de> Visitor<'de> for FieldVisitor {
    type Value = Field<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Field::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Field::Uint(v))
    }

    // serde_json hands non-negative integers to `visit_u64`: these are
    // negative integers and floats (including integers past `u64::MAX`).
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Field::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Field::Other)
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Field::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Field::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Field::Other)
    }
}

/// At most this many items of an array are kept (the record keeps 16 of
/// any list); the rest are skipped, so a hostile array costs no memory.
pub(crate) const MAX_ITEMS: usize = 64;

/// A value that must be an object of shape `T`, or anything else (kept as
/// [`Shape::Other`], so the caller names the field in its own error).
#[derive(Debug, Default)]
pub(crate) enum Shape<T> {
    /// The member is not there.
    #[default]
    Absent,
    /// `null`.
    Null,
    /// An object, read as `T`.
    Object(T),
    /// An array: its first [`MAX_ITEMS`] items, each an object read as `T`
    /// or `None` for anything else (skipped, not kept).
    Array(Vec<Option<T>>),
    /// A string, number or boolean.
    Other,
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shape<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ShapeVisitor(std::marker::PhantomData))
    }
}

struct ShapeVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ShapeVisitor<T> {
    type Value = Shape<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(Shape::Other)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Shape::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while items.len() < MAX_ITEMS {
            match seq.next_element::<Shape<T>>()? {
                Some(Shape::Object(item)) => items.push(Some(item)),
                Some(_) => items.push(None),
                None => return Ok(Shape::Array(items)),
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Shape::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Shape::Object)
    }
}

/// Where and why a document could not be read, quoting nothing from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonError {
    /// The reason, with a line and column.
    pub(crate) reason: String,
    /// Not JSON at all (grammar or truncation), rather than JSON of the
    /// wrong shape (a repeated field, a wrong type).
    pub(crate) syntax: bool,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// Parses one JSON document (RFC 8259, surrounded by optional whitespace).
///
/// # Errors
/// Where and why parsing failed, never what the input held.
pub(crate) fn parse<'a, T: Deserialize<'a>>(input: &'a [u8]) -> Result<T, JsonError> {
    serde_json::from_str(utf8(input)?).map_err(|e| JsonError {
        reason: reason(&e),
        syntax: !e.is_data(),
    })
}

/// The whole input as UTF-8, checked once up front: serde_json checks only
/// the strings it reads, not those it skips. (A lone `\ud800` escape in a
/// skipped member still passes: serde_json does not decode it.)
fn utf8(input: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(input).map_err(|e| JsonError {
        reason: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        syntax: true,
    })
}

/// [`parse`] through a seed (a reader that keeps state of its own).
///
/// # Errors
/// As [`parse`].
pub(crate) fn parse_seed<'a, S: DeserializeSeed<'a>>(
    input: &'a [u8],
    seed: S,
) -> Result<S::Value, JsonError> {
    let mut deserializer = serde_json::Deserializer::from_str(utf8(input)?);
    seed.deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| JsonError {
            reason: reason(&e),
            syntax: !e.is_data(),
        })
}

/// A `serde_json` error as a reason that quotes nothing from the input.
///
/// Syntax and end-of-input errors are fixed texts with a position. Data
/// errors are serde's "missing field"/"duplicate field" (naming our own
/// field names), or a wrong type, whose message quotes the value found:
/// only what was expected is kept.
fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if !e.is_data() || text.starts_with("missing field") || text.starts_with("duplicate field") {
        return text;
    }
    let expected = text
        .rsplit_once(", expected ")
        .map_or("another type", |(_, exp)| {
            exp.rsplit_once(" at line ").map_or(exp, |(exp, _)| exp)
        });
    format!(
        "a value of the wrong type (expected {expected}) at line {} column {}",
        e.line(),
        e.column()
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Probe<'a> {
        #[serde(borrow, default)]
        a: Field<'a>,
        #[serde(borrow, default)]
        n: Field<'a>,
    }

    fn probe(text: &str) -> Result<Probe<'_>, String> {
        parse(text.as_bytes()).map_err(|e| e.reason)
    }

    #[test]
    fn fields_keep_strings_and_exact_integers() {
        let p = probe(r#" {"a": "x\"\\\/\n\u00e9\ud83d\ude00", "n": 18446744073709551615, "z": [1, {"b": []}]} "#)
            .unwrap();
        assert_eq!(p.a.as_str(), Some("x\"\\/\né😀"));
        assert_eq!(p.n, Field::Uint(u64::MAX));
        for (n, field) in [
            ("18446744073709551616", Field::Other),
            ("1.0", Field::Other),
            ("1e3", Field::Other),
            ("-1", Field::Other),
            ("-0", Field::Other),
            ("null", Field::Null),
            ("true", Field::Bool(true)),
            ("[]", Field::Other),
            ("{}", Field::Other),
        ] {
            assert_eq!(probe(&format!(r#"{{"n": {n}}}"#)).unwrap().n, field, "{n}");
        }
        assert_eq!(probe("{}").unwrap().n, Field::Absent);
        assert!(matches!(
            probe(r#"{"a": "plain"}"#).unwrap().a,
            Field::Str(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn refuses_what_is_not_json_and_repeated_fields() {
        for bad in [
            "",
            " ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "01",
            "1.",
            "-",
            "1e",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "tru",
            "nul",
            "[1 2]",
            "{\"a\" 1}",
            "{1:2}",
            "\"a\nb\"",
            "1 2",
            "\u{feff}{}",
            "{} x",
            "{\"a\": 1} // c",
        ] {
            assert!(probe(bad).is_err(), "{bad:?}");
        }
        assert!(
            parse::<Probe<'_>>(&[b'{', b'"', b'a', b'"', b':', b'"', 0xff, b'"', b'}'])
                .unwrap_err()
                .syntax
        );
        // Also in a member that is skipped, and a lone surrogate in one that is read.
        assert!(
            parse::<Probe<'_>>(&[b'{', b'"', b'z', b'"', b':', b'"', 0xff, b'"', b'}'])
                .unwrap_err()
                .syntax
        );
        assert!(probe(r#"{"a": "\ud800"}"#).is_err());
        let twice = probe(r#"{"a": "x", "a": "y"}"#).unwrap_err();
        assert!(twice.starts_with("duplicate field `a`"), "{twice}");
    }

    #[test]
    fn deep_nesting_is_refused_or_skipped_without_recursion() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let e = parse::<Shape<Probe<'_>>>(deep.as_bytes()).unwrap_err();
        assert!(e.syntax && e.reason.contains("recursion limit"), "{e}");
        let ignored = format!("{{\"z\": {deep}}}");
        assert!(
            probe(&ignored).is_ok(),
            "an ignored member is skipped iteratively"
        );
        let many = format!("[{}{{}}]", "{}, 1, ".repeat(10_000));
        let Ok(Shape::Array(items)) = parse::<Shape<Probe<'_>>>(many.as_bytes()) else {
            panic!("an array");
        };
        assert_eq!(items.len(), MAX_ITEMS, "the rest skipped");
        assert!(items[0].is_some() && items[1].is_none());
    }

    #[test]
    fn errors_never_quote_the_input() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Typed {
            n: u64,
        }
        let e = parse::<Typed>(br#"{"n": "CANARY-secret, expected nothing"}"#).unwrap_err();
        assert!(!e.syntax && !e.reason.contains("CANARY"), "{e}");
        assert!(
            e.reason.contains("expected u64") && e.reason.contains("line 1"),
            "{e}"
        );
        let e = parse::<Shape<Typed>>(br#"{"CANARY": 1}"#).unwrap_err();
        assert_eq!(e.reason, "missing field `n` at line 1 column 13");
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Mixed {
        #[serde(default)]
        a: Option<u64>,
        #[serde(default)]
        b: Option<bool>,
        #[serde(default)]
        c: Option<String>,
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]

        /// Whatever the bytes, a parse ends in a value or a reason, and a
        /// reason never holds the input's strings (runs of 8 capitals).
        #[test]
        fn never_panics_nor_echoes(text in r#"\{("[abcd]": ?([0-9.eE+\-]{1,6}|"[A-Z]{8}"|\[\]|null|true),? ?){0,4}\}?"#) {
            if let Err(e) = parse::<Mixed>(text.as_bytes()) {
                let capitals = e.reason.chars().fold((0, 0), |(run, max), c| {
                    let run = if c.is_ascii_uppercase() { run + 1 } else { 0 };
                    (run, max.max(run))
                });
                proptest::prop_assert!(capitals.1 < 8, "{}", e);
            }
        }
    }
}
