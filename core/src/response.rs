//! Pure response parsers, one per endpoint. Each checks, in order: the body
//! size, the status (with the RFC 6749 error JSON), the content type, the body.

use crate::error::{Error, OAuthError, RetryAfter};
use crate::excerpt::{WITHHELD, scrub_excerpt, scrub_text};
use crate::http::HttpResponse;
use crate::model::{CreatedSecret, SecretInfo, Timestamp, Token};
use crate::secret::{AccessToken, ClientSecret};
use crate::wire::{self, Field, Shape};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Bodies larger than this are refused with a typed error.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// Parses a `connect/token` response.
///
/// # Errors
/// The server's refusal ([`Error::InvalidClient`], [`Error::InvalidGrant`], ...)
/// or [`Error::UnexpectedResponse`]; the body is never echoed, as it may hold a token.
pub fn parse_token(response: &HttpResponse) -> Result<Token, Error> {
    // RFC 6749 §5.2: a 401 from the token endpoint is a failed client
    // authentication, body or not; never "unauthorized" (a refused bearer
    // token), so a new secret still propagating is waited for.
    if response.status == 401 && oauth_error(&response.body).is_none() {
        return Err(Error::InvalidClient {
            status: 401,
            oauth: OAuthError {
                code: "invalid_client".to_owned(),
                description: Some("HTTP 401 without an RFC 6749 error body".to_owned()),
                uri: None,
            },
        });
    }
    let body: TokenBody<'_> = json_object(response, true)?;
    let bad = |reason: &str| unexpected(response, reason, true);
    let access_token = match body.access_token {
        Field::Str(s) if is_b64token(&s) => AccessToken::new(s.into_owned()),
        Field::Str(_) => {
            return Err(bad(
                "field `access_token` is not an RFC 6750 token (letters, digits, -._~+/ then =)",
            ));
        }
        Field::Absent => return Err(bad("missing field `access_token`")),
        _ => return Err(bad("field `access_token` must be a non-empty string")),
    };
    let token_type = match body.token_type {
        Field::Str(s) if s.eq_ignore_ascii_case("bearer") => s.into_owned(),
        Field::Str(_) => return Err(bad("field `token_type` is not `Bearer`")),
        Field::Absent => return Err(bad("missing field `token_type`")),
        _ => return Err(bad("field `token_type` must be a string")),
    };
    let expires_in = match body.expires_in {
        Field::Absent | Field::Null => None,
        Field::Uint(n) => Some(n),
        _ => return Err(bad("field `expires_in` must be a non-negative integer")),
    };
    let scope = optional_string(body.scope, "scope").map_err(|r| bad(&r))?;
    Ok(Token {
        access_token,
        token_type,
        expires_in,
        scope,
    })
}

/// A token response's members (RFC 6749 §5.1); others are ignored.
#[derive(Deserialize)]
struct TokenBody<'a> {
    #[serde(borrow, default)]
    access_token: Field<'a>,
    #[serde(borrow, default)]
    token_type: Field<'a>,
    #[serde(borrow, default)]
    expires_in: Field<'a>,
    #[serde(borrow, default)]
    scope: Field<'a>,
}

/// A listed secret's members; others are ignored.
#[derive(Deserialize)]
struct SecretItem<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    description: Field<'a>,
    #[serde(borrow, default)]
    client_id: Field<'a>,
    #[serde(borrow, default, rename = "createdAt")]
    created_at: Field<'a>,
}

/// A created secret's members; others are ignored.
#[derive(Deserialize)]
struct CreatedBody<'a> {
    #[serde(borrow, default)]
    id: Field<'a>,
    #[serde(borrow, default)]
    description: Field<'a>,
    #[serde(borrow, default, rename = "createdAt")]
    created_at: Field<'a>,
    #[serde(borrow, default)]
    secret: Field<'a>,
}

/// An RFC 6749 §5.2 error body's members; others are ignored.
#[derive(Deserialize)]
struct ErrorBody<'a> {
    #[serde(borrow, default)]
    error: Field<'a>,
    #[serde(borrow, default)]
    error_description: Field<'a>,
    #[serde(borrow, default)]
    error_uri: Field<'a>,
}

/// Parses a `GET api/clientcredentials` response.
///
/// # Errors
/// The server's refusal or [`Error::UnexpectedResponse`].
pub fn parse_list(response: &HttpResponse) -> Result<Vec<SecretInfo>, Error> {
    bearer_refused(response)?;
    check_json(response, false)?;
    let mut refused = None;
    let seed = ListSeed {
        refused: &mut refused,
    };
    let parsed = wire::parse_seed(&response.body, seed);
    if let Some(reason) = refused {
        return Err(unexpected(response, &reason, false));
    }
    match parsed {
        Ok(Some(items)) => Ok(items),
        Ok(None) => Err(unexpected(response, "expected a JSON array", false)),
        Err(e) => Err(unexpected(
            response,
            &format!("malformed JSON ({e})"),
            false,
        )),
    }
}

/// Reads a list of secrets, converting each item as serde reads it (no
/// intermediate list). `None` when the document is not an array; the first
/// item refused stops the read and its reason is left in `refused`.
struct ListSeed<'r> {
    refused: &'r mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = Option<Vec<SecretInfo>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = Option<Vec<SecretInfo>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Shape<SecretItem<'de>>>()? {
            let i = items.len();
            match secret_info(item) {
                Ok(info) => items.push(info),
                Err(reason) => {
                    *self.refused = Some(format!("item {i}: {reason}"));
                    return Err(de::Error::custom("item refused"));
                }
            }
        }
        Ok(Some(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

fn secret_info(item: Shape<SecretItem<'_>>) -> Result<SecretInfo, String> {
    let Shape::Object(item) = item else {
        return Err("not an object".to_owned());
    };
    Ok(SecretInfo {
        id: required_string(item.id, "id")?,
        description: optional_string(item.description, "description")?,
        client_id: optional_string(item.client_id, "client_id")?,
        created_at: timestamp(item.created_at)?,
    })
}

/// Parses a `POST api/clientcredentials` response.
///
/// # Errors
/// The server's refusal or [`Error::UnexpectedResponse`]; the body is never
/// echoed, as it may hold the new secret.
pub fn parse_create(response: &HttpResponse) -> Result<CreatedSecret, Error> {
    bearer_refused(response)?;
    let body: CreatedBody<'_> = json_object(response, true)?;
    let bad = |r: String| unexpected(response, &r, true);
    let secret = match body.secret {
        Field::Str(s) if !s.is_empty() => ClientSecret::new(s.into_owned()),
        Field::Absent => return Err(bad("missing field `secret`".to_owned())),
        _ => return Err(bad("field `secret` must be a non-empty string".to_owned())),
    };
    Ok(CreatedSecret {
        id: required_string(body.id, "id").map_err(bad)?,
        description: optional_string(body.description, "description").map_err(bad)?,
        created_at: timestamp(body.created_at).map_err(bad)?,
        secret,
    })
}

/// Parses a `DELETE api/clientcredentials` response: any 2xx is success,
/// whatever the body.
///
/// # Errors
/// The server's refusal ([`Error::NotFound`], ...) or [`Error::UnexpectedResponse`].
pub fn parse_delete(response: &HttpResponse) -> Result<(), Error> {
    bearer_refused(response)?;
    check_size(response, false)?;
    check_status(response, false)
}

/// A resource endpoint's 401 means the bearer token was refused (RFC 6750),
/// whatever the body says: ASP.NET's JWT handler may add
/// `{"error":"invalid_token"}`, which is no OAuth error of the caller's
/// credentials. It is [`Error::Unauthorized`], so callers log in again.
fn bearer_refused(response: &HttpResponse) -> Result<(), Error> {
    if response.status == 401 {
        return Err(Error::Unauthorized {
            status: 401,
            bearer: response
                .header("www-authenticate")
                .and_then(bearer_challenge)
                .or_else(|| oauth_error(&response.body)),
        });
    }
    Ok(())
}

/// The `error` and `error_description` of a `Bearer` challenge (RFC 6750
/// §3, RFC 9110 §11.6.1 auth-params: token or quoted-string values).
/// `None` when there is no Bearer challenge or it names no error.
#[must_use]
pub fn bearer_challenge(header: &str) -> Option<OAuthError> {
    let rest = header.trim_start();
    let (scheme, params) = rest.split_at(rest.find(' ').unwrap_or(rest.len()));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut code = None;
    let mut description = None;
    let mut uri = None;
    let text = params;
    let mut chars = text.char_indices().peekable();
    loop {
        // Skip separators, read a name up to '='.
        while chars
            .next_if(|(_, c)| *c == ',' || c.is_whitespace())
            .is_some()
        {}
        let Some(&(start, _)) = chars.peek() else {
            break;
        };
        while chars.next_if(|(_, c)| *c != '=' && *c != ',').is_some() {}
        let end = chars.peek().map_or(text.len(), |(i, _)| *i);
        let name = text.get(start..end)?.trim();
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            continue;
        }
        let value = if chars.next_if(|(_, c)| *c == '"').is_some() {
            let mut value = String::new();
            while let Some((_, c)) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => value.extend(chars.next().map(|(_, c)| c)),
                    c => value.push(c),
                }
            }
            value
        } else {
            let mut value = String::new();
            while let Some((_, c)) = chars.next_if(|(_, c)| *c != ',') {
                value.push(c);
            }
            value.trim().to_owned()
        };
        match name.to_ascii_lowercase().as_str() {
            "error" => code = Some(error_code(&value)),
            "error_description" => description = Some(scrub_text(&value)),
            "error_uri" => uri = Some(scrub_text(&value)),
            _ => {}
        }
    }
    code.filter(|c| !c.is_empty()).map(|code| OAuthError {
        code,
        description,
        uri,
    })
}

/// RFC 6750's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
/// Nothing else may reach an `Authorization` header or a terminal.
#[must_use]
pub fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=').as_bytes();
    // A fold without early exit, of branch-free tests: the compiler checks
    // 16 bytes at a time (a JWT is ~1 KB, and this runs on every token).
    !body.is_empty() && body.iter().fold(true, |ok, &b| ok & is_b64token_byte(b))
}

fn is_b64token_byte(b: u8) -> bool {
    let letter = (b | 0x20).wrapping_sub(b'a') < 26;
    // `-` `.` `/` and the digits are one run, 0x2D to 0x39.
    let run = b.wrapping_sub(b'-') < 13;
    letter | run | (b == b'+') | (b == b'_') | (b == b'~')
}

/// Maps a non-2xx response to an error: a redirect is refused (naming only
/// its host), 429 and 5xx by status, then the RFC 6749 error JSON, then
/// 401/403/404, then anything else as unexpected.
#[must_use]
pub fn error_from_response(response: &HttpResponse) -> Error {
    error_for(response, false)
}

/// [`error_from_response`]; `sensitive` withholds every body that is not an
/// RFC 6749 error (the token endpoint's: it may echo the posted form).
fn error_for(response: &HttpResponse, sensitive: bool) -> Error {
    let status = response.status;
    let excerpt = || {
        if sensitive {
            WITHHELD.to_owned()
        } else {
            scrub_excerpt(&response.body)
        }
    };
    if (300..400).contains(&status) {
        return Error::UnexpectedResponse {
            status,
            content_type: content_type(response),
            reason: format!(
                "a redirect to {} refused: requests carrying credentials are never sent on",
                redirect_host(response)
            ),
            excerpt: "(not shown)".to_owned(),
        };
    }
    if status == 429 {
        let retry_after = response.header("retry-after").and_then(RetryAfter::parse);
        return Error::RateLimited {
            status,
            retry_after,
        };
    }
    if (500..600).contains(&status) {
        return Error::Server {
            status,
            excerpt: excerpt(),
        };
    }
    if let Some(oauth) = oauth_error(&response.body) {
        return match oauth.code.as_str() {
            "invalid_client" | "unauthorized_client" => Error::InvalidClient { status, oauth },
            "invalid_grant" => Error::InvalidGrant { status, oauth },
            _ => Error::OAuth { status, oauth },
        };
    }
    match status {
        401 => Error::Unauthorized {
            status,
            bearer: response
                .header("www-authenticate")
                .and_then(bearer_challenge),
        },
        403 => Error::Forbidden { status },
        404 => Error::NotFound { status },
        // 407 is a proxy to configure and 408 the server's timeout: not
        // the request's fault.
        400..=406 | 409..=499 => Error::BadRequest {
            status,
            excerpt: excerpt(),
        },
        _ => unexpected(response, "unexpected status", sensitive),
    }
}

/// The host of a redirect's `Location` (never its path or query, which may
/// carry a token), or what kind of target it was.
fn redirect_host(response: &HttpResponse) -> String {
    let Some(location) = response.header("location") else {
        return "nowhere (no Location header)".to_owned();
    };
    let Some((_, rest)) = location.split_once("://") else {
        return "a path on the same server".to_owned();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let clean: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .take(100)
        .collect();
    if clean.is_empty() {
        "an unreadable host".to_owned()
    } else {
        format!("host `{clean}`")
    }
}

fn check_status(response: &HttpResponse, sensitive: bool) -> Result<(), Error> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(error_for(response, sensitive))
    }
}

fn check_size(response: &HttpResponse, sensitive: bool) -> Result<(), Error> {
    if response.body.len() > MAX_BODY_BYTES {
        return Err(Error::UnexpectedResponse {
            status: response.status,
            content_type: content_type(response),
            reason: format!(
                "body of {} bytes exceeds the {MAX_BODY_BYTES}-byte cap",
                response.body.len()
            ),
            excerpt: if sensitive {
                WITHHELD.to_owned()
            } else {
                "(not shown)".to_owned()
            },
        });
    }
    Ok(())
}

/// The body as JSON of shape `T`, once its size, status and content type pass.
fn json_value<'a, T: Deserialize<'a>>(
    response: &'a HttpResponse,
    sensitive: bool,
) -> Result<Shape<T>, Error> {
    check_json(response, sensitive)?;
    wire::parse(&response.body)
        .map_err(|e| unexpected(response, &format!("malformed JSON ({e})"), sensitive))
}

/// The size, status and content type of a response expected to hold JSON.
fn check_json(response: &HttpResponse, sensitive: bool) -> Result<(), Error> {
    check_size(response, sensitive)?;
    check_status(response, sensitive)?;
    if response.header("content-type").is_some_and(is_json_type) {
        Ok(())
    } else {
        Err(unexpected(
            response,
            "expected a JSON content type",
            sensitive,
        ))
    }
}

/// `application/json` or any `+json` type (RFC 6839), parameters aside.
fn is_json_type(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let suffix = essence.len().checked_sub(5).and_then(|i| essence.get(i..));
    essence.eq_ignore_ascii_case("application/json")
        || suffix.is_some_and(|s| s.eq_ignore_ascii_case("+json"))
}

fn json_object<'a, T: Deserialize<'a>>(
    response: &'a HttpResponse,
    sensitive: bool,
) -> Result<T, Error> {
    match json_value(response, sensitive)? {
        Shape::Object(object) => Ok(object),
        _ => Err(unexpected(response, "expected a JSON object", sensitive)),
    }
}

fn oauth_error(body: &[u8]) -> Option<OAuthError> {
    let Ok(Shape::Object(body)) = wire::parse::<Shape<ErrorBody<'_>>>(body) else {
        return None;
    };
    let code = body.error.as_str()?;
    let text = |field: &Field<'_>| field.as_str().map(scrub_text);
    Some(OAuthError {
        code: error_code(code),
        description: text(&body.error_description),
        uri: text(&body.error_uri),
    })
}

/// RFC 6749 codes are short printable ASCII; kept exact, but bounded.
fn error_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_graphic())
        .take(64)
        .collect()
}

fn content_type(response: &HttpResponse) -> Option<String> {
    // A media type is short and carries no secret; cap it and drop control characters.
    response
        .header("content-type")
        .map(|ct| ct.chars().filter(|c| !c.is_control()).take(100).collect())
}

fn unexpected(response: &HttpResponse, reason: &str, sensitive: bool) -> Error {
    Error::UnexpectedResponse {
        status: response.status,
        content_type: content_type(response),
        reason: reason.to_owned(),
        excerpt: if sensitive {
            WITHHELD.to_owned()
        } else {
            scrub_excerpt(&response.body)
        },
    }
}

fn required_string(field: Field<'_>, key: &str) -> Result<String, String> {
    match field {
        Field::Str(s) if !s.is_empty() => Ok(s.into_owned()),
        Field::Absent => Err(format!("missing field `{key}`")),
        _ => Err(format!("field `{key}` must be a non-empty string")),
    }
}

fn optional_string(field: Field<'_>, key: &str) -> Result<Option<String>, String> {
    match field {
        Field::Absent | Field::Null => Ok(None),
        Field::Str(s) => Ok(Some(s.into_owned())),
        _ => Err(format!("field `{key}` must be a string or null")),
    }
}

fn timestamp(field: Field<'_>) -> Result<Timestamp, String> {
    let raw = required_string(field, "createdAt")?;
    Timestamp::parse_owned(raw)
        .ok_or_else(|| "field `createdAt` is not an RFC 3339 timestamp".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64token_bytes_are_exactly_rfc_6750s() {
        for b in 0..=u8::MAX {
            let rfc = b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
            assert_eq!(is_b64token_byte(b), rfc, "byte {b:#04x}");
        }
    }
}
