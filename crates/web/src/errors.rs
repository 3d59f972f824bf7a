//! Errors that become responses. Domain and storage errors are typed; each maps to one
//! GOV.UK-style error page with the right status. Internal details are logged (without
//! personal data) and never shown.

use crate::pages::ErrorPage;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sendplan_domain::access::{Capability, Role};
use sendplan_domain::PartnershipId;
use sendplan_storage::StoreError;

/// What right a refused request lacked. The response carries it, and the sessions
/// middleware (which can reach the database) names who has that right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Something only deployment administrators may do (partnerships, accounts).
    Deployment,
    /// Something the member's role in a partnership does not allow.
    InPartnership {
        partnership: PartnershipId,
        capability: Capability,
        role: Option<Role>,
    },
}

impl Refusal {
    /// The explanation, naming who can help (`holders`: names and addresses).
    pub fn explain(self, holders: &[String]) -> String {
        let ask = if holders.is_empty() {
            String::new()
        } else {
            format!(" Ask {}.", or_list(holders))
        };
        match self {
            Refusal::Deployment => format!(
                "Only deployment administrators can add partnerships and manage accounts.{ask}"
            ),
            Refusal::InPartnership {
                capability: Capability::Casework,
                ..
            } => format!(
                "You need to be given casework access to {}. An administrator of the partnership can give it to the members of the SEND team who need it.{ask}",
                Capability::Casework.describe()
            ),
            Refusal::InPartnership {
                capability, role, ..
            } => {
                let needs = Role::with(capability)
                    .iter()
                    .map(|r| r.label().to_lowercase())
                    .collect::<Vec<_>>();
                let yours = match role {
                    Some(role) => format!(" Your role here is {}.", role.label().to_lowercase()),
                    None => String::new(),
                };
                let ask = if holders.is_empty() {
                    String::new()
                } else {
                    format!(
                        " Ask an administrator of the partnership for it: {}.",
                        or_list(holders)
                    )
                };
                format!(
                    "You need to be {} to {}.{yours}{ask}",
                    or_list(
                        &needs
                            .iter()
                            .map(|n| format!("{} {n}", article(n)))
                            .collect::<Vec<_>>()
                    ),
                    capability.describe()
                )
            }
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "A", "A or B", "A, B or C".
fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page, or a record of another partnership (never 403, which would confirm
    /// that the record exists).
    #[error("not found")]
    NotFound,
    /// Signed in, but without the right this needs; the refusal says which.
    #[error("forbidden")]
    Forbidden(Refusal),
    /// Not signed in: send to the sign-in page, then back.
    #[error("sign in required")]
    SignInRequired { next: String },
    /// The form's CSRF token did not match the session.
    #[error("form expired")]
    FormExpired,
    /// The request was larger than the route takes (its limit, in bytes).
    #[error("request body too large")]
    TooLarge(usize),
    /// The address asked for something that cannot be (a date that is not a date); the
    /// message says what, and how to write it.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// A form's body could not be read as the form it should be; the message says why.
    #[error("unreadable form: {0}")]
    Unreadable(String),
    /// The body did not arrive within the time allowed.
    #[error("request body timed out")]
    TimedOut,
    /// The form was sent before and is not done again; the message says what to do.
    #[error("form already sent")]
    AlreadySent(&'static str),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// Something the server relies on (Chromium for PDFs) could not do its part; the
    /// message says what, for the person who asked.
    #[error("unavailable: {0}")]
    Unavailable(String),
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, title, body): (StatusCode, &str, &str) = match &self {
            AppError::SignInRequired { next } => {
                let target = format!("/sign-in?next={}", crate::views::url_encode(next));
                return Redirect::to(&target).into_response();
            }
            AppError::NotFound | AppError::Store(StoreError::NotFound) => (
                StatusCode::NOT_FOUND,
                "Page not found",
                "If you typed the web address, check it is correct. If you followed a link, the page may have moved or you may not have access to it.",
            ),
            AppError::Forbidden(refusal) => {
                let mut response = ErrorPage::render(
                    StatusCode::FORBIDDEN,
                    "You do not have permission to do that",
                    &refusal.explain(&[]),
                );
                response.extensions_mut().insert(*refusal);
                return response;
            }
            AppError::FormExpired => (
                StatusCode::FORBIDDEN,
                "This form has expired",
                "For your security, forms stop working when you sign out or your session ends. Go back, refresh the page and try again. Nothing was saved.",
            ),
            AppError::TooLarge(limit) => {
                let what = if *limit > crate::MAX_BODY_BYTES {
                    "Files"
                } else {
                    "Forms"
                };
                let body = format!(
                    "{what} sent here can be at most {}. Make it smaller and try again. Nothing was saved.",
                    size_in_words(*limit)
                );
                return ErrorPage::render(StatusCode::PAYLOAD_TOO_LARGE, "What you sent is too large", &body);
            }
            AppError::BadRequest(why) => {
                return ErrorPage::render(StatusCode::BAD_REQUEST, "The address is not right", why);
            }
            AppError::Unreadable(why) => {
                return ErrorPage::render(StatusCode::BAD_REQUEST, "What you sent could not be read", why);
            }
            AppError::TimedOut => (
                StatusCode::REQUEST_TIMEOUT,
                "What you sent took too long to arrive",
                "The connection may be slow or may have dropped. Go back and try again. Nothing was saved.",
            ),
            AppError::AlreadySent(what) => (StatusCode::CONFLICT, "This form has already been sent", *what),
            AppError::Store(StoreError::Conflict) => (
                StatusCode::CONFLICT,
                "Someone else changed this at the same time",
                "Nothing was overwritten. Go back, refresh the page to see the latest version, and make your change again.",
            ),
            AppError::Store(StoreError::Duplicate(_)) | AppError::Store(StoreError::Rule(_)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That change could not be made",
                "Go back and check what you entered.",
            ),
            AppError::Store(error) => {
                tracing::error!(%error, "storage failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service", "Try again later. What you entered has not been saved.")
            }
            AppError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Sorry, this cannot be produced right now",
                "",
            ),
            AppError::Template(error) => {
                tracing::error!(%error, "template failure");
                (StatusCode::INTERNAL_SERVER_ERROR, "Sorry, there is a problem with the service", "Try again later.")
            }
        };
        let detail = match &self {
            AppError::Store(StoreError::Duplicate(m)) | AppError::Store(StoreError::Rule(m)) => {
                m.clone()
            }
            AppError::Unavailable(why) => {
                format!(
                    "{}. Try again later, or choose another format.",
                    sendplan_domain::input::capitalise(why)
                )
            }
            _ => body.to_owned(),
        };
        ErrorPage::render(status, title, &detail)
    }
}

pub type AppResult<T = Response> = Result<T, AppError>;

/// A size as people read it: "256 KB", "10 MB".
fn size_in_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MB", bytes / (1024 * 1024))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_says_what_is_missing_and_who_has_it() {
        let refusal = Refusal::InPartnership {
            partnership: PartnershipId(1),
            capability: Capability::EditPlans,
            role: Some(Role::Viewer),
        };
        assert_eq!(
            refusal.explain(&["Ann (ann@example.org)".to_owned()]),
            "You need to be an administrator or a plan manager to change plans, inspections, people, boards and reports. Your role here is viewer. Ask an administrator of the partnership for it: Ann (ann@example.org)."
        );
        assert_eq!(
            Refusal::Deployment.explain(&["Ann".to_owned(), "Bo".to_owned(), "Cy".to_owned()]),
            "Only deployment administrators can add partnerships and manage accounts. Ask Ann, Bo or Cy."
        );
    }
}
