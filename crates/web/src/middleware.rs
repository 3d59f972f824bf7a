//! Request-wide concerns: loading the session, checking the CSRF token of every form
//! post, one-time flash messages, and security headers.

use crate::auth::{
    load_session, same_secret, Flash, FLASH_COOKIE, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE,
};
use crate::errors::{AppError, Refusal};
use crate::{AppState, MAX_BODY_BYTES, MAX_UPLOAD_BYTES};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sendplan_domain::access::Role;

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

/// Loads the session into the request, and refuses any form post whose `_csrf` field does
/// not match the session's token (or, before sign-in, the sign-in cookie's token).
pub async fn sessions_and_csrf(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let session = match load_session(&state, cookie(request.headers(), SESSION_COOKIE)).await {
        Ok(session) => session,
        Err(error) => return error.into_response(),
    };
    let flash = cookie(request.headers(), FLASH_COOKIE)
        .map(crate::views::url_decode)
        .filter(|f| !f.is_empty());
    if request.method() == Method::POST {
        // File uploads (the spreadsheet importer) may be larger than forms.
        let limit = if request.uri().path().ends_with("/imports/new") {
            MAX_UPLOAD_BYTES
        } else {
            MAX_BODY_BYTES
        };
        let too_large = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > limit);
        if too_large {
            return AppError::TooLarge(limit).into_response();
        }
        let expected = match &session {
            Some(session) => Some(session.csrf_token.clone()),
            None => cookie(request.headers(), SIGN_IN_CSRF_COOKIE).map(str::to_owned),
        };
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, limit).await {
            Ok(bytes) => bytes,
            Err(_) => return AppError::TooLarge(limit).into_response(),
        };
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let sent: Option<String> = match crate::multipart::boundary(content_type) {
            Some(boundary) => crate::multipart::parts(&bytes, &boundary)
                .into_iter()
                .find(|p| p.name == "_csrf")
                .map(|p| String::from_utf8_lossy(p.data).into_owned()),
            None => serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .unwrap_or_default()
                .into_iter()
                .find(|(k, _)| k == "_csrf")
                .map(|(_, v)| v),
        };
        let sent = sent.as_deref();
        let valid = matches!((sent, expected.as_deref()), (Some(sent), Some(expected)) if same_secret(sent, expected));
        if !valid {
            return AppError::FormExpired.into_response();
        }
        request = Request::from_parts(parts, Body::from(bytes));
    }
    if let Some(session) = session {
        request.extensions_mut().insert(session);
    }
    let had_flash = flash.is_some();
    if let Some(flash) = flash {
        request.extensions_mut().insert(Flash(flash));
    }
    let mut response = next.run(request).await;
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
