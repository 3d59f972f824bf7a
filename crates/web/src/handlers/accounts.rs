//! Your own account (its password and its signed-in sessions) and accepting an
//! invitation to a partnership, with a new account or one you already have.

use super::session::{
    anonymous_csrf, check_new_password, password_fields, posted_csrf, secret_field, start_session,
    with_anonymous_csrf, without_secrets,
};
use super::{saved, FormPairs};
use crate::auth::{client_ip, token_hash, SignedIn};
use crate::errors::{AppError, AppResult};
use crate::forms::Field;
use crate::pages::{html, html_with_status, FormPage, NoticePage, TableBlock};
use crate::views::{url_encode, Cell, Chrome, PostButton, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use sendplan_domain::access::Role;
use sendplan_domain::accounts::{describe_device, email_domain, InvitationState, LINKS_PER_CLIENT};
use sendplan_domain::input::{FieldErrors, RawForm, SHORT_TEXT};
use sendplan_domain::{PartnershipId, UserId};
use sendplan_storage::{Accepting, Invitation, StoreError};
use std::net::SocketAddr;
use time::OffsetDateTime;

/// A moment as people in England read it ("2 December 2026 at 09:15", UK time is close
/// enough to UTC for "last seen").
pub fn when(at: OffsetDateTime) -> String {
    format!(
        "{} at {:02}:{:02} UTC",
        sendplan_domain::input::long_date(at.date()),
        at.hour(),
        at.minute()
    )
}

/// Items joined with commas, or "None" when there are none (rather than a blank that
/// reads as "not known").
fn list_or_none(items: Vec<String>) -> String {
    if items.is_empty() {
        "None".to_owned()
    } else {
        items.join(", ")
    }
}

/// An account's partnerships with its role in each, "Walsall (viewer), ...", or "None".
pub fn memberships_text(memberships: &[(String, Role)]) -> String {
    list_or_none(
        memberships
            .iter()
            .map(|(partnership, role)| format!("{partnership} ({})", role.label().to_lowercase()))
            .collect(),
    )
}

/// "Your account": who you are, where you belong, and what you can change.
pub async fn show_account(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    let user = &signed_in.user;
    let memberships = state.store.memberships_of(user.id).await?;
    let mut summary = vec![
        SummaryRow::new("Name", user.display_name.clone()),
        SummaryRow::new("Email address", user.email.clone()),
        SummaryRow::new("Partnerships", memberships_text(&memberships)),
    ];
    if user.deployment_admin {
        summary.push(SummaryRow::new(
            "Deployment administrator",
            "Yes: you can add partnerships and manage every account",
        ));
    }
    let mut page = NoticePage::new(
        Chrome::plain("Your account", Some(&signed_in)),
        "Your account",
    );
    page.summary = summary;
    page = page
        .link(
            "Your sessions: where you are signed in",
            "/account/sessions",
        )
        .link(
            if user.password_hash.is_empty() {
                "Set a password"
            } else {
                "Change your password"
            },
            "/account/password",
        );
    if user.deployment_admin {
        page = page.link("Manage accounts", "/admin/accounts");
    }
    html(&page)
}

fn password_page(signed_in: &SignedIn) -> FormPage {
    let mut fields = Vec::new();
    if !signed_in.user.password_hash.is_empty() {
        fields.push(
            Field::text("current_password", "Current password")
                .input_type("password")
                .autocomplete("current-password"),
        );
    }
    fields.extend(password_fields());
    FormPage::new(
        Chrome::plain("Change your password", Some(signed_in)),
        "Change your password",
        "/account/password",
        fields,
    )
    .intro("When you change your password you stay signed in here, and are signed out everywhere else.")
    .submit("Change password")
    .cancel("/account")
}

/// An account that signs in only through the identity provider, at a domain whose
/// password sign-in is off, has no sendplan password to set: giving it one would outlive
/// the organisation's account, which is how leavers lose access.
async fn refuse_password_for_single_sign_on(
    state: &AppState,
    signed_in: &SignedIn,
) -> Result<Option<axum::response::Response>, AppError> {
    let domain = email_domain(&signed_in.user.email).unwrap_or_default();
    if !signed_in.user.password_hash.is_empty() || state.store.password_allowed_for(&domain).await?
    {
        return Ok(None);
    }
    let page = NoticePage::new(
        Chrome::plain("You have no sendplan password", Some(signed_in)),
        "You have no sendplan password",
    )
    .say(format!(
        "Accounts at {domain} sign in with their organisation's account, so there is no password to change here. Change it with your organisation's IT service."
    ))
    .back("/account");
    Ok(Some(html(&page)?))
}

pub async fn edit_password(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    if let Some(refusal) = refuse_password_for_single_sign_on(&state, &signed_in).await? {
        return Ok(refusal);
    }
    html(&password_page(&signed_in))
}

/// Changes your own password: the current one is needed (counted against the same limit
/// as signing in), and every other session ends.
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed_in: SignedIn,
    headers: HeaderMap,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    if let Some(refusal) = refuse_password_for_single_sign_on(&state, &signed_in).await? {
        return Ok(refusal);
    }
    let form = RawForm(pairs);
    let shown = without_secrets(&form);
    let page = password_page(&signed_in);
    let user = &signed_in.user;
    if !user.password_hash.is_empty() {
        let current = secret_field(&form, "current_password");
        if current.is_empty() {
            return page.with_errors(
                &shown,
                FieldErrors::single("current_password", "Enter your current password"),
            );
        }
        let now = OffsetDateTime::now_utc();
        let client = client_ip(&state, peer, &headers).to_string();
        if let Some(minutes) = super::session::over_limit(
            &state,
            &[
                (
                    "sign-in-account",
                    &user.email,
                    sendplan_domain::accounts::SIGN_IN_PER_ACCOUNT,
                ),
                (
                    "sign-in-client",
                    &client,
                    sendplan_domain::accounts::SIGN_IN_PER_CLIENT,
                ),
            ],
            now,
        )
        .await?
        {
            let message =
                format!("There have been too many attempts. Wait {minutes} minutes and try again.");
            return page.with_errors(&shown, FieldErrors::single("current_password", message));
        }
        if !state
            .hasher
            .verify(current, user.password_hash.clone())
            .await
        {
            return page.with_errors(
                &shown,
                FieldErrors::single("current_password", "Your current password is not right"),
            );
        }
    }
    let password = match check_new_password(&form, &[&user.email, &user.display_name]) {
        Ok(password) => password,
        Err(errors) => return page.with_errors(&shown, errors),
    };
    let hash = state
        .hasher
        .hash(password)
        .await
        .map_err(AppError::Unavailable)?;
    state
        .store
        .set_password(
            signed_in.actor(),
            user.id,
            &hash,
            Some(&signed_in.session_handle),
        )
        .await?;
    state
        .store
        .clear_attempts(&crate::auth::bucket("sign-in-account", &user.email))
        .await?;
    Ok(saved(
        &state,
        "/account",
        "Your password has been changed. You have been signed out everywhere else.",
    ))
}

/// "Your sessions": each browser signed in to this account, with a way to end it.
pub async fn list_sessions(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    let sessions = state.store.list_sessions(signed_in.user.id).await?;
    let others = sessions
        .iter()
        .filter(|s| s.handle != signed_in.session_handle)
        .count();
    let rows = sessions
        .iter()
        .map(|s| {
            let device = describe_device(&s.user_agent);
            let this = s.handle == signed_in.session_handle;
            let mut first = Cell::text(device.clone());
            let action = if this {
                first = first.with_tag(Tag::new("This browser", "green"));
                Cell::text("")
            } else {
                Cell::text("").with_post(
                    PostButton::new("Sign out", "/account/sessions/end")
                        .context(format!("{device}, last used {}", when(s.last_seen_at)))
                        .hidden("handle", &s.handle),
                )
            };
            vec![
                first,
                Cell::text(when(s.created_at)),
                Cell::text(when(s.last_seen_at)),
                action,
            ]
        })
        .collect();
    let mut page = NoticePage::new(Chrome::plain("Your sessions", Some(&signed_in)), "Your sessions")
        .say("These are the browsers and devices signed in to your account. If you do not recognise one, sign it out and change your password.")
        .say(format!(
            "A session ends after {} hours without use, and after {} days whatever happens.",
            state.config.sessions.idle.whole_hours(),
            state.config.sessions.absolute.whole_days()
        ))
        .back("/account");
    page.wide = true;
    page.tables.push(TableBlock {
        heading: "Signed in".to_owned(),
        head: vec!["Browser", "Signed in", "Last used", ""],
        rows,
        empty: "No sessions.".to_owned(),
    });
    if others > 0 {
        page = page.post(
            PostButton::new("Sign out everywhere else", "/account/sessions/end")
                .secondary()
                .hidden("everywhere", "1"),
        );
    }
    html(&page)
}

/// Ends one session, or all but this one. Safe to send twice.
pub async fn end_sessions(
    State(state): State<AppState>,
    signed_in: SignedIn,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let user = signed_in.user.id;
    let message = if form.get("everywhere") == "1" {
        state
            .store
            .end_sessions(user, Some(&signed_in.session_handle))
            .await?;
        "You have been signed out everywhere else"
    } else {
        let handle = form.get("handle");
        if handle.is_empty() || handle == signed_in.session_handle {
            return Err(AppError::NotFound);
        }
        state.store.end_session(user, handle).await?;
        "That session has been signed out"
    };
    tracing::info!(user = user.0, "sessions ended");
    Ok(saved(&state, "/account/sessions", message))
}

/// Where someone goes once they have joined a partnership: an action lead to the
/// actions they lead, anyone else to the partnership's plans.
pub async fn landing_after_joining(
    state: &AppState,
    user: UserId,
    partnership: PartnershipId,
) -> Result<String, AppError> {
    let role = state
        .store
        .membership(user, partnership)
        .await?
        .map(|(r, _)| r);
    Ok(match role {
        Some(Role::ActionLead) => format!("/p/{partnership}/my-actions"),
        role => crate::auth::partnership_home(partnership, role),
    })
}

fn invitation_caption(invitation: &Invitation, partnership: &str) -> String {
    format!(
        "You have been invited to join {partnership} on sendplan as {}.",
        invitation.role.label().to_lowercase()
    )
}

fn new_account_page(
    csrf: &str,
    token: &str,
    invitation: &Invitation,
    partnership: &str,
    sso: Option<&str>,
) -> FormPage {
    let mut chrome = Chrome::plain("Accept your invitation", None);
    chrome.csrf = csrf.to_owned();
    let mut fields = vec![Field::text("display_name", "Your name")
        .hint("As colleagues know you, for example Sam Patel")
        .autocomplete("name")];
    fields.extend(password_fields());
    let mut page = FormPage::new(
        chrome,
        "Accept your invitation",
        format!("/invitations/{token}"),
        fields,
    )
    .caption(partnership.to_owned())
    .intro(format!(
        "{} Create your account for {} by giving your name and choosing a password.",
        invitation_caption(invitation, partnership),
        invitation.email
    ))
    .submit("Create account and join");
    if let Some(name) = sso {
        page = page.with_link(
            format!("Or join with {name}"),
            format!(
                "/sign-in/sso?invitation={token}&email={}",
                url_encode(&invitation.email)
            ),
        );
    }
    page
}

fn dead_invitation(csrf: String, state: Option<InvitationState>) -> AppResult {
    let mut chrome = Chrome::plain("This invitation does not work", None);
    chrome.csrf = csrf;
    let why = match state {
        Some(InvitationState::Accepted) => {
            "This invitation has been accepted already. Sign in with the email address it was sent to."
        }
        Some(InvitationState::Expired) => {
            "This invitation has expired: invitations work for 7 days. Ask the person who invited you to send it again."
        }
        Some(InvitationState::Withdrawn) => {
            "This invitation has been withdrawn, or replaced by a newer one. Use the newest email you were sent, or ask the person who invited you."
        }
        _ => "This is not an invitation we sent, or it has been replaced by a newer one. Check you copied the whole link from the email.",
    };
    html_with_status(
        StatusCode::NOT_FOUND,
        &NoticePage::new(chrome, "This invitation does not work")
            .say(why)
            .link("Sign in", "/sign-in"),
    )
}

/// The invitation a link leads to, with its partnership's name, if it can still be
/// accepted; otherwise where it stands (`None`: no such link), read once.
async fn waiting_invitation(
    state: &AppState,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<Result<(Invitation, String), Option<InvitationState>>, AppError> {
    Ok(match state.store.invitation_by_token(token_hash).await? {
        Some((invitation, partnership)) if invitation.state(now) == InvitationState::Waiting => {
            Ok((invitation, partnership))
        }
        other => Err(other.map(|(invitation, _)| invitation.state(now))),
    })
}

/// Where an invitation link leads: join with a new account, join with the account you
/// are signed in with, or sign in first.
pub async fn show_invitation(
    State(state): State<AppState>,
    signed_in: Option<SignedIn>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult {
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    let now = OffsetDateTime::now_utc();
    let (invitation, partnership) =
        match waiting_invitation(&state, &token_hash(&token), now).await? {
            Ok(found) => found,
            Err(state_now) => {
                return Ok(with_anonymous_csrf(
                    dead_invitation(csrf, state_now)?,
                    new_cookie,
                ))
            }
        };
    let here = format!("/invitations/{token}");
    if let Some(signed_in) = signed_in {
        let chrome = Chrome::plain("Accept your invitation", Some(&signed_in));
        let page = if signed_in.user.email == invitation.email {
            NoticePage::new(chrome, "Accept your invitation")
                .say(invitation_caption(&invitation, &partnership))
                .post(PostButton::new("Accept and join", here))
        } else {
            NoticePage::new(chrome, "This invitation is for someone else")
                .say(format!(
                    "This invitation is for {}, but you are signed in as {}. Sign out, then open the link again to accept it with that address.",
                    invitation.email, signed_in.user.email
                ))
                .post(PostButton::new("Sign out", "/sign-out").secondary())
        };
        return html(&page);
    }
    let domain = email_domain(&invitation.email).unwrap_or_default();
    let sso_domain = state.store.is_single_sign_on_domain(&domain).await?;
    let sso = state
        .config
        .sso
        .as_ref()
        .filter(|_| sso_domain)
        .map(|s| s.name());
    let page = if state
        .store
        .find_user_by_email(&invitation.email)
        .await?
        .is_some()
    {
        let mut chrome = Chrome::plain("Accept your invitation", None);
        chrome.csrf = csrf;
        let mut page = NoticePage::new(chrome, "Accept your invitation")
            .say(invitation_caption(&invitation, &partnership))
            .say(format!(
                "You already have a sendplan account for {}. Sign in to accept.",
                invitation.email
            ))
            .link(
                "Sign in to accept",
                format!("/sign-in?next={}", url_encode(&here)),
            );
        if let Some(name) = sso {
            page = page.link(
                format!("Sign in with {name} to accept"),
                format!(
                    "/sign-in/sso?invitation={token}&email={}",
                    url_encode(&invitation.email)
                ),
            );
        }
        html(&page)?
    } else if sso.is_some() && !state.store.password_allowed_for(&domain).await? {
        let mut chrome = Chrome::plain("Accept your invitation", None);
        chrome.csrf = csrf;
        let name = sso.unwrap_or_default();
        html(
            &NoticePage::new(chrome, "Accept your invitation")
                .say(invitation_caption(&invitation, &partnership))
                .say(format!("Accounts at {domain} sign in with {name}."))
                .link(
                    format!("Join with {name}"),
                    format!(
                        "/sign-in/sso?invitation={token}&email={}",
                        url_encode(&invitation.email)
                    ),
                ),
        )?
    } else {
        html(&new_account_page(
            &csrf,
            &token,
            &invitation,
            &partnership,
            sso,
        ))?
    };
    Ok(with_anonymous_csrf(page, new_cookie))
}

/// Accepts an invitation: as the signed-in account, or by making a new account with the
/// name and password given. Either way the link works once.
pub async fn accept_invitation(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    signed_in: Option<SignedIn>,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let now = OffsetDateTime::now_utc();
    let client = client_ip(&state, peer, &headers).to_string();
    let csrf = posted_csrf(&headers);
    if let Some(minutes) =
        super::session::over_limit(&state, &[("links-client", &client, LINKS_PER_CLIENT)], now)
            .await?
    {
        return super::session::too_many_attempts(csrf, minutes);
    }
    let hash = token_hash(&token);
    let (invitation, partnership) = match waiting_invitation(&state, &hash, now).await? {
        Ok(found) => found,
        Err(state_now) => return dead_invitation(csrf, state_now),
    };
    let accepted = match &signed_in {
        Some(signed_in) => {
            state
                .store
                .accept_invitation(&hash, Accepting::Account(signed_in.user.id), now)
                .await
        }
        None => {
            let domain = email_domain(&invitation.email).unwrap_or_default();
            if !state.store.password_allowed_for(&domain).await?
                || state
                    .store
                    .find_user_by_email(&invitation.email)
                    .await?
                    .is_some()
            {
                // The page offered no password form for this address.
                return Err(AppError::NotFound);
            }
            let sso = state.config.sso.as_ref().map(|s| s.name());
            let page = new_account_page(&csrf, &token, &invitation, &partnership, sso);
            let shown = without_secrets(&form);
            let name = form.get("display_name").trim().to_owned();
            if name.is_empty() {
                return page.with_errors(
                    &shown,
                    FieldErrors::single("display_name", "Enter your name"),
                );
            }
            if name.chars().count() > SHORT_TEXT || name.chars().any(char::is_control) {
                return page.with_errors(
                    &shown,
                    FieldErrors::single(
                        "display_name",
                        format!("Your name must be {SHORT_TEXT} characters or fewer, on one line"),
                    ),
                );
            }
            let password = match check_new_password(&form, &[&invitation.email, &name]) {
                Ok(password) => password,
                Err(errors) => return page.with_errors(&shown, errors),
            };
            let password_hash = state
                .hasher
                .hash(password)
                .await
                .map_err(AppError::Unavailable)?;
            state
                .store
                .accept_invitation(
                    &hash,
                    Accepting::NewAccount {
                        display_name: &name,
                        password_hash: &password_hash,
                    },
                    now,
                )
                .await
        }
    };
    match accepted {
        Ok(Some((user, partnership_id))) => {
            let to = landing_after_joining(&state, user, partnership_id).await?;
            let message = format!("You have joined {partnership}");
            match signed_in {
                Some(_) => Ok(saved(&state, &to, &message)),
                None => start_session(&state, user, &headers, &to, Some(&message)).await,
            }
        }
        Ok(None) => dead_invitation(csrf, None),
        Err(StoreError::Rule(why)) => {
            let chrome = Chrome::plain("This invitation is for someone else", signed_in.as_ref());
            html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NoticePage::new(chrome, "This invitation is for someone else").say(why),
            )
        }
        Err(other) => Err(other.into()),
    }
}
