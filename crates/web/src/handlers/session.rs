//! Signing in and out (with a password, or through the deployment's identity provider),
//! forgotten passwords, and the health check.
//!
//! Every attempt that checks a secret is counted before it is checked, per account and
//! per client, in the database (see `Store::count_attempt`), so parallel guesses and
//! several servers cannot get past the limit. Answers never say whether an address has an
//! account, except to someone who has just proved they hold its password.

use super::FormPairs;
use crate::auth::{
    bucket, client_ip, random_token, token_hash, SignedIn, SESSION_COOKIE, SIGN_IN_CSRF_COOKIE,
};
use crate::errors::{AppError, AppResult};
use crate::forms::Field;
use crate::middleware::{cookie, set_cookie};
use crate::pages::{html, html_with_status, FormPage, NoticePage};
use crate::views::{safe_next, url_decode, url_encode, Chrome};
use crate::AppState;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sendplan_domain::accounts::{
    email_domain, minutes_to_wait, Limit, LINKS_PER_CLIENT, RESET_PER_ACCOUNT, RESET_VALID_FOR,
    SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_CLIENT,
};
use sendplan_domain::input::{FieldErrors, RawForm};
use sendplan_domain::reminders::Recipient;
use sendplan_domain::UserId;
use sendplan_storage::{NewSession, OutgoingMail, ResetLink};
use std::net::SocketAddr;
use std::sync::OnceLock;
use time::OffsetDateTime;

/// The cookie that carries a single sign-on attempt from the redirect to the return.
const SSO_COOKIE: &str = "sendplan_sso";

pub async fn health(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(error) => {
            tracing::error!(%error, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

/// The token that protects a form shown before sign-in (there is no session to hold it),
/// and the cookie that must carry it, when the browser has none yet.
pub fn anonymous_csrf(state: &AppState, headers: &HeaderMap) -> (String, Option<HeaderValue>) {
    match cookie(headers, SIGN_IN_CSRF_COOKIE).filter(|t| t.len() == 64) {
        Some(existing) => (existing.to_owned(), None),
        None => {
            let token = random_token();
            let cookie = set_cookie(
                SIGN_IN_CSRF_COOKIE,
                &token,
                3600,
                state.config.secure_cookies,
            );
            (token, Some(cookie))
        }
    }
}

/// The token a form posted before sign-in was shown with (its cookie's value).
pub fn posted_csrf(headers: &HeaderMap) -> String {
    cookie(headers, SIGN_IN_CSRF_COOKIE)
        .unwrap_or_default()
        .to_owned()
}

/// A page shown before sign-in, with the cookie its form's token needs.
pub fn with_anonymous_csrf(mut response: Response, cookie: Option<HeaderValue>) -> Response {
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The value of a password field, never sent back to the browser.
pub fn secret_field(form: &RawForm, name: &str) -> String {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The form as typed, less its passwords, to show it again.
pub fn without_secrets(form: &RawForm) -> RawForm {
    RawForm(
        form.0
            .iter()
            .filter(|(k, _)| !k.contains("password"))
            .cloned()
            .collect(),
    )
}

/// Counts an attempt against both an account (or address) and the client, and says
/// how long to wait when either is over its limit.
/// The page for a link opened too often from one address: wait `minutes`.
pub fn too_many_attempts(csrf: String, minutes: i64) -> crate::errors::AppResult {
    let mut chrome = Chrome::plain("Too many attempts", None);
    chrome.csrf = csrf;
    crate::pages::html_with_status(
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        &NoticePage::new(chrome, "Too many attempts").say(format!(
            "There have been too many attempts from here. Wait {minutes} minutes and try again."
        )),
    )
}

pub async fn over_limit(
    state: &AppState,
    checks: &[(&str, &str, Limit)],
    now: OffsetDateTime,
) -> Result<Option<i64>, AppError> {
    let mut wait = None;
    for (what, key, limit) in checks {
        let attempt = state
            .store
            .count_attempt(&bucket(what, key), *limit, now)
            .await?;
        if !attempt.allowed(*limit) {
            let minutes = minutes_to_wait(attempt.window_started, *limit, now);
            wait = Some(wait.map_or(minutes, |w: i64| w.max(minutes)));
        }
    }
    Ok(wait)
}

/// Signs `user` in on this browser and sends it to `to`: a new session whose token only
/// the cookie holds, and the sign-in form's token cleared.
pub async fn start_session(
    state: &AppState,
    user: UserId,
    headers: &HeaderMap,
    to: &str,
    message: Option<&str>,
) -> AppResult {
    let token = random_token();
    let handle = random_token();
    let now = OffsetDateTime::now_utc();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let csrf = random_token();
    state
        .store
        .create_session(&NewSession {
            token_hash: &token_hash(&token),
            handle: &handle[..24],
            user,
            csrf_token: &csrf,
            user_agent,
            now,
            expires_at: now + state.config.sessions.absolute,
        })
        .await?;
    tracing::info!(user = user.0, "signed in");
    let mut response = match message {
        Some(message) => super::saved(state, to, message),
        None => (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_owned())]).into_response(),
    };
    let secure = state.config.secure_cookies;
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        set_cookie(
            SESSION_COOKIE,
            &token,
            state.config.sessions.absolute.whole_seconds(),
            secure,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        set_cookie(SIGN_IN_CSRF_COOKIE, "", 0, secure),
    );
    Ok(response)
}

fn sign_in_page(state: &AppState, csrf: &str, next: &str) -> FormPage {
    let mut chrome = Chrome::plain("Sign in", None);
    chrome.csrf = csrf.to_owned();
    let mut page = FormPage::new(
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
    .intro("Sign in to see and update your partnership's SEND improvement plans.");
    if let Some(sso) = &state.config.sso {
        page = page.with_link(
            format!("Sign in with {}", sso.name()),
            format!("/sign-in/sso?next={}", url_encode(next)),
        );
    }
    if state.config.mailer.is_some() {
        page = page.with_link("Forgot your password?", "/forgot-password");
    }
    page
}

/// The sign-in form, with a fresh token in a cookie that the form must echo.
pub async fn show_sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let next = safe_next(RawForm(query).get("next"));
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    let response = html(&sign_in_page(&state, &csrf, &next))?;
    Ok(with_anonymous_csrf(response, new_cookie))
}

/// A hash to verify against when the email is unknown, so both cases take as long.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| crate::auth::hash_password(&random_token()).unwrap_or_default())
}

pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let csrf = posted_csrf(&headers);
    let next = safe_next(form.get("next"));
    let email = form.get("email").trim().to_lowercase();
    let password = secret_field(&form, "password");
    let page = || sign_in_page(&state, &csrf, &next);
    let shown = without_secrets(&form);
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
    if let Some(domain) = email_domain(&email) {
        if !state.store.password_allowed_for(&domain).await? {
            let how = state
                .config
                .sso
                .as_ref()
                .map_or("your organisation's account".to_owned(), |s| {
                    s.name().to_owned()
                });
            let message =
                format!("Accounts at {domain} sign in with {how}: use the link above the form");
            return page().with_errors(&shown, FieldErrors::single("email", message));
        }
    }
    let now = OffsetDateTime::now_utc();
    let client = client_ip(&state, peer, &headers).to_string();
    let account_bucket = bucket("sign-in-account", &email);
    if let Some(minutes) = over_limit(
        &state,
        &[
            ("sign-in-account", &email, SIGN_IN_PER_ACCOUNT),
            ("sign-in-client", &client, SIGN_IN_PER_CLIENT),
        ],
        now,
    )
    .await?
    {
        tracing::info!("sign-in refused: too many attempts");
        let message = format!(
            "There have been too many attempts to sign in. Wait {minutes} {} and try again.",
            if minutes == 1 { "minute" } else { "minutes" }
        );
        return page().with_errors(&shown, FieldErrors::single("email", message));
    }
    let user = state.store.find_user_by_email(&email).await?;
    let hash = user
        .as_ref()
        .map_or(decoy_hash(), |u| u.password_hash.as_str())
        .to_owned();
    let verified = state.hasher.verify(password, hash).await;
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!("sign-in refused");
        let message = "Enter a correct email address and password";
        return page().with_errors(&shown, FieldErrors::single("email", message));
    };
    if user.disabled {
        let message = "This account has been disabled. Ask an administrator of your partnership if you need it again.";
        return page().with_errors(&shown, FieldErrors::single("email", message));
    }
    state.store.clear_attempts(&account_bucket).await?;
    start_session(&state, user.id, &headers, &next, None).await
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

/// A link in an email: the deployment's own address (never the request's Host header,
/// which whoever asks can write) followed by `path`.
pub fn link_to(state: &AppState, path: &str) -> String {
    match &state.config.base_url {
        Some(base) => format!("{}{path}", base.trim_end_matches('/')),
        None => path.to_owned(),
    }
}

fn forgot_page(csrf: &str) -> FormPage {
    let mut chrome = Chrome::plain("Reset your password", None);
    chrome.csrf = csrf.to_owned();
    FormPage::new(
        chrome,
        "Reset your password",
        "/forgot-password",
        vec![Field::text("email", "Email address")
            .hint("The address you sign in with. We will email it a link to choose a new password.")
            .input_type("email")
            .autocomplete("email")],
    )
    .submit("Send the link")
    .cancel("/sign-in")
}

pub async fn show_forgot_password(State(state): State<AppState>, headers: HeaderMap) -> AppResult {
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    if state.config.mailer.is_none() {
        let mut chrome = Chrome::plain("Reset your password", None);
        chrome.csrf = csrf;
        let page = NoticePage::new(chrome, "Reset your password")
            .say("This sendplan cannot send email, so it cannot send you a link.")
            .say("Ask a deployment administrator to make you a reset link (with the command sendplan user reset-password) and to give it to you.")
            .back("/sign-in");
        return Ok(with_anonymous_csrf(html(&page)?, new_cookie));
    }
    Ok(with_anonymous_csrf(html(&forgot_page(&csrf))?, new_cookie))
}

/// Sends a reset link if the address has an account that signs in with a password. The
/// answer is the same either way, and the same when the address has had its three
/// emails this hour, so it tells nobody whether an account exists.
pub async fn request_password_reset(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let csrf = posted_csrf(&headers);
    let mut reader = sendplan_domain::input::FormReader::new(&form);
    let email = sendplan_domain::input::parse_email(&mut reader, "email", true);
    if let Err(errors) = reader.finish(()) {
        return forgot_page(&csrf).with_errors(&form, errors);
    }
    let Some(_) = &state.config.mailer else {
        return Err(AppError::NotFound);
    };
    let now = OffsetDateTime::now_utc();
    let client = client_ip(&state, peer, &headers).to_string();
    if let Some(minutes) =
        over_limit(&state, &[("links-client", &client, LINKS_PER_CLIENT)], now).await?
    {
        let message = format!(
            "There have been too many requests from here. Wait {minutes} minutes and try again."
        );
        return forgot_page(&csrf).with_errors(&form, FieldErrors::single("email", message));
    }
    let within_limit = over_limit(&state, &[("reset-account", &email, RESET_PER_ACCOUNT)], now)
        .await?
        .is_none();
    let user = state.store.find_user_by_email(&email).await?;
    let allowed = match email_domain(&email) {
        Some(domain) => state.store.password_allowed_for(&domain).await?,
        None => false,
    };
    if let Some(user) = user.filter(|u| within_limit && allowed && !u.disabled) {
        issue_reset_link(&state, &user, now).await?;
    }
    let mut chrome = Chrome::plain("Check your email", None);
    chrome.csrf = csrf;
    html(
        &NoticePage::new(chrome, "Check your email")
            .say(format!(
                "If {email} has a sendplan account that signs in with a password, we have sent it a link to choose a new password."
            ))
            .say("The link works once, for an hour. If nothing arrives in a few minutes, check your spam folder, then ask an administrator of your partnership.")
            .link("Back to sign in", "/sign-in"),
    )
}

/// Makes a single-use reset link for `user` (earlier ones stop working) and, with a mail
/// server, emails it to them. Returns the link and whether it was emailed.
pub async fn issue_reset_link(
    state: &AppState,
    user: &sendplan_storage::UserRecord,
    now: OffsetDateTime,
) -> Result<(String, bool), AppError> {
    let token = random_token();
    let link = link_to(state, &format!("/reset-password/{token}"));
    let mail = state.config.mailer.as_ref().map(|_| OutgoingMail {
        partnership: None,
        purpose: "password_reset",
        to: Recipient {
            name: user.display_name.clone(),
            email: user.email.clone(),
        },
        subject: "Reset your sendplan password".to_owned(),
        body: format!(
            "Someone asked to reset the password of the sendplan account for this address.\n\n\
             To choose a new password, open this link within an hour:\n{link}\n\n\
             The link works once. If you did not ask for this, you can ignore this email: your password has not changed."
        ),
        secret: true,
    });
    state
        .store
        .create_password_reset(
            user.id,
            &token_hash(&token),
            now,
            now + RESET_VALID_FOR,
            mail.as_ref(),
        )
        .await?;
    if mail.is_some() {
        state.mail_waiting.notify_one();
    }
    tracing::info!(user = user.id.0, "password reset link made");
    Ok((link, mail.is_some()))
}

fn reset_page(csrf: &str, token: &str) -> FormPage {
    let mut chrome = Chrome::plain("Choose a new password", None);
    chrome.csrf = csrf.to_owned();
    FormPage::new(
        chrome,
        "Choose a new password",
        format!("/reset-password/{token}"),
        password_fields(),
    )
    .submit("Save the new password")
}

/// A new password and its confirmation, as every form that sets one asks them.
pub fn password_fields() -> Vec<Field> {
    vec![
        Field::text("new_password", "New password")
            .hint("At least 12 characters. Three random words make a good password, such as ‘kettle orbit walnut’. Avoid common passwords and your name.")
            .input_type("password")
            .autocomplete("new-password"),
        Field::text("confirm_password", "Type the new password again")
            .input_type("password")
            .autocomplete("new-password"),
    ]
}

/// Checks a new password and its confirmation (NCSC: length and a deny list, no
/// composition rules), naming the field with the problem.
pub fn check_new_password(form: &RawForm, personal: &[&str]) -> Result<String, FieldErrors> {
    let password = secret_field(form, "new_password");
    let confirm = secret_field(form, "confirm_password");
    if let Some(problem) = sendplan_domain::passwords::new_password_problem(&password, personal) {
        return Err(FieldErrors::single("new_password", problem));
    }
    if confirm != password {
        return Err(FieldErrors::single(
            "confirm_password",
            "The passwords do not match: type the same password twice",
        ));
    }
    Ok(password)
}

fn dead_link_page(csrf: String, link: Option<ResetLink>) -> AppResult {
    let mut chrome = Chrome::plain("This link does not work", None);
    chrome.csrf = csrf;
    let why = match link {
        Some(ResetLink::Used) => "This link has been used already. Each link works once.",
        _ => "This link has expired or is not a link we sent. Links to reset a password work for an hour.",
    };
    html_with_status(
        StatusCode::NOT_FOUND,
        &NoticePage::new(chrome, "This link does not work")
            .say(why)
            .say("If you still need to reset your password, ask for a new link.")
            .link("Ask for a new link", "/forgot-password")
            .link("Sign in", "/sign-in"),
    )
}

pub async fn show_reset_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult {
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    let now = OffsetDateTime::now_utc();
    let link = state.store.password_reset(&token_hash(&token), now).await?;
    let response = match link {
        Some(ResetLink::Usable(_)) => html(&reset_page(&csrf, &token))?,
        other => dead_link_page(csrf, other)?,
    };
    Ok(with_anonymous_csrf(response, new_cookie))
}

pub async fn reset_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let csrf = posted_csrf(&headers);
    let now = OffsetDateTime::now_utc();
    let client = client_ip(&state, peer, &headers).to_string();
    if let Some(minutes) =
        over_limit(&state, &[("links-client", &client, LINKS_PER_CLIENT)], now).await?
    {
        let message = format!(
            "There have been too many attempts from here. Wait {minutes} minutes and try again."
        );
        return reset_page(&csrf, &token).with_errors(
            &without_secrets(&form),
            FieldErrors::single("new_password", message),
        );
    }
    let hash = token_hash(&token);
    let user = match state.store.password_reset(&hash, now).await? {
        Some(ResetLink::Usable(user)) => user,
        other => return dead_link_page(csrf, other),
    };
    let user = state.store.get_user(user).await?;
    let password = match check_new_password(&form, &[&user.email, &user.display_name]) {
        Ok(password) => password,
        Err(errors) => {
            return reset_page(&csrf, &token).with_errors(&without_secrets(&form), errors)
        }
    };
    let password_hash = state
        .hasher
        .hash(password)
        .await
        .map_err(AppError::Unavailable)?;
    match state.store.use_password_reset(&hash, &password_hash, now).await? {
        Ok(user) => {
            start_session(
                &state,
                user,
                &headers,
                "/",
                Some("Your password has been changed. You are signed in, and signed out everywhere else."),
            )
            .await
        }
        Err(link) => dead_link_page(csrf, Some(link)),
    }
}

/// What a single sign-on attempt remembers between leaving for the provider and coming back.
#[derive(serde::Serialize, serde::Deserialize)]
struct SsoAttempt {
    pending: crate::sso::PendingSignIn,
    next: String,
    /// The invitation being accepted, if any (its token).
    invitation: Option<String>,
}

/// Sends the browser to the identity provider.
pub async fn start_single_sign_on(
    State(state): State<AppState>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let Some(sso) = &state.config.sso else {
        return Err(AppError::NotFound);
    };
    let query = RawForm(query);
    let next = safe_next(query.get("next"));
    let invitation = Some(query.get("invitation").to_owned()).filter(|t| t.len() == 64);
    let hint = Some(query.get("email")).filter(|e| e.contains('@'));
    let (url, pending) = sso.begin(hint).await.map_err(|why| {
        tracing::warn!(%why, "single sign-on could not start");
        AppError::Unavailable(format!("{} cannot be reached", sso.name()))
    })?;
    let attempt = SsoAttempt {
        pending,
        next,
        invitation,
    };
    let value =
        serde_json::to_string(&attempt).map_err(|e| AppError::Unavailable(e.to_string()))?;
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            SSO_COOKIE,
            &url_encode(&value),
            600,
            state.config.secure_cookies,
        ),
    );
    Ok(response)
}

fn sso_refusal(state: &AppState, heading: &str, why: &str) -> AppResult {
    let mut page = NoticePage::new(Chrome::plain(heading, None), heading).say(why);
    if state.config.mailer.is_some() {
        page = page.link("Sign in with an email address and password", "/sign-in");
    }
    html_with_status(StatusCode::FORBIDDEN, &page)
}

/// The identity provider sends the browser back here with a code: exchange it, check
/// the ID token, and sign in the account (or accept the invitation) for the verified
/// email address. Only addresses at domains a partnership has named sign in this way.
/// The attempt's cookie is cleared whatever the outcome: it is good for one return.
pub async fn finish_single_sign_on(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Query<Vec<(String, String)>>,
) -> AppResult {
    let mut response = match single_sign_on_return(&state, &headers, query).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    };
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SSO_COOKIE, "", 0, state.config.secure_cookies),
    );
    Ok(response)
}

/// What the provider's answer means, in words: only the codes OAuth defines are repeated,
/// never whatever else the address carries.
fn provider_error(code: &str) -> &'static str {
    match code {
        "access_denied" => "you, or your organisation, declined the sign-in",
        "login_required" | "interaction_required" | "consent_required" => {
            "it needs you to sign in to it first"
        }
        "temporarily_unavailable" | "server_error" => "it is not working at the moment",
        _ => "it refused the sign-in",
    }
}

async fn single_sign_on_return(
    state: &AppState,
    headers: &HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let Some(sso) = &state.config.sso else {
        return Err(AppError::NotFound);
    };
    let query = RawForm(query);
    let attempt: Option<SsoAttempt> = cookie(headers, SSO_COOKIE)
        .map(url_decode)
        .and_then(|v| serde_json::from_str(&v).ok());
    let Some(attempt) = attempt else {
        return sso_refusal(
            state,
            "Sign-in took too long",
            "Your sign-in was not finished within 10 minutes, or this browser does not keep cookies. Go back to sendplan and sign in again.",
        );
    };
    if !query.get("error").is_empty() {
        return sso_refusal(
            state,
            "You were not signed in",
            &format!(
                "{} did not sign you in: {}. Try again, or ask your IT service desk.",
                sso.name(),
                provider_error(query.get("error"))
            ),
        );
    }
    let identity = match sso
        .finish(&attempt.pending, query.get("code"), query.get("state"))
        .await
    {
        Ok(identity) => identity,
        Err(why) => {
            tracing::warn!(%why, "single sign-on refused");
            return sso_refusal(
                state,
                "You were not signed in",
                &format!(
                    "sendplan could not confirm who you are with {}. Go back and sign in again.",
                    sso.name()
                ),
            );
        }
    };
    let domain = email_domain(&identity.email).unwrap_or_default();
    if !state.store.is_single_sign_on_domain(&domain).await? {
        return sso_refusal(
            state,
            "Your organisation does not sign in this way",
            &format!("No partnership has set accounts at {domain} to sign in through {}. Sign in with your email address and password instead.", sso.name()),
        );
    }
    let now = OffsetDateTime::now_utc();
    let account = state.store.find_user_by_email(&identity.email).await?;
    let user = match (&attempt.invitation, account) {
        (Some(token), account) => {
            // The provider vouched for one address: it may accept only an invitation to
            // that address, or anyone holding a forwarded link could join as its invitee.
            let invited = state.store.invitation_by_token(&token_hash(token)).await?;
            if let Some((invitation, _)) = invited.filter(|(i, _)| i.email != identity.email) {
                return sso_refusal(
                    state,
                    "This invitation is for someone else",
                    &format!(
                        "This invitation is for {}, but {} signed you in as {}. Sign in with that address, or ask for an invitation of your own.",
                        invitation.email,
                        sso.name(),
                        identity.email
                    ),
                );
            }
            let name = identity
                .name
                .clone()
                .unwrap_or_else(|| identity.email.split('@').next().unwrap_or("").to_owned());
            let accepting = match &account {
                Some(user) => sendplan_storage::Accepting::Account(user.id),
                None => sendplan_storage::Accepting::NewAccount {
                    display_name: &name,
                    password_hash: "",
                },
            };
            match state
                .store
                .accept_invitation(&token_hash(token), accepting, now)
                .await
            {
                Ok(Some((user, partnership))) => {
                    let to =
                        super::accounts::landing_after_joining(state, user, partnership).await?;
                    return start_session(
                        state,
                        user,
                        headers,
                        &to,
                        Some("You have joined the partnership"),
                    )
                    .await;
                }
                Ok(None) => account.map(|u| u.id),
                Err(sendplan_storage::StoreError::Rule(why)) => {
                    return sso_refusal(state, "This invitation is for someone else", &why)
                }
                Err(other) => return Err(other.into()),
            }
        }
        (None, account) => account.filter(|u| !u.disabled).map(|u| u.id),
    };
    let Some(user) = user else {
        return sso_refusal(
            state,
            "You do not have a sendplan account yet",
            &format!("There is no sendplan account for {}. Ask an administrator of your partnership to invite you.", identity.email),
        );
    };
    start_session(state, user, headers, &attempt.next, None).await
}
