//! Short, scrubbed excerpts of response bodies for error messages. Long
//! token-like runs are replaced before truncation, so no secret leaks in part.

use crate::http::HttpRequest;
use zeroize::Zeroizing;

/// The longest excerpt kept, in characters.
pub const EXCERPT_CHARS: usize = 200;
/// Runs of token-like characters this long or longer are redacted.
const MIN_SECRET_RUN: usize = 16;
/// Put in place of a body that may hold a secret.
pub(crate) const WITHHELD: &str = "[withheld: body may hold credentials]";

/// A scrubbed, shortened excerpt of a body.
#[must_use]
pub fn scrub_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::new();
    let mut run = String::new();
    for c in text.chars() {
        if is_token_char(c) {
            run.push(c);
            continue;
        }
        flush(&mut out, &mut run);
        out.push(if c.is_control() { ' ' } else { c });
        if out.chars().count() > EXCERPT_CHARS * 2 {
            break;
        }
    }
    flush(&mut out, &mut run);
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() > EXCERPT_CHARS {
        let cut: String = collapsed.chars().take(EXCERPT_CHARS).collect();
        format!("{cut}…")
    } else if collapsed.is_empty() {
        "(empty)".to_owned()
    } else {
        collapsed
    }
}

/// What a request sent that must never come back in an error: the
/// `client_secret` and `password` of a token request's form, and a bearer
/// token, each as sent and as a server might echo it (form-encoded,
/// `%20`-encoded, JSON-escaped). Longest first.
pub(crate) fn sent_secrets(request: &HttpRequest) -> Vec<Zeroizing<String>> {
    let mut values: Vec<Zeroizing<String>> = form_urlencoded::parse(&request.body)
        .filter(|(k, _)| k == "client_secret" || k == "password")
        .map(|(_, v)| Zeroizing::new(v.into_owned()))
        .collect();
    if let Some(token) = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
    {
        values.push(Zeroizing::new(token.to_owned()));
    }
    let mut out: Vec<Zeroizing<String>> = Vec::new();
    for v in values.iter().filter(|v| !v.is_empty()) {
        let form: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
        let percent = form.replace('+', "%20");
        let json = json_escaped(v);
        let slash = json.replace('/', "\\/");
        let variants = [v.to_string(), form, percent, json, slash].map(Zeroizing::new);
        for variant in variants {
            if !out.contains(&variant) {
                out.push(variant);
            }
        }
    }
    out.sort_by_key(|n| std::cmp::Reverse(n.len()));
    out
}

/// A body with every occurrence of each of `sent` replaced by `[redacted]`.
pub(crate) fn without_sent(body: &[u8], sent: &[Zeroizing<String>]) -> Vec<u8> {
    let mut text = body.to_vec();
    for needle in sent {
        text = replace_bytes(&text, needle.as_bytes(), b"[redacted]");
    }
    text
}

fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack.get(i..i + needle.len()) == Some(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.extend_from_slice(haystack.get(i..=i).unwrap_or_default());
            i += 1;
        }
    }
    out
}

fn json_escaped(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// Scrubs a short server-provided string such as an `error_description`.
#[must_use]
pub(crate) fn scrub_text(text: &str) -> String {
    scrub_excerpt(text.as_bytes())
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+' | '/' | '=' | '.' | '~')
}

/// Long runs look like secrets when they mix digits in, or mix cases
/// (`invalid_username_or_password` and `application/json` stay readable).
fn looks_secret(run: &str) -> bool {
    let digit = run.chars().any(|c| c.is_ascii_digit());
    let upper = run.chars().any(|c| c.is_ascii_uppercase());
    let lower = run.chars().any(|c| c.is_ascii_lowercase());
    run.chars().count() >= MIN_SECRET_RUN && (digit || (upper && lower))
}

fn flush(out: &mut String, run: &mut String) {
    if looks_secret(run) {
        out.push_str("[redacted]");
    } else {
        out.push_str(run);
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_runs_are_redacted_before_truncation() {
        let secret = "Pv2A7iGsui9ys8bMn0m5J4uuhswt2AdMGOr6c0SzWK9zxFR4Cx26Cge2";
        let body = format!("{}{{\"secret\":\"{secret}\"", " ".repeat(150));
        let e = scrub_excerpt(body.as_bytes());
        assert!(!e.contains("Pv2A7iGsui9ys8bM"), "{e}");
        assert!(e.contains("[redacted]"));
    }

    #[test]
    fn short_words_survive_and_length_is_capped() {
        assert_eq!(
            scrub_excerpt(b"<h1>Bad Gateway</h1>\r\n"),
            "<h1>Bad Gateway</h1>"
        );
        assert_eq!(scrub_excerpt(b""), "(empty)");
        assert_eq!(
            scrub_excerpt(b"invalid_username_or_password"),
            "invalid_username_or_password"
        );
        assert_eq!(
            scrub_excerpt(b"token 0123456789abcdef0123"),
            "token [redacted]"
        );
        let long = "word ".repeat(200);
        assert!(scrub_excerpt(long.as_bytes()).chars().count() <= EXCERPT_CHARS + 1);
    }
}
