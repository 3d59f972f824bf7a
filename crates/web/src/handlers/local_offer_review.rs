//! The review programme's pages. A service's contact opens the link in their review
//! email, without signing in, sees the entry as families do and confirms that nothing has
//! changed (or is told how to change it). A Local Offer officer sets the programme's
//! policy and sees which entries are due, overdue, and who has been asked.

use super::session::{
    anonymous_csrf, over_limit, posted_csrf, too_many_attempts, with_anonymous_csrf,
};
use super::{refused, saved, version_of, FormPairs};
use crate::auth::{client_ip, token_hash, Ctx};
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, html_with_status, FormPage, NoticePage, PageSection};
use crate::views::{Cell, Chrome, PostButton, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use sendplan_domain::access::Capability;
use sendplan_domain::accounts::LINKS_PER_CLIENT;
use sendplan_domain::input::{long_date, FieldErrors, RawForm};
use sendplan_domain::local_offer::changes::{in_words, Names};
use sendplan_domain::local_offer::review::{
    due_date, standing, ReviewPolicy, Standing, LINK_VALID_DAYS,
};
use sendplan_storage::{ReviewLink, ServiceEntry, StoreError};
use std::net::SocketAddr;
use time::OffsetDateTime;

/// Why a review link no longer works, as a page; `None` while it does.
fn dead_link(
    link: &ReviewLink,
    entry: &ServiceEntry,
    now: OffsetDateTime,
) -> Option<(&'static str, String)> {
    if link.used_at.is_some() || entry.service.assured_date != link.checked_on {
        return Some((
            "This entry has been checked",
            format!(
                "{} was checked on {}, so there is nothing more to do. Thank you.",
                entry.service.name,
                entry
                    .service
                    .assured_date
                    .map(long_date)
                    .unwrap_or_default()
            ),
        ));
    }
    (now >= link.expires_at).then(|| {
        (
            "This link has expired",
            format!("Review links work for {LINK_VALID_DAYS} days. The Local Offer team will send a new one when the entry is next due; you can also reply to the email to ask for one."),
        )
    })
}

/// The link's record and the entry it is about; "not found" for a link that never was.
async fn link_and_entry(state: &AppState, token: &str) -> AppResult<(ReviewLink, ServiceEntry)> {
    let link = state
        .store
        .review_link(&token_hash(token))
        .await?
        .ok_or(AppError::NotFound)?;
    let entry = state
        .store
        .local_offer_service(link.partnership, &link.service_key)
        .await?;
    Ok((link, entry))
}

fn check_page(
    csrf: String,
    token: &str,
    link: &ReviewLink,
    entry: &ServiceEntry,
    names: &Names,
) -> NoticePage {
    let mut chrome = Chrome::plain("Check your Local Offer entry", None);
    chrome.csrf = csrf;
    let mut page = NoticePage::new(chrome, format!("Check {}", entry.service.name))
        .say("This is the entry families see in the Local Offer. If it is all still right, press \"Nothing has changed\": it will be marked as checked today.")
        .post(
            PostButton::new("Nothing has changed", format!("/local-offer-review/{token}"))
                .hidden("version", entry.version),
        )
        .say(format!(
            "If something has changed and you have a sendplan account for your organisation, sign in and change it under \"Your services\": the Local Offer team approves each change. If you do not have an account, reply to the email that brought you here and say what has changed. This link was sent to {}.",
            link.recipient
        ));
    page.caption = "Local Offer".to_owned();
    page.summary = in_words(&entry.service, names)
        .into_iter()
        .filter(|(field, value)| {
            !value.is_empty() && *field != "Organisation" && *field != "Checked by"
        })
        .map(|(field, value)| SummaryRow::new(field, value))
        .collect();
    page
}

pub async fn show_review(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> AppResult {
    let (csrf, new_cookie) = anonymous_csrf(&state, &headers);
    let (link, entry) = link_and_entry(&state, &token).await?;
    let page = match dead_link(&link, &entry, OffsetDateTime::now_utc()) {
        Some((heading, why)) => {
            let mut chrome = Chrome::plain(heading, None);
            chrome.csrf = csrf;
            NoticePage::new(chrome, heading).say(why)
        }
        None => {
            let names = state.store.local_offer_names(link.partnership).await?;
            check_page(csrf, &token, &link, &entry, &names)
        }
    };
    Ok(with_anonymous_csrf(html(&page)?, new_cookie))
}

pub async fn confirm_review(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(token): Path<String>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let now = OffsetDateTime::now_utc();
    let csrf = posted_csrf(&headers);
    let client = client_ip(&state, peer, &headers).to_string();
    if let Some(minutes) =
        over_limit(&state, &[("links-client", &client, LINKS_PER_CLIENT)], now).await?
    {
        return too_many_attempts(csrf, minutes);
    }
    let (link, entry) = link_and_entry(&state, &token).await?;
    let notice = |status: StatusCode, heading: &str, why: String| {
        let mut chrome = Chrome::plain(heading, None);
        chrome.csrf = csrf.clone();
        html_with_status(status, &NoticePage::new(chrome, heading).say(why))
    };
    match state
        .store
        .confirm_unchanged(&token_hash(&token), version_of(&form), now)
        .await
    {
        Ok(checked) => {
            let (policy, _) = state.store.review_policy(link.partnership).await?;
            let next = due_date(&checked.service, &policy)
                .map(|d| format!(" We will ask you to check it again before {}.", long_date(d)))
                .unwrap_or_default();
            notice(
                StatusCode::OK,
                "Thank you",
                format!(
                    "{} is marked as checked today, {}. Families will see that it was checked recently.{next}",
                    checked.service.name,
                    long_date(now.date())
                ),
            )
        }
        Err(StoreError::Conflict) => {
            let names = state.store.local_offer_names(link.partnership).await?;
            let mut page = check_page(csrf.clone(), &token, &link, &entry, &names);
            page.errors = FieldErrors::single(
                "main-content",
                "The entry changed after you opened this page. Check it again as it is now.",
            )
            .0;
            html_with_status(StatusCode::CONFLICT, &page)
        }
        Err(StoreError::Rule(why)) => notice(StatusCode::CONFLICT, "Nothing more to do", why),
        Err(error) => Err(error.into()),
    }
    .map(IntoResponse::into_response)
}

fn policy_form(ctx: &Ctx, policy: &ReviewPolicy, version: i64) -> FormPage {
    let choice = |value: &str, label: &str, on: bool| {
        let mut c = Choice::new(value, label);
        c.selected = on;
        c
    };
    let hiding = policy.hide_after_days.is_some();
    FormPage::new(
        Chrome::for_ctx(ctx, "Review programme", "local-offer"),
        "Review programme",
        format!("{}/local-offer/review", ctx.base()),
        vec![
            Field::text("months", "How many months does an entry stay current after it is checked?")
                .hint("Open Referral UK recommends 3. Each service's contact is emailed two weeks before it falls due, reminded twice a week apart, and then you are told.")
                .width("govuk-input--width-3")
                .value(policy.months),
            Field::radios(
                "overdue",
                "What do families see of an entry that is overdue?",
                vec![
                    choice("show", "Keep showing it, marked \"May be out of date\"", !hiding),
                    choice("hide", "Hide it from families a number of days after it falls due", hiding),
                ],
            ),
            Field::text("hide_after_days", "If hidden: how many days after it falls due?")
                .width("govuk-input--width-3")
                .value(policy.hide_after_days.map(|d| d.to_string()).unwrap_or_default()),
            Field::hidden("version", version),
        ],
    )
    .caption("Local Offer")
    .intro("Every entry in the Local Offer is due for review a set time after it was last checked. Its contact confirms it unchanged from a link in an email, with no account needed, or updates it.")
    .submit("Save the policy")
    .cancel(format!("{}/local-offer", ctx.base()))
}

/// The policy, and every entry that is due soon, overdue or never checked, with the
/// emails sent about it this round.
async fn programme_page(state: &AppState, ctx: &Ctx) -> AppResult<FormPage> {
    let (policy, version) = state.store.review_policy(ctx.pid()).await?;
    let today = crate::auth::today();
    let mut rounds: Vec<_> = state
        .store
        .review_rounds(ctx.pid())
        .await?
        .into_iter()
        .map(|r| (standing(&r.entry.service, today, &policy), r))
        .filter(|(s, _)| !matches!(s, Standing::Current { .. }))
        .collect();
    rounds.sort_by_key(|(s, r)| {
        (
            match s {
                Standing::NeverChecked => None,
                Standing::Overdue { due, .. }
                | Standing::DueSoon { due }
                | Standing::Current { due } => Some(*due),
            },
            r.entry.service.name.clone(),
        )
    });
    let rows = rounds
        .iter()
        .map(|(s, r)| {
            let (text, colour) = match s {
                Standing::NeverChecked => ("Never checked".to_owned(), "red"),
                Standing::Overdue { due, days } => (
                    format!("Overdue by {days} days (due {})", long_date(*due)),
                    "red",
                ),
                Standing::DueSoon { due } | Standing::Current { due } => {
                    (format!("Due {}", long_date(*due)), "yellow")
                }
            };
            let mut emails: Vec<String> = r
                .sent
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    format!(
                        "{} {}",
                        if i == 0 { "Invited" } else { "Reminded" },
                        long_date(*d)
                    )
                })
                .collect();
            if r.officer_told {
                emails.push("Officers told".to_owned());
            }
            vec![
                Cell::link(
                    r.entry.service.name.clone(),
                    format!(
                        "{}/local-offer/services/{}",
                        ctx.base(),
                        crate::views::url_encode(&r.entry.service.key).replace('/', "%2F")
                    ),
                ),
                Cell::text(String::new()).with_tag(Tag::new(text, colour)),
                Cell::text(if emails.is_empty() {
                    "None yet".to_owned()
                } else {
                    emails.join("\n")
                }),
            ]
        })
        .collect();
    Ok(
        policy_form(ctx, &policy, version).with_section(PageSection {
            heading: "Entries to check".to_owned(),
            intro: String::new(),
            head: vec!["Service", "Review", "Emails this round"],
            rows,
            empty: "Every entry is current.".to_owned(),
            links: vec![],
        }),
    )
}

pub async fn show_programme(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    html(&programme_page(&state, &ctx).await?)
}

pub async fn save_programme(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let form = RawForm(pairs);
    let page = programme_page(&state, &ctx).await?;
    let policy = match ReviewPolicy::parse(&form) {
        Ok(policy) => policy,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/local-offer/review", ctx.base());
    match state
        .store
        .set_review_policy(
            ctx.actor(),
            ctx.pid(),
            policy.months,
            policy.hide_after_days,
            version_of(&form),
        )
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Review programme saved")),
        Err(StoreError::Conflict) => {
            let (_, now) = state.store.review_policy(ctx.pid()).await?;
            page.with_conflict(&form, now, &href)
        }
        Err(error) => refused(page, &form, error),
    }
}
