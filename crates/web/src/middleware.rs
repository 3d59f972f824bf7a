//! Request-wide concerns: loading the session, guarding every post (who may send it, how
//! much, how fast, its CSRF token, and doing it once), one-time flash messages, a limit on
//! requests in flight, and security headers.

use crate::auth::{
    load_session, same_secret, token_hash, Ctx, Flash, FLASH_COOKIE, SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
};
use crate::errors::{AppError, Refusal};
use crate::AppState;
use axum::body::Body;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use form_urlencoded as form;
use sendplan_domain::access::Role;
use sendplan_storage::{Claim, SessionRecord};
use time::OffsetDateTime;

/// The value of cookie `name`, if the request has it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value. Cookies are HttpOnly and SameSite=Lax always; Secure when the
/// deployment is served over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let text = format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// What a second sending of a form is told.
const ALREADY_SENT: &str = "That form had already been sent, so it was not sent again.";

/// How long a form (at most a few hundred kilobytes) may take to arrive.
const FORM_READ_TIME: std::time::Duration = std::time::Duration::from_secs(30);
/// How long a second sending of a form waits for the first to finish, to show its result.
const SAME_FORM_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Loads the session into the request, and guards every post: see [`guard_post`]. A post
/// that carries a one-time form token is done once: see [`once`].
pub async fn sessions_and_csrf(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let session = match load_session(&state, cookie(request.headers(), SESSION_COOKIE)).await {
        Ok(session) => session,
        Err(error) => return error.into_response(),
    };
    let flash = cookie(request.headers(), FLASH_COOKIE).and_then(Flash::from_cookie);
    if let Some(session) = &session {
        request.extensions_mut().insert(session.clone());
    }
    let had_flash = flash.is_some();
    if let Some(flash) = flash {
        request.extensions_mut().insert(flash);
    }
    let mut form_token = None;
    if request.method() == Method::POST {
        match guard_post(&state, request, session.as_ref()).await {
            Ok((guarded, token)) => {
                request = guarded;
                form_token = token;
            }
            Err(refused) => return refused,
        }
    }
    let mut response = match &form_token {
        Some(token) => once(&state, token, next.run(request)).await,
        None => next.run(request).await,
    };
    if let Some(refusal) = response.extensions().get::<Refusal>().copied() {
        response = explain_refusal(&state, refusal).await;
    }
    if had_flash && response.status().is_success() {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(FLASH_COOKIE, "", 0, state.config.secure_cookies),
        );
    }
    response
}

/// Everything a post must pass before its body is read, in this order: the route takes
/// posts (its pattern decides the limit, see [`crate::handlers::body_policy`]); the sender
/// is signed in, unless the form is one sent before signing in; in a partnership, the
/// sender is a member of it; the declared length is within the limit; a signed-in form
/// carries its one-time token. Then a form is read (within its limit and time) and its
/// CSRF token checked; a file form is left unread for its handler, which checks the
/// sender's rights before reading it (see [`crate::upload`]). Returns the request, ready
/// for its handler, and the form's one-time token.
async fn guard_post(
    state: &AppState,
    request: Request,
    session: Option<&SessionRecord>,
) -> Result<(Request, Option<String>), Response> {
    let Some(route) = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
    else {
        return Err(AppError::NotFound.into_response());
    };
    let policy = crate::handlers::body_policy(&route);
    if session.is_none() && !policy.before_sign_in {
        return Err(AppError::FormExpired.into_response());
    }
    let (mut parts, body) = request.into_parts();
    if route.starts_with("/p/{pid}") {
        // Kept for the handler, which would otherwise look the membership up again.
        let ctx = Ctx::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        parts.extensions.insert(ctx);
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > policy.limit as u64) {
        return Err(AppError::TooLarge(policy.limit).into_response());
    }
    let form_token = match session {
        Some(_) => match form_token_of(&parts.uri) {
            Some(token) => Some(token),
            None => return Err(AppError::FormExpired.into_response()),
        },
        None => None,
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let multipart = content_type.starts_with("multipart/form-data");
    parts.extensions.insert(policy);
    if policy.files {
        // Its handler checks the sender's rights, then reads it (and refuses anything
        // but multipart/form-data).
        return Ok((Request::from_parts(parts, body), form_token));
    }
    if multipart {
        return Err(AppError::Unreadable(
            "This page does not take files. Go back and use the form on the page.".to_owned(),
        )
        .into_response());
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(AppError::Unreadable(
            "This page takes its own form, sent as a web browser sends it. Go back and use the form on the page.".to_owned(),
        )
        .into_response());
    }
    let bytes = match tokio::time::timeout(FORM_READ_TIME, axum::body::to_bytes(body, policy.limit))
        .await
    {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => return Err(AppError::TooLarge(policy.limit).into_response()),
        Err(_) => return Err(AppError::TimedOut.into_response()),
    };
    if policy.same_origin_only {
        if !sent_from_this_site(&parts.headers) {
            return Err(AppError::FormExpired.into_response());
        }
        return Ok((Request::from_parts(parts, Body::from(bytes)), form_token));
    }
    let expected = match session {
        Some(session) => Some(session.csrf_token.clone()),
        None => cookie(&parts.headers, SIGN_IN_CSRF_COOKIE).map(str::to_owned),
    };
    let sent = form::parse(&bytes)
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.into_owned());
    let valid = matches!((sent.as_deref(), expected.as_deref()), (Some(sent), Some(expected)) if same_secret(sent, expected));
    if !valid {
        return Err(AppError::FormExpired.into_response());
    }
    Ok((Request::from_parts(parts, Body::from(bytes)), form_token))
}

/// Whether a form was sent from one of this site's own pages, by the headers browsers
/// set and pages cannot (OWASP's "verifying origin with standard headers"): the Fetch
/// Metadata `Sec-Fetch-Site: same-origin` where the browser sends it, else an `Origin`
/// naming this host. A post with neither is refused: every browser in use sends one.
fn sent_from_this_site(headers: &axum::http::HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return site == "same-origin";
    }
    match (text("origin"), text(header::HOST.as_str())) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, origin_host)| origin_host.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// The one-time token a form's address carries (see [`crate::views::Chrome::once`]).
fn form_token_of(uri: &axum::http::Uri) -> Option<String> {
    form::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == crate::views::FORM_TOKEN)
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// Runs `handle` once per form token. The first sending claims the token and runs; its
/// outcome is recorded (where it redirected), or, if it was refused or failed, the token
/// is given back so the corrected page can be sent. A later sending of the same page is
/// not run: it is sent where the first went, waiting a little if the first is still
/// running. Claims are in the database, so this holds across servers.
async fn once(
    state: &AppState,
    token: &str,
    handle: impl std::future::Future<Output = Response>,
) -> Response {
    let key = token_hash(token);
    let started = std::time::Instant::now();
    let mut claim = state
        .store
        .claim_submission(&key, OffsetDateTime::now_utc())
        .await;
    loop {
        match claim {
            Err(error) => return AppError::from(error).into_response(),
            Ok(Claim::First) => break,
            Ok(Claim::Done {
                location: Some(location),
            }) => {
                return crate::handlers::redirect_with(
                    state,
                    &location,
                    &Flash {
                        text: ALREADY_SENT.to_owned(),
                        important: true,
                    },
                );
            }
            Ok(Claim::Done { location: None }) => {
                return AppError::AlreadySent(
                    "It was not sent again. Go back and refresh the page to see what it did.",
                )
                .into_response();
            }
            Ok(Claim::Running { .. }) if started.elapsed() < SAME_FORM_WAIT => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                // The first sending holds the claim: look, without claiming again. If it
                // failed and gave the token back meanwhile, this sending claims it.
                claim = match state.store.submission(&key).await {
                    Ok(Some(seen)) => Ok(seen),
                    Ok(None) => {
                        state
                            .store
                            .claim_submission(&key, OffsetDateTime::now_utc())
                            .await
                    }
                    Err(error) => Err(error),
                };
            }
            Ok(Claim::Running { .. }) => {
                return AppError::AlreadySent(
                    "It is still being done, so it was not sent again. Wait a minute, then refresh the page to check it worked before sending it again.",
                )
                .into_response();
            }
        }
    }
    let response = handle.await;
    let status = response.status();
    let settled = if status.is_redirection() {
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok());
        state
            .store
            .finish_submission(&key, location, OffsetDateTime::now_utc())
            .await
    } else if status.is_success() {
        state
            .store
            .finish_submission(&key, None, OffsetDateTime::now_utc())
            .await
    } else {
        state.store.release_submission(&key).await
    };
    if let Err(error) = settled {
        // The change itself is done; only the record of it failed. A second sending
        // would then wait and be told to check, never do it twice.
        tracing::error!(%error, "recording a form's outcome failed");
    }
    response
}

/// A refusal page that names who has the missing right, so the person refused knows
/// whom to ask. If they cannot be looked up, the page still says what is missing.
async fn explain_refusal(state: &AppState, refusal: Refusal) -> Response {
    let named = |name: &str, email: &str| format!("{name} ({email})");
    let holders: Vec<String> = match refusal {
        Refusal::Deployment => state
            .store
            .deployment_admins()
            .await
            .map(|admins| {
                admins
                    .iter()
                    .map(|u| named(&u.display_name, &u.email))
                    .collect()
            })
            .unwrap_or_default(),
        Refusal::InPartnership { partnership, .. } => state
            .store
            .list_members(partnership)
            .await
            .map(|members| {
                members
                    .iter()
                    .filter(|m| m.role == Role::Admin && !m.disabled)
                    .take(5)
                    .map(|m| named(&m.display_name, &m.email))
                    .collect()
            })
            .unwrap_or_default(),
    };
    crate::pages::ErrorPage::render(
        axum::http::StatusCode::FORBIDDEN,
        "You do not have permission to do that",
        &refusal.explain(&holders),
    )
}

/// Headers every response carries. Pages hold partnership data, so they are not cached.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response may bring a stricter policy of its own (board reports carry theirs).
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Turns requests away with 503 and Retry-After once [`crate::WebConfig::max_in_flight`]
/// are under way. `/health` is always answered, so a load balancer can tell a busy
/// server from a dead one.
pub async fn limit_in_flight(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().path() == "/health" {
        return next.run(request).await;
    }
    let Ok(_place) = state.in_flight.clone().try_acquire_owned() else {
        let mut response = crate::pages::ErrorPage::render(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Sorry, the service is busy",
            "Too many people are using it at once. Try again in a few seconds. Nothing you sent was saved.",
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    next.run(request).await
}
