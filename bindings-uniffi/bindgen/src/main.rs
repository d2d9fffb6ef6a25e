//! The `uniffi-bindgen` binary, built against this workspace's uniffi so the
//! generated Kotlin and Swift always match the library's scaffolding.

fn main() {
    uniffi::uniffi_bindgen_main();
}
