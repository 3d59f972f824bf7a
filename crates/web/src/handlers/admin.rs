//! Deployment administration: every account on this sendplan, disabling and enabling
//! them, and making other deployment administrators. (Partnerships are added from the
//! start page.) Only deployment administrators reach these pages.

use super::accounts::{memberships_text, when};
use super::{saved, FormPairs};
use crate::auth::SignedIn;
use crate::errors::{AppError, AppResult};
use crate::pages::{html, NoticePage, TableBlock};
use crate::views::{Cell, Chrome, LinkButton, PostButton, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::input::RawForm;
use sendplan_domain::UserId;
use sendplan_storage::StoreError;

/// Every account, with where it belongs and whether it can sign in.
pub async fn list_accounts(State(state): State<AppState>, signed_in: SignedIn) -> AppResult {
    signed_in.require_deployment_admin()?;
    let accounts = state.store.list_accounts().await?;
    let rows = accounts
        .iter()
        .map(|a| {
            let mut name = Cell::link(
                a.user.display_name.clone(),
                format!("/admin/accounts/{}", a.user.id.0),
            );
            if a.user.deployment_admin {
                name = name.with_tag(Tag::new("Deployment administrator", "blue"));
            }
            if a.user.disabled {
                name = name.with_tag(Tag::new("Disabled", "red"));
            }
            vec![
                name,
                Cell::text(a.user.email.clone()),
                Cell::text(memberships_text(&a.memberships)),
                Cell::text(a.user.last_sign_in_at.map_or("Never".to_owned(), when)),
            ]
        })
        .collect();
    let mut page = NoticePage::new(Chrome::plain("Accounts", Some(&signed_in)), "Accounts")
        .say("Everyone who can sign in to this sendplan. Partnership administrators invite people and change their roles on their partnership's Members page; here you can disable an account everywhere, or make someone a deployment administrator.")
        .back("/");
    page.wide = true;
    page.buttons.push(LinkButton::secondary(
        "Add a partnership",
        "/partnerships/new",
    ));
    page.tables.push(TableBlock {
        heading: format!("{} accounts", accounts.len()),
        head: vec!["Name", "Email", "Partnerships", "Last signed in"],
        rows,
        empty: "No accounts.".to_owned(),
    });
    html(&page)
}

/// One account: its access, and the changes to it.
pub async fn show_account(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> AppResult {
    signed_in.require_deployment_admin()?;
    let user = state.store.get_user(UserId(id)).await?;
    let memberships = state.store.memberships_of(user.id).await?;
    let here = format!("/admin/accounts/{id}");
    let mut page = NoticePage::new(
        Chrome::plain(user.display_name.clone(), Some(&signed_in)),
        user.display_name.clone(),
    )
    .back("/admin/accounts");
    page.caption = "Account".to_owned();
    page.summary = vec![
        SummaryRow::new("Email address", user.email.clone()),
        SummaryRow::new(
            "Can sign in",
            if user.disabled { "No: disabled" } else { "Yes" },
        ),
        SummaryRow::new(
            "Signs in with",
            if user.password_hash.is_empty() {
                "The identity provider only"
            } else {
                "A password"
            },
        ),
        SummaryRow::new(
            "Deployment administrator",
            if user.deployment_admin { "Yes" } else { "No" },
        ),
        SummaryRow::new("Partnerships", memberships_text(&memberships)),
        SummaryRow::new(
            "Last signed in",
            user.last_sign_in_at.map_or("Never".to_owned(), when),
        ),
    ];
    if user.id != signed_in.user.id {
        page = page.post(if user.disabled {
            PostButton::new("Enable account", format!("{here}/access")).hidden("change", "enable")
        } else {
            PostButton::new("Disable account", format!("{here}/access"))
                .warning()
                .hidden("change", "disable")
        });
        page = page.post(if user.deployment_admin {
            PostButton::new(
                "Remove deployment administrator rights",
                format!("{here}/access"),
            )
            .secondary()
            .hidden("change", "remove_admin")
        } else {
            PostButton::new("Make deployment administrator", format!("{here}/access"))
                .secondary()
                .hidden("change", "make_admin")
        });
        if !user.disabled {
            page = page.post(
                PostButton::new("Make a password reset link", format!("{here}/reset")).secondary(),
            );
        }
        page = page.say("Disabling an account signs it out everywhere at once and stops it signing in, in every partnership. It can be enabled again.");
    }
    let history = state.store.account_history(user.id).await?;
    page.tables.push(TableBlock {
        heading: "Changes to this account".to_owned(),
        head: vec!["When", "Who", "What"],
        rows: history
            .iter()
            .map(|e| {
                vec![
                    Cell::text(when(e.at)),
                    Cell::text(e.actor_name.clone()),
                    Cell::text(e.summary.clone()),
                ]
            })
            .collect(),
        empty: "No changes recorded.".to_owned(),
    });
    html(&page)
}

/// Disables or enables an account, or gives or takes deployment administration. Each
/// sets a state rather than toggling it, so sending the form twice changes nothing more.
pub async fn change_access(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    signed_in.require_deployment_admin()?;
    let user = state.store.get_user(UserId(id)).await?;
    if user.id == signed_in.user.id {
        return Err(AppError::Store(StoreError::Rule(
            "You cannot change your own access: ask another deployment administrator".to_owned(),
        )));
    }
    let form = RawForm(pairs);
    let actor = signed_in.actor();
    let (result, message) = match form.get("change") {
        "disable" => (
            state.store.set_account_disabled(actor, user.id, true).await,
            format!(
                "{}'s account is disabled and signed out everywhere",
                user.display_name
            ),
        ),
        "enable" => (
            state
                .store
                .set_account_disabled(actor, user.id, false)
                .await,
            format!("{}'s account is enabled", user.display_name),
        ),
        "make_admin" => (
            state.store.set_deployment_admin(actor, user.id, true).await,
            format!("{} is now a deployment administrator", user.display_name),
        ),
        "remove_admin" => (
            state
                .store
                .set_deployment_admin(actor, user.id, false)
                .await,
            format!(
                "{} is no longer a deployment administrator",
                user.display_name
            ),
        ),
        _ => return Err(AppError::NotFound),
    };
    result?;
    tracing::info!(
        account = user.id.0,
        by = signed_in.user.id.0,
        "account access changed"
    );
    Ok(saved(&state, &format!("/admin/accounts/{id}"), &message))
}

/// Makes a password reset link for someone who cannot use "Forgot your password?" (the
/// helpdesk case): emailed to them when there is a mail server, otherwise shown once.
pub async fn reset_password(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<i64>,
) -> AppResult {
    signed_in.require_deployment_admin()?;
    let user = state.store.get_user(UserId(id)).await?;
    if user.disabled {
        return Err(AppError::Store(StoreError::Rule(
            "This account is disabled: enable it before resetting its password".to_owned(),
        )));
    }
    let now = time::OffsetDateTime::now_utc();
    let (link, mailed) = super::session::issue_reset_link(&state, &user, now).await?;
    let here = format!("/admin/accounts/{id}");
    if mailed {
        return Ok(saved(
            &state,
            &here,
            &format!(
                "A link to choose a new password has been emailed to {}",
                user.email
            ),
        ));
    }
    let mut page = NoticePage::new(
        Chrome::plain("Give them this link", Some(&signed_in)),
        "Give them this link",
    )
    .say(format!(
        "This sendplan cannot send email, so give {} this link yourself. It lets them choose a new password.",
        user.email
    ))
    .back(here.clone())
    .link("Back to the account", here);
    page.warning = "This is the only time the link is shown. It works once, for an hour. Anyone with it can take over the account, so send it only to them.".to_owned();
    page.copy = link;
    page.copy_label = format!("Password reset link for {}", user.email);
    html(&page)
}
