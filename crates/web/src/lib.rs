//! sendplan's web layer: the axum router, sign-in and sessions, CSRF protection, and the
//! GOV.UK Design System pages. Handlers are thin: they extract, parse into a domain input,
//! call one storage operation, then render a page or redirect (Post/Redirect/Get).

mod assets;
mod audit_words;
mod auth;
pub mod charts;
mod directory;
mod errors;
pub mod feeds;
mod forms;
mod handlers;
pub mod local_offer_analytics;
pub mod local_offer_review;
pub mod mail;
mod middleware;
mod pages;
pub mod pdf;
pub mod reports;
pub mod scheduler;
pub mod sso;
mod upload;
mod views;

pub use auth::{hash_password, random_token, token_hash, verify_password};
pub use errors::AppError;

use axum::Router;
use sendplan_storage::Store;
use std::sync::Arc;

/// Largest request body accepted (forms are small; this bounds memory per request).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Largest spreadsheet upload accepted (the importer's own limit, plus the form around it).
/// The largest SEN2 return or extract the pages take: the largest authority's return is
/// about 10 MB of XML (Kent's synthetic one, 23,775 children, is 7 MB). The command line
/// takes larger.
pub const MAX_CASEWORK_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
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
    /// Requests handled at once; more are answered 503 with Retry-After at once, so a
    /// flood is turned away instead of queuing until everything times out.
    pub max_in_flight: usize,
}

/// Requests handled at once unless the deployment says otherwise: far above what a
/// partnership's staff make, and under what two cores serve before answers slow to seconds.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

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
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
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
    /// The Local Offer API's answers by address, valid while the partnership's data
    /// version is unchanged (kept apart from `fragments`, so that a crawler walking every
    /// record cannot push the plan pages' bodies out).
    pub api_answers: Arc<sendplan_storage::ReadCache<String>>,
    /// Places for requests in flight (see [`WebConfig::max_in_flight`]).
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// The Local Offer's page views and searches, counted and waiting to be written.
    pub use_counter: Arc<local_offer_analytics::UseCounter>,
    /// Wakes housekeeping to record the computed measures again soon (a family answered
    /// "Did you find what you were looking for?"), rather than at the next hour.
    pub measures_stale: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(store: Store, config: WebConfig) -> Self {
        AppState {
            store,
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight.max(1))),
            config: Arc::new(config),
            hasher: Arc::new(auth::Passwords::default()),
            mail_waiting: Arc::new(tokio::sync::Notify::new()),
            fragments: Arc::new(sendplan_storage::ReadCache::new()),
            api_answers: Arc::new(sendplan_storage::ReadCache::new()),
            use_counter: Arc::default(),
            measures_stale: Arc::new(tokio::sync::Notify::new()),
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
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            middleware::limit_in_flight,
        ))
        .with_state(state)
}

/// How long a client has to send a request's headers (a slow-loris connection is closed).
pub const HEADER_READ_TIME: std::time::Duration = std::time::Duration::from_secs(10);
/// How long requests under way may take to finish once shutdown starts.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then lets requests under way
/// finish. Connections are driven with hyper directly, rather than through axum::serve,
/// for the header read time-out axum does not expose; each request carries the peer's
/// address as axum's `ConnectInfo`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use tower::ServiceExt;
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, most likely: wait rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                app.clone().oneshot(request)
            },
        );
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIME)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still under way at shutdown were cut off");
    }
}
