//! Pure request builders: one function per endpoint, each returning a plain
//! [`HttpRequest`]. Credentials go only to the token endpoint, form-encoded.

use crate::config::{Config, Credentials, check_field};
use crate::error::Error;
use crate::http::{HttpRequest, Method};
use crate::secret::AccessToken;

/// Path of the token endpoint under the base URL.
pub const TOKEN_PATH: &str = "connect/token";
/// Path of the secrets endpoint under the base URL.
pub const SECRETS_PATH: &str = "api/clientcredentials";
const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// `POST connect/token` for either grant.
///
/// # Errors
/// [`Error::InvalidInput`] for unusable credentials (checked when they were made).
pub fn token_request(config: &Config, credentials: &Credentials) -> Result<HttpRequest, Error> {
    let url = config.endpoint(TOKEN_PATH, None);
    let mut form = form_urlencoded::Serializer::new(String::new());
    match credentials {
        Credentials::Client { client_id, secret } => {
            form.append_pair("grant_type", "client_credentials")
                .append_pair("client_id", client_id)
                // EXPOSE: the token endpoint is the one place the secret is sent.
                .append_pair("client_secret", secret.expose_secret());
        }
        Credentials::Password {
            client_id,
            username,
            password,
        } => {
            form.append_pair("grant_type", "password")
                .append_pair("client_id", client_id)
                .append_pair("username", username)
                // EXPOSE: the password grant sends the password to the token endpoint.
                .append_pair("password", password.expose_secret());
        }
    }
    Ok(HttpRequest {
        method: Method::Post,
        url,
        headers: vec![
            ("Content-Type".to_owned(), FORM.to_owned()),
            ("Accept".to_owned(), JSON.to_owned()),
        ],
        body: form.finish().into_bytes(),
    })
}

/// `GET api/clientcredentials?customerId=..`: list the customer's secrets.
///
/// # Errors
/// [`Error::InvalidInput`] without a customer id.
pub fn list_request(config: &Config, token: &AccessToken) -> Result<HttpRequest, Error> {
    secrets_request(config, token, Method::Get, &[])
}

/// `POST api/clientcredentials?customerId=..&description=..`: create a secret.
/// The description is sent as given when present, even if empty.
///
/// `client_id` names the client the secret is for. A client's own token
/// needs no name (the server creates the secret for that client), but a
/// user's token (the `password` grant) may manage several clients. The name
/// travels both ways the API is known to read it: as the documentation's
/// create example shows, `client_id` in a form body, and as a `clientId`
/// query parameter beside `customerId`.
///
/// # Errors
/// [`Error::InvalidInput`] without a customer id, for a description with
/// control characters or over 1 KiB, or an empty or malformed client id.
pub fn create_request(
    config: &Config,
    token: &AccessToken,
    description: Option<&str>,
    client_id: Option<&str>,
) -> Result<HttpRequest, Error> {
    let mut params = Vec::new();
    if let Some(c) = client_id {
        check_field("client_id", c)?;
        params.push(("clientId", c));
    }
    if let Some(d) = description {
        if !d.is_empty() {
            check_field("description", d)?;
        }
        params.push(("description", d));
    }
    let mut request = secrets_request(config, token, Method::Post, &params)?;
    if let Some(c) = client_id {
        request
            .headers
            .push(("Content-Type".to_owned(), FORM.to_owned()));
        request.body = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", c)
            .finish()
            .into_bytes();
    }
    Ok(request)
}

/// `DELETE api/clientcredentials?customerId=..&id=..`: delete a secret by id.
///
/// # Errors
/// [`Error::InvalidInput`] without a customer id or with an empty id.
pub fn delete_request(
    config: &Config,
    token: &AccessToken,
    id: &str,
) -> Result<HttpRequest, Error> {
    check_field("id", id)?;
    secrets_request(config, token, Method::Delete, &[("id", id)])
}

fn secrets_request(
    config: &Config,
    token: &AccessToken,
    method: Method,
    params: &[(&str, &str)],
) -> Result<HttpRequest, Error> {
    let customer_id = config.require_customer_id()?;
    if token.is_empty() {
        return Err(Error::invalid_input("access_token", "must not be empty"));
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("customerId", customer_id);
    for (k, v) in params {
        query.append_pair(k, v);
    }
    Ok(HttpRequest {
        method,
        url: config.endpoint(SECRETS_PATH, Some(&query.finish())),
        headers: vec![
            // EXPOSE: the bearer token authorizes the secrets endpoint.
            (
                "Authorization".to_owned(),
                format!("Bearer {}", token.expose_secret()),
            ),
            ("Accept".to_owned(), JSON.to_owned()),
        ],
        body: Vec::new(),
    })
}
