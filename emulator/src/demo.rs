//! The fixed credentials of the demo seed ([`Seed::demo`](crate::Seed::demo)).
//! Only constants live here; the seed itself is built in `seed.rs`.

/// The customer that the demo client and the demo user belong to.
pub const DEMO_CUSTOMER_ID: &str = "demo-customer";

/// The client id of the demo client (client credentials grant).
pub const DEMO_CLIENT_ID: &str = "demo-client";

/// The one seeded secret of [`DEMO_CLIENT_ID`]: 96 alphanumeric characters, like a real one.
pub const DEMO_CLIENT_SECRET: &str = "WEjRX6YNzsHKHf6zkTHKldNPVyb7XBIqzKmp0gVoVw9o7NXIj7riw46T2LGpDfJMWxifJRwjxmaqLpOB5y28jlAyiy1VOw6I";

/// The id of the seeded secret [`DEMO_CLIENT_SECRET`] (24 lowercase hex characters).
pub const DEMO_SECRET_ID: &str = "bd302cb66d19a845da48874f";

/// The description of the seeded secret [`DEMO_CLIENT_SECRET`].
pub const DEMO_SECRET_DESCRIPTION: &str = "seeded demo secret";

/// The demo user (password grant), allowed on [`DEMO_CUSTOMER_ID`] only.
pub const DEMO_USERNAME: &str = "admin@example.com";

/// The password of [`DEMO_USERNAME`].
pub const DEMO_PASSWORD: &str = "demo-password";

/// A second customer, so that 403 paths can be tested.
pub const OTHER_CUSTOMER_ID: &str = "other-customer";

/// The client of [`OTHER_CUSTOMER_ID`].
pub const OTHER_CLIENT_ID: &str = "other-client";

/// The one seeded secret of [`OTHER_CLIENT_ID`].
pub const OTHER_CLIENT_SECRET: &str = "qvnMcGZVCvW1GimmkJ6fvCPSgOhbghNNO0xO18pyscnj0RXtXHdpiL0Eyx3YTAQvIPY7hQ8mkH8GssXVPbeGbxPnmhhU1XVE";

/// The id of the seeded secret [`OTHER_CLIENT_SECRET`].
pub const OTHER_SECRET_ID: &str = "8f20e7570d81ce741f406bd5";

/// The public client used by the password grant: it has no secret and allows only that grant.
pub const PASSWORD_CLIENT_ID: &str = "client";

/// The scope granted when a client or the password client asks for none
/// (the emulator's own choice; the real scope name is not documented).
pub const DEFAULT_SCOPE: &str = "mapsindoors.auth";

/// When the demo secrets were "created" (the timestamp in the API documentation's list example).
pub(crate) const DEMO_SECRET_CREATED_AT: &str = "2024-05-27T13:46:31.843Z";
