//! Signing in and out, and the health check.

use super::FormPairs;
use crate::auth::{
    hash_password, random_token, token_hash, verify_password, SignedIn, SESSION_COOKIE,
    SIGN_IN_CSRF_COOKIE,
};
use crate::errors::AppResult;
use crate::forms::Field;
use crate::middleware::{cookie, set_cookie};
use crate::pages::{html, FormPage};
use crate::views::{safe_next, Chrome};
use crate::AppState;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sendplan_domain::input::{FieldErrors, RawForm};
use std::net::SocketAddr;
use std::sync::OnceLock;

pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

fn sign_in_page(csrf: &str, next: &str) -> FormPage {
    let mut chrome = Chrome::plain("Sign in", None);
    chrome.csrf = csrf.to_owned();
    FormPage::new(
        chrome,
        "Sign in",
        "/sign-in",
        vec![
            Field::hidden("next", next),
            Field::text("email", "Email address")
                .input_type("email")
                .autocomplete("email"),
            Field::text("password", "Password")
                .input_type("password")
                .autocomplete("current-password"),
        ],
    )
    .submit("Sign in")
    .intro("Sign in to see and update your partnership's SEND improvement plans.")
}

/// The sign-in form, with a fresh token in a cookie that the form must echo.
pub async fn show_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let next = safe_next(RawForm(query).get("next"));
    let existing = cookie(&headers, SIGN_IN_CSRF_COOKIE)
        .filter(|t| t.len() == 64)
        .map(str::to_owned);
    let csrf = existing.clone().unwrap_or_else(random_token);
    let mut response = html(&sign_in_page(&csrf, &next))?;
    if existing.is_none() {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                SIGN_IN_CSRF_COOKIE,
                &csrf,
                3600,
                state.config.secure_cookies,
            ),
        );
    }
    Ok(response)
}

/// A hash to verify against when the email is unknown, so both cases take as long.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let csrf = cookie(&headers, SIGN_IN_CSRF_COOKIE)
        .unwrap_or_default()
        .to_owned();
    let next = safe_next(form.get("next"));
    let email = form.get("email").to_lowercase();
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let page = || sign_in_page(&csrf, &next);
    // A password is never sent back to the browser, even after a failed attempt.
    let shown = RawForm(
        form.0
            .iter()
            .filter(|(k, _)| k != "password")
            .cloned()
            .collect(),
    );
    let mut errors = FieldErrors::default();
    if email.is_empty() {
        errors.add("email", "Enter your email address");
    }
    if password.is_empty() {
        errors.add("password", "Enter your password");
    }
    if !errors.is_empty() {
        return page().with_errors(&shown, errors);
    }
    let keys = vec![format!("email:{email}"), format!("client:{}", client.ip())];
    if let Some(minutes) = state.throttle.locked_for(&keys) {
        let message = format!(
            "There have been too many attempts to sign in. Wait {minutes} minutes and try again."
        );
        return page().with_errors(&shown, FieldErrors::single("email", message));
    }
    let user = state.store.find_user_by_email(&email).await?;
    let hash = user
        .as_ref()
        .map_or(decoy_hash(), |u| u.password_hash.as_str())
        .to_owned();
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    let Some(user) = user.filter(|_| verified) else {
        state.throttle.record_failure(&keys);
        tracing::info!("sign-in refused");
        let message = "Enter a correct email address and password";
        return page().with_errors(&shown, FieldErrors::single("email", message));
    };
    state.throttle.record_success(&keys);
    let token = random_token();
    let expires =
        time::OffsetDateTime::now_utc() + time::Duration::hours(state.config.session_hours);
    state
        .store
        .create_session(&token_hash(&token), user.id, &random_token(), expires)
        .await?;
    tracing::info!(user = user.id.0, "signed in");
    let session_cookie = set_cookie(
        SESSION_COOKIE,
        &token,
        state.config.session_hours * 3600,
        state.config.secure_cookies,
    );
    let clear_csrf = set_cookie(SIGN_IN_CSRF_COOKIE, "", 0, state.config.secure_cookies);
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, next)]).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session_cookie);
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_csrf);
    Ok(response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    headers: HeaderMap,
) -> AppResult {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.store.delete_session(&token_hash(token)).await?;
    }
    if let Some(signed_in) = signed_in {
        tracing::info!(user = signed_in.user.id.0, "signed out");
    }
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, "/sign-in")]).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
    );
    Ok(response)
}
