//! A small ASCII-only absolute URL for the auth server's base: scheme, host,
//! optional port and path. No IDNA tables (they would triple the wasm size);
//! internationalised hosts are given in their punycode (`xn--`) form.

use crate::error::Error;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// A validated base URL whose path always ends in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl {
    text: String,
    loopback: bool,
    https: bool,
}

impl BaseUrl {
    pub(crate) fn parse(input: &str) -> Result<Self, Error> {
        let bad = |reason: &str| Error::invalid_input("base_url", reason.to_owned());
        let input = input.trim();
        if !input.is_ascii() {
            return Err(bad(
                "must be ASCII; give an internationalised host in its punycode (xn--) form",
            ));
        }
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| bad("not an absolute URL (expected https://host)"))?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "https" && scheme != "http" {
            return Err(bad(&format!("unsupported scheme `{scheme}`; use https")));
        }
        if rest.contains('?') || rest.contains('#') {
            return Err(bad("must not have a query or fragment"));
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("must not carry credentials"));
        }
        let (host, port) = split_port(authority).ok_or_else(|| bad("has an invalid port"))?;
        let host = host.to_ascii_lowercase();
        let loopback = check_host(&host).ok_or_else(|| bad("has an invalid host"))?;
        if path
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_ascii_control() || c == '\\')
        {
            return Err(bad("has an invalid path"));
        }
        let mut text = format!("{scheme}://{host}");
        if let Some(p) = port {
            text.push_str(&format!(":{p}"));
        }
        text.push_str(path);
        if !text.ends_with('/') {
            text.push('/');
        }
        Ok(Self {
            text,
            loopback,
            https: scheme == "https",
        })
    }

    /// [`crate::config::DEFAULT_BASE_URL`], built without parsing.
    pub(crate) fn production() -> Self {
        Self {
            text: "https://auth.mapsindoors.com/".to_owned(),
            loopback: false,
            https: true,
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn is_https(&self) -> bool {
        self.https
    }

    pub(crate) fn is_loopback(&self) -> bool {
        self.loopback
    }

    /// The base joined with a relative path and an optional encoded query.
    pub(crate) fn join(&self, path: &str, query: Option<&str>) -> String {
        match query {
            Some(q) => format!("{}{path}?{q}", self.text),
            None => format!("{}{path}", self.text),
        }
    }
}

/// Splits `host[:port]`; `None` for a bad port.
fn split_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let end = authority.find(']')?;
        let (h, rest) = authority.split_at(end + 1);
        (h, rest.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    match port {
        None => Some((host, None)),
        Some(p) => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .map(|p| (host, Some(p))),
    }
}

/// `Some(is_loopback)` for a valid host.
fn check_host(host: &str) -> Option<bool> {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner
            .parse::<Ipv6Addr>()
            .ok()
            .map(|ip| IpAddr::V6(ip).is_loopback());
    }
    if let Ok(ip) = host.parse::<Ipv4Addr>() {
        return Some(ip.is_loopback());
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let name = host.strip_suffix('.').unwrap_or(host);
    (!name.is_empty() && name.len() <= 253 && name.split('.').all(label_ok))
        // Only the exact name: `localhost.` (and any other spelling) goes through DNS.
        .then(|| host.eq_ignore_ascii_case("localhost"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_classifies() {
        let u = BaseUrl::parse("HTTPS://Auth.MapsIndoors.com").unwrap();
        assert_eq!(u.as_str(), "https://auth.mapsindoors.com/");
        assert!(u.is_https() && !u.is_loopback());
        assert_eq!(
            BaseUrl::production(),
            BaseUrl::parse(crate::config::DEFAULT_BASE_URL).unwrap()
        );
        for (input, text) in [
            ("http://127.0.0.1:8080/auth", "http://127.0.0.1:8080/auth/"),
            ("http://[::1]:9/", "http://[::1]:9/"),
            ("http://localhost", "http://localhost/"),
        ] {
            let u = BaseUrl::parse(input).unwrap();
            assert_eq!(u.as_str(), text);
            assert!(u.is_loopback(), "{input}");
        }
        assert!(
            !BaseUrl::parse("http://127.example.com")
                .unwrap()
                .is_loopback()
        );
        assert!(
            !BaseUrl::parse("http://localhost.").unwrap().is_loopback(),
            "a trailing dot is a DNS name, not loopback"
        );
        assert!(
            !BaseUrl::parse("http://localhost.evil.com")
                .unwrap()
                .is_loopback()
        );
        assert_eq!(
            BaseUrl::parse("https://h/x")
                .unwrap()
                .join("connect/token", None),
            "https://h/x/connect/token"
        );
    }

    #[test]
    fn refuses_what_it_cannot_represent() {
        for bad in [
            "auth.mapsindoors.com",
            "ftp://h",
            "https://",
            "https://h:0",
            "https://h:99999",
            "https://h:x",
            "https://ü.com",
            "https://u@h",
            "https://h/?q",
            "https://h/#f",
            "https://h/a b",
            "https://-h-",
            "https://[::1",
            "https://a..b",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
