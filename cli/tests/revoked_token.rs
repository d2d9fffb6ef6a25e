//! End to end against the emulator, through the CLI's `Client` on the real
//! machine (ureq, the file store): a token the server revoked costs exactly
//! one new login, whichever shape its 401 takes (`WWW-Authenticate` only, or
//! with ASP.NET's `{"error":"invalid_token"}` body), and the new token is
//! then reused.
// Test helpers may fail loudly: a panic is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout
)]

mod common;

use common::Harness;
use mapsindoors_auth::{Session, Settings};
use mapsindoors_auth_cli::client::Client;
use mapsindoors_auth_cli::system::System;
use mapsindoors_auth_store::FileStore;

#[test]
fn a_revoked_token_costs_exactly_one_new_login_in_both_401_shapes() {
    let h = Harness::new();
    h.init("store-secret-of-script-a-0123456789abcdef");
    let session = Session::from_record(&h.record(), Settings::default()).unwrap();
    let system = System::new(FileStore::new(&h.store), &Settings::default(), |_| {});
    let client = Client::new(session, system);
    for json_body in [false, true] {
        h.emu.set_bearer_json_body(json_body);
        client.token().unwrap();
        h.emu.revoke_tokens();
        h.emu.clear_log();
        client.list().unwrap();
        client.list().unwrap();
        let logins = h
            .emu
            .log()
            .iter()
            .filter(|e| e.path.ends_with("/connect/token"))
            .count();
        assert_eq!(logins, 1, "json_body={json_body}: {:?}", h.emu.log());
    }
}
