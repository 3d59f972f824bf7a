//! sendplan's web layer: the axum router, sign-in and sessions, CSRF protection, and the
//! GOV.UK Design System pages. Handlers are thin: they extract, parse into a domain input,
//! call one storage operation, then render a page or redirect (Post/Redirect/Get).

mod assets;
mod auth;
pub mod charts;
mod errors;
mod forms;
mod handlers;
pub mod mail;
mod middleware;
mod multipart;
mod pages;
pub mod pdf;
pub mod reports;
pub mod scheduler;
pub mod sso;
mod views;

pub use auth::{hash_password, random_token, token_hash, verify_password};
pub use errors::AppError;

use axum::Router;
use sendplan_storage::Store;
use std::sync::Arc;

/// Largest request body accepted (forms are small; this bounds memory per request).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest spreadsheet upload accepted (the importer's own limit, plus the form around it).
pub const MAX_UPLOAD_BYTES: usize = sendplan_interchange::sheet::MAX_SHEET_BYTES + 64 * 1024;

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (on for anything but plain-HTTP development on loopback).
    pub secure_cookies: bool,
    /// When sessions end: after a time idle, and after a time whatever happens.
    pub sessions: sendplan_domain::accounts::SessionTimes,
    /// Reverse proxies whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The address people reach sendplan at, for links in emails (invitations, resets).
    pub base_url: Option<String>,
    /// Single sign-on through the deployment's OpenID Connect provider, if configured.
    pub sso: Option<sso::SsoClient>,
    /// Prints papers to PDF; without it, no PDF is offered.
    pub pdf: Option<pdf::PdfPrinter>,
    /// Sends reminders; without it, reminders cannot be turned on.
    pub mailer: Option<mail::Mailer>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: true,
            sessions: sendplan_domain::accounts::SessionTimes::default(),
            trusted_proxies: Vec::new(),
            base_url: None,
            sso: None,
            pdf: pdf::PdfPrinter::find().ok(),
            mailer: None,
        }
    }
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    /// Password hashing, a few at a time.
    pub hasher: Arc<auth::Passwords>,
    /// Wakes the mail sender as soon as an account email is queued.
    pub mail_waiting: Arc<tokio::sync::Notify>,
    /// Rendered page bodies, valid while the partnership's data version is unchanged.
    pub fragments: Arc<sendplan_storage::ReadCache<String>>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            hasher: Arc::new(auth::Passwords::default()),
            mail_waiting: Arc::new(tokio::sync::Notify::new()),
            fragments: Arc::new(sendplan_storage::ReadCache::new()),
        }
    }
}

/// The whole application as a router, ready to serve or to drive in tests.
pub fn router(state: AppState) -> Router {
    handlers::routes()
        .fallback(|| async { AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::sessions_and_csrf,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(middleware::security_headers))
        .with_state(state)
}
