//! The store record parser on arbitrary text: no panic, and errors never echo content.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapsindoors_auth::StoreRecord;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(record) = StoreRecord::from_json(text) {
            let again = StoreRecord::from_json(&record.to_json());
            assert!(again.is_ok(), "a parsed record must round-trip");
        }
    }
});
