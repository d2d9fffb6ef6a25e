//! The `mapsindoors-auth` binary: everything is in the library.

fn main() -> std::process::ExitCode {
    mapsindoors_auth_cli::main()
}
