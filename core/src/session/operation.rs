//! The secrets endpoint's three operations and what each yields, with the
//! request and parser of each. A create is never retried: a retry could
//! leave an orphan.

use crate::config::Config;
use crate::error::Error;
use crate::exchange::{Exchange, Parser};
use crate::model::{CreatedSecret, SecretInfo};
use crate::request::{create_request, delete_request, list_request};
use crate::response::{parse_create, parse_delete, parse_list};
use crate::retry::RetryPolicy;
use crate::secret::AccessToken;
use crate::step::Purpose;

/// A call to the secrets endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Operation {
    /// `GET`: list secrets.
    List,
    /// `POST`: create a secret with an optional description.
    Create {
        /// The description.
        description: Option<String>,
        /// The client the secret is for; needed when signed in as a user who
        /// manages several clients (see [`create_request`]).
        client_id: Option<String>,
    },
    /// `DELETE`: delete a secret by id.
    Delete {
        /// The secret's id.
        id: String,
    },
}

impl Operation {
    /// Whether this operation's request can be built, without sending anything.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a missing customer id, an empty id or a bad description.
    pub fn check(&self, config: &Config) -> Result<(), Error> {
        self.exchange(
            config,
            &AccessToken::new("validation-only"),
            RetryPolicy::none(),
        )
        .map(drop)
    }

    /// The exchange that performs it with this token.
    pub(crate) fn exchange(
        &self,
        config: &Config,
        token: &AccessToken,
        retry: RetryPolicy,
    ) -> Result<Exchange<Answer>, Error> {
        let (request, purpose, parse, retry): (_, _, Parser<Answer>, _) = match self {
            Operation::List => (
                list_request(config, token),
                Purpose::List,
                |r| parse_list(r).map(Answer::Listed),
                retry,
            ),
            Operation::Create {
                description,
                client_id,
            } => (
                create_request(config, token, description.as_deref(), client_id.as_deref()),
                Purpose::Create,
                |r| parse_create(r).map(Answer::Created),
                RetryPolicy::none(),
            ),
            Operation::Delete { id } => (
                delete_request(config, token, id),
                Purpose::Delete,
                |r| parse_delete(r).map(|()| Answer::Deleted),
                retry,
            ),
        };
        Ok(Exchange::new(request?, purpose, parse, retry))
    }
}

/// What an [`Operation`] yields.
#[derive(Debug)]
pub(crate) enum Answer {
    Listed(Vec<SecretInfo>),
    Created(CreatedSecret),
    Deleted,
}
