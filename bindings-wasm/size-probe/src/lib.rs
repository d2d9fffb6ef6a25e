//! One exported function that exercises the enabled dependency the way the
//! core does, so the linker keeps what the core would pull in.
#![no_std]
extern crate alloc;
extern crate std;
use alloc::string::String;
use alloc::vec::Vec;

fn input(ptr: *const u8, len: usize) -> String {
    // SAFETY: the probe is only measured, never run.
    #[allow(unsafe_code)]
    let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
    String::from_utf8_lossy(bytes).into_owned()
}

/// Returns a number derived from the work so nothing is optimised away.
#[unsafe(no_mangle)]
pub extern "C" fn probe(ptr: *const u8, len: usize) -> usize {
    let text = input(ptr, len);
    let mut out: Vec<usize> = Vec::new();
    out.push(text.len());
    #[cfg(feature = "url")]
    {
        if let Ok(u) = url::Url::parse(&text) {
            let mut j = u.join("api/clientcredentials").unwrap_or(u);
            j.query_pairs_mut().append_pair("customerId", &text);
            out.push(String::from(j).len());
        }
    }
    #[cfg(feature = "json")]
    {
        #[derive(serde::Deserialize, serde::Serialize)]
        struct R { id: String, description: Option<String>, n: u64 }
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
            out.push(v.get("x").and_then(|x| x.as_str()).map_or(0, str::len));
        }
        if let Ok(r) = serde_json::from_str::<R>(&text) {
            out.push(serde_json::to_string_pretty(&r).map_or(0, |s| s.len()));
        }
    }
    #[cfg(feature = "time")]
    {
        use time::format_description::well_known::Rfc3339;
        if let Ok(t) = time::OffsetDateTime::parse(&text, &Rfc3339) {
            out.push(t.format(&Rfc3339).map_or(0, |s| s.len()));
        }
    }
    #[cfg(feature = "httpdate")]
    {
        out.push(httpdate::parse_http_date(&text).map_or(0, |t| t.duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_secs() as usize)));
    }
    #[cfg(feature = "fmt")]
    {
        out.push(alloc::format!("{text} {} {:?}", out.len(), out).len());
    }
    out.iter().sum()
}
