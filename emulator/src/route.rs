//! Which API operation a request is, as named in the request log and in fault rules.
//! Classification only; dispatch is axum's router in `app.rs`.

use axum::http::Method;
use serde::{Deserialize, Serialize};

/// The path of the token endpoint.
pub(crate) const TOKEN_PATH: &str = "/connect/token";
/// The path of the secrets API.
pub(crate) const CREDENTIALS_PATH: &str = "/api/clientcredentials";
/// The prefix of the emulator's own control routes, never logged nor faulted.
pub(crate) const ADMIN_PREFIX: &str = "/_emulator";

/// An API operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// Any request to `/connect/token`.
    Token,
    /// `GET /api/clientcredentials`.
    List,
    /// `POST /api/clientcredentials`.
    Create,
    /// `DELETE /api/clientcredentials`.
    Delete,
    /// Anything else that is not an `/_emulator/` route.
    Other,
}

impl Route {
    /// Classifies a request line.
    pub(crate) fn classify(method: &Method, path: &str) -> Self {
        if path == TOKEN_PATH {
            Route::Token
        } else if path == CREDENTIALS_PATH {
            match *method {
                Method::GET => Route::List,
                Method::POST => Route::Create,
                Method::DELETE => Route::Delete,
                _ => Route::Other,
            }
        } else {
            Route::Other
        }
    }

    /// The name used in logs and fault rules.
    pub fn as_str(self) -> &'static str {
        match self {
            Route::Token => "token",
            Route::List => "list",
            Route::Create => "create",
            Route::Delete => "delete",
            Route::Other => "other",
        }
    }
}

/// Whether a path is one of the emulator's control routes.
pub(crate) fn is_admin(path: &str) -> bool {
    path == ADMIN_PREFIX || path.starts_with("/_emulator/")
}
