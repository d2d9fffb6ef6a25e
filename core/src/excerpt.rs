//! Short, scrubbed excerpts of response bodies for error messages. Long
//! token-like runs are replaced before truncation, so no secret leaks in part.

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
