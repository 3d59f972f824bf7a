//! What families tell the Local Offer, and what it tells them back (issue 17).
//!
//! Families answer "Did you find what you were looking for?" at the foot of every page,
//! rate the Local Offer on its home page, and may add a comment. None of it needs
//! JavaScript, signing in or a cookie. Officers triage the comments, and publish them
//! with their response as "You said, we did", on the Local Offer and on the plan's public
//! page.

use super::local_offer::{chrome, directory_of, feedback_box, Seen};
use super::session::over_limit;
use super::{refused, saved, version_of, FormPairs};
use crate::auth::{random_token, Ctx};
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::local_offer_analytics::Visitor;
use crate::pages::{html, html_with_status, FormPage, NoticePage, TableBlock, TablePage};
use crate::views::{Cell, LinkButton, Tag};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use sendplan_domain::access::Capability;
use sendplan_domain::accounts::Limit;
use sendplan_domain::input::{long_date, FieldErrors, RawForm};
use sendplan_domain::local_offer::analytics::{key_in, page_name};
use sendplan_domain::local_offer::feedback::{
    Answer, Comment, FeedbackStatus, Theme, Triage, RETAIN_MONTHS,
};
use sendplan_domain::PartnershipId;
use sendplan_storage::{Feedback, StoreError};
use time::OffsetDateTime;

/// How many answers and comments one visitor may send in an hour: more than anyone
/// browsing would, too few to flood the officers.
const ANSWERS_PER_VISITOR: Limit = Limit {
    attempts: 20,
    window: time::Duration::hours(1),
};

/// One answer per page per visitor in 10 minutes: pressing "No" twice counts once.
const ONE_ANSWER_PER_PAGE: Limit = Limit {
    attempts: 1,
    window: time::Duration::minutes(10),
};

/// The most answers a Local Offer takes in a day (UTC), so a flood from many addresses
/// cannot bury the real ones. Far above what a council's Local Offer gets.
pub const ANSWERS_PER_DAY: i64 = 5_000;

/// What the comment box says about personal details, everywhere it is shown.
const NO_PERSONAL_DETAILS: &str = "Do not include personal details such as your name, your child's name, an email address or a phone number: we cannot reply to you here. We may publish your words, without anything that could identify you, with our response.";

/// The page an answer is about, as sent: a path below the Local Offer's address, or ""
/// for its home page. Anything else is refused (it is used as a link back).
fn page_of(form: &RawForm) -> Result<String, AppError> {
    let page = form.get("page");
    let fine = page.is_empty()
        || (page.starts_with('/')
            && !page.starts_with("//")
            && page.len() <= 300
            && page
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.~".contains(c)));
    if fine {
        Ok(page.to_owned())
    } else {
        Err(AppError::Unreadable(
            "This form was sent from a page we do not know. Go back and use the form on the page."
                .to_owned(),
        ))
    }
}

fn too_many(chrome: crate::views::Chrome, message: String) -> AppResult {
    html_with_status(
        StatusCode::TOO_MANY_REQUESTS,
        &NoticePage::new(chrome, "Too many answers").say(message),
    )
}

/// The page after an answer: thanks, and a box for a comment on it.
fn comment_page(
    chrome: crate::views::Chrome,
    base: &str,
    page: &str,
    answer: Answer,
    reference: &str,
) -> FormPage {
    let question = match answer {
        Answer::Found(false) => "What were you looking for? (optional)",
        Answer::Found(true) => "Is there anything we could do better? (optional)",
        Answer::Rated(_) => "Tell us why you gave this rating (optional)",
    };
    FormPage::new(
        chrome,
        "Thank you for your answer",
        format!("{base}/feedback/comment"),
        vec![
            Field::textarea("comment", question)
                .rows(5)
                .hint(NO_PERSONAL_DETAILS),
            Field::hidden("reference", reference),
            Field::hidden("page", page),
            Field::hidden("website", ""),
        ],
    )
    .intro("Your answer has been counted. The Local Offer team reads every comment and uses them to improve the Local Offer and the services in it.")
    .submit("Send comment")
    .with_link("Go back to the page you were on", format!("{base}{page}"))
}

/// What every answer and comment is sent to: the Local Offer (not found without one),
/// the page it is about and the way back to it, and the pages' look.
struct Sent {
    partnership: PartnershipId,
    base: String,
    published: std::sync::Arc<super::local_offer::Published>,
    page: String,
    back: String,
    chrome: crate::views::Chrome,
}

async fn sent_to(state: &AppState, key: &str, form: &RawForm) -> AppResult<Sent> {
    let (partnership, base, published) = match directory_of(state, key).await? {
        Ok(found) => found,
        Err(_) => return Err(AppError::NotFound),
    };
    let page = page_of(form)?;
    let (chrome, _) = chrome(&published, "Thank you");
    Ok(Sent {
        partnership,
        back: format!("{base}{page}"),
        base,
        published,
        page,
        chrome,
    })
}

/// The visitor's key, and how long they must wait if they have sent too many answers
/// and comments this hour (each call counts one).
async fn this_visitor(
    state: &AppState,
    key: &str,
    visitor: &Visitor,
    now: OffsetDateTime,
) -> AppResult<(String, Option<i64>)> {
    let who = state.use_counter.visitor_key(key, visitor, now).to_string();
    let wait = over_limit(
        state,
        &[("feedback-visitor", &who, ANSWERS_PER_VISITOR)],
        now,
    )
    .await?;
    Ok((who, wait))
}

/// An answer from the foot of a page, or the home page's rating.
pub async fn give_feedback(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let Sent {
        partnership,
        base,
        published: _,
        page,
        back,
        chrome,
    } = sent_to(&state, &key, &form).await?;
    let answer = match Answer::parse(&form) {
        Ok(Some(answer)) => answer,
        Ok(None) => return thanks(chrome, &base, &back),
        Err(errors) => {
            let mut chrome = chrome;
            chrome.has_errors = true;
            return html_with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &NoticePage {
                    errors: errors.0,
                    ..NoticePage::new(chrome, "Your answer was not sent")
                }
                .link("Go back and choose an answer", back),
            );
        }
    };
    let now = OffsetDateTime::now_utc();
    let (who, wait) = this_visitor(&state, &key, &visitor, now).await?;
    if let Some(minutes) = wait {
        return too_many(
            chrome,
            format!(
                "Too many answers have been sent from here. Wait {minutes} minutes and try again."
            ),
        );
    }
    let midnight = now.date().midnight().assume_utc();
    if state
        .store
        .feedback_given_since(partnership, midnight)
        .await?
        >= ANSWERS_PER_DAY
    {
        tracing::warn!(
            partnership = partnership.0,
            "the Local Offer's answers for today are full"
        );
        return too_many(chrome, "The Local Offer cannot take more answers today. Please try again tomorrow, or contact the SEND team.".to_owned());
    }
    let again = over_limit(
        &state,
        &[(
            "feedback-page",
            &format!("{who}{page}"),
            ONE_ANSWER_PER_PAGE,
        )],
        now,
    )
    .await?;
    if again.is_some() {
        return html(
            &NoticePage::new(chrome, "Thank you")
                .say("You have already answered for this page, so your answer was counted once.")
                .link("Go back to the page you were on", back),
        );
    }
    let reference = random_token();
    state
        .store
        .give_feedback(partnership, &page, answer, &reference)
        .await?;
    state.measures_stale.notify_one();
    html(&comment_page(chrome, &base, &page, answer, &reference))
}

fn thanks(chrome: crate::views::Chrome, base: &str, back: &str) -> AppResult {
    html(
        &NoticePage::new(chrome, "Thank you")
            .say("The Local Offer team reads every comment. We publish what families tell us, with what we are doing about it, without anything that could identify anyone.")
            .link("See what families told us and what we did", format!("{base}/you-said-we-did"))
            .link("Go back to the page you were on", back),
    )
}

/// The comment on an answer just given.
pub async fn add_comment(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let form = RawForm(pairs);
    let Sent {
        partnership,
        base,
        published,
        page,
        back,
        chrome,
    } = sent_to(&state, &key, &form).await?;
    let comment = match Comment::parse(&form) {
        Ok(Some(comment)) => comment,
        Ok(None) => return thanks(chrome, &base, &back),
        Err(errors) => {
            let (chrome, _) = super::local_offer::chrome(&published, "Thank you for your answer");
            return comment_page(
                chrome,
                &base,
                &page,
                Answer::Found(false),
                form.get("reference"),
            )
            .with_errors(&form, errors);
        }
    };
    let now = OffsetDateTime::now_utc();
    if let (_, Some(minutes)) = this_visitor(&state, &key, &visitor, now).await? {
        return too_many(
            chrome,
            format!(
                "Too many comments have been sent from here. Wait {minutes} minutes and try again."
            ),
        );
    }
    // Sent twice, or after an hour: the first is kept, and the visitor thanked the same.
    state
        .store
        .add_feedback_comment(partnership, form.get("reference"), &comment, now)
        .await?;
    thanks(chrome, &base, &back)
}

/// "You said, we did": what families told the Local Offer and what was done.
pub async fn you_said_page(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
) -> AppResult {
    let (partnership, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => {
            return Ok(
                axum::response::Redirect::permanent(&format!("{moved}/you-said-we-did"))
                    .into_response(),
            )
        }
    };
    let entries = state.store.local_offer_you_said(partnership).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for e in entries {
        let action = match e.action_id {
            Some(id) => match state.store.get_action(partnership, id).await {
                Ok(a) => format!("{} {}", a.number, a.description),
                Err(StoreError::NotFound) => String::new(),
                Err(error) => return Err(error.into()),
            },
            None => String::new(),
        };
        rows.push(vec![
            Cell::text(long_date(e.said_on)),
            Cell::text(e.said),
            Cell::text(e.response),
            Cell::text(if action.is_empty() {
                "Not one action".to_owned()
            } else {
                action
            }),
        ]);
    }
    let (mut chrome, name) = chrome(&published, "You said, we did");
    chrome.feedback = feedback_box(&base, "/you-said-we-did");
    Seen {
        state: &state,
        partnership,
        key: &key,
        visitor: &visitor,
    }
    .page("/you-said-we-did", "You said, we did");
    html(&NoticePage {
        wide: true,
        caption: format!("{name}'s Local Offer"),
        tables: vec![TableBlock {
            heading: String::new(),
            head: vec!["When", "You said", "We did", "The action in our plan"],
            rows,
            empty: "Nothing has been published yet.".to_owned(),
        }],
        ..NoticePage::new(chrome, "You said, we did")
    }
    .say("What families have told us through the Local Offer, what we have done and what we will do. We publish comments without anything that could identify anyone.")
    .link("Back to the Local Offer", base))
}

/// What the Local Offer processes about its visitors, keeps, and for how long.
pub async fn privacy(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(key): Path<String>,
) -> AppResult {
    let (partnership, base, published) = match directory_of(&state, &key).await? {
        Ok(found) => found,
        Err(moved) => {
            return Ok(
                axum::response::Redirect::permanent(&format!("{moved}/privacy")).into_response(),
            )
        }
    };
    let months = state.store.feedback_retention(partnership).await?;
    let (mut chrome, name) = chrome(&published, "Privacy notice");
    chrome.feedback = feedback_box(&base, "/privacy");
    Seen {
        state: &state,
        partnership,
        key: &key,
        visitor: &visitor,
    }
    .page("/privacy", "Privacy notice");
    html(
        &NoticePage {
            caption: format!("{name}'s Local Offer"),
            ..NoticePage::new(chrome, "How we count visits and use your answers")
        }
        .say("The Local Offer sets no cookies and stores nothing on your device. It does not use Google Analytics or any other outside service.")
        .say(format!("Counting visits. When you open a page, our server works out a code from the name of this Local Offer, your internet address and your browser's description, mixed with a secret that is held only in the server's memory and replaced every night. Your internet address is never stored. We keep the code, the time, the page, whether you use a desktop, a phone or a tablet, and the website or campaign that sent you here, for {} days. After that we keep only totals for each day (visits, pages viewed, how long visits lasted), which cannot identify anyone. Because the secret is replaced every night, the same person on two days cannot be linked.", sendplan_storage::VIEWS_KEPT_DAYS))
        .say("Searches. We keep the words searched for, the age band and need chosen (never an age, a date of birth or a postcode) and how many services were found, for 25 months, to see what families look for and cannot find. We do not know who searched.")
        .say(format!("Your answers and comments. We keep whether you found what you were looking for, or your rating, and any comment you write. Comments that we do not publish are deleted after {months} months; the yes or no answers are kept, without the comment, for our figures. Before we publish a comment we take out anything that could identify anyone."))
        .say("Not being counted. If your browser sends \"Do Not Track\" or \"Global Privacy Control\", your visits are not counted at all. Robots and automated tools are not counted either.")
        .say(format!("Why we do this. {name} uses these figures to meet its duty to keep the Local Offer up to date and to publish families' comments about it with its response (Children and Families Act 2014, section 30; SEND Regulations 2014, regulation 56). The lawful basis is public task. To object, or to ask about your data, contact the SEND team using the details at the foot of this page."))
        .link("Back to the Local Offer", base),
    )
}

// ----- Officers: triage -----

fn status_tag(status: FeedbackStatus) -> Tag {
    Tag::new(
        status.label(),
        match status {
            FeedbackStatus::New => "blue",
            FeedbackStatus::Answered => "yellow",
            FeedbackStatus::Published => "green",
            FeedbackStatus::Closed => "grey",
        },
    )
}

fn answer_words(f: &Feedback) -> String {
    match (f.found, f.rating) {
        (Some(true), _) => "Found what they were looking for".to_owned(),
        (Some(false), _) => "Did not find what they were looking for".to_owned(),
        (None, Some(r)) => format!("Rated the Local Offer \"{}\"", r.label()),
        (None, None) => String::new(),
    }
}

/// The comments, newest first, by status.
pub async fn list_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let form = RawForm(query);
    let status = FeedbackStatus::from_code(form.get("status"));
    let base = format!("{}/local-offer/feedback", ctx.base());
    let comments = state.store.list_feedback(ctx.pid(), status).await?;
    // Pages by their names: the services and categories the comments were given on.
    let keys: Vec<&str> = comments.iter().filter_map(|f| key_in(&f.page)).collect();
    let names = state.store.local_offer_names_of(ctx.pid(), &keys).await?;
    let months = state.store.feedback_retention(ctx.pid()).await?;
    let rows = comments
        .iter()
        .map(|f| {
            let mut comment = Cell::link(
                match &f.comment {
                    Some(text) if text.chars().count() > 120 => {
                        format!("{}…", text.chars().take(120).collect::<String>())
                    }
                    Some(text) => text.clone(),
                    None => "(Deleted after the retention period)".to_owned(),
                },
                format!("{base}/{}", f.id),
            );
            if !f.flags.is_empty() {
                comment = comment.with_tag(Tag::new("May identify someone", "red"));
            }
            vec![
                Cell::text(long_date(f.given_at.date())),
                Cell::text(page_name(&f.page, |k| names.get(k).cloned())),
                Cell::text(answer_words(f)),
                comment,
                Cell::tags(vec![status_tag(f.status)]),
                Cell::text(
                    f.themes
                        .iter()
                        .map(|t| t.label())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            ]
        })
        .collect();
    let mut buttons = vec![LinkButton::secondary("All", base.clone())];
    buttons.extend(
        FeedbackStatus::ALL
            .iter()
            .map(|s| LinkButton::secondary(s.label(), format!("{base}?status={}", s.code()))),
    );
    buttons.push(LinkButton::secondary(
        "How long comments are kept",
        format!("{base}/retention"),
    ));
    html(&TablePage {
        chrome: crate::views::Chrome::for_ctx(&ctx, "Local Offer feedback", "local-offer"),
        heading: match status {
            Some(s) => format!("Local Offer comments: {}", s.label().to_lowercase()),
            None => "Local Offer comments".to_owned(),
        },
        caption: ctx.partnership.name.clone(),
        intro: format!("What families wrote with their answers on the Local Offer, newest first. Tag each by theme, write the response and what will be done, and publish it as \"You said, we did\". Comments not published are deleted after {months} months."),
        buttons,
        head: vec!["Given", "Page", "Answer", "Comment", "Status", "Themes"],
        rows,
        empty: "No comments yet.".to_owned(),
        more_href: String::new(),
    })
}

/// Plans and their actions, as choices for where a comment is answered.
async fn plan_choices(
    state: &AppState,
    partnership: PartnershipId,
) -> AppResult<(Vec<Choice>, Vec<Choice>)> {
    let mut plans = vec![Choice::new("", "Choose a plan")];
    let mut actions = vec![Choice::new("", "No one action")];
    for plan in state.store.list_plans(partnership).await? {
        plans.push(Choice::new(plan.id.0, plan.title.clone()));
        for a in state.store.list_actions(partnership, plan.id).await? {
            actions.push(Choice::new(
                a.id.0,
                format!("{}: {} {}", plan.title, a.number, a.description),
            ));
        }
    }
    Ok((plans, actions))
}

async fn triage_page(state: &AppState, ctx: &Ctx, f: &Feedback) -> AppResult<FormPage> {
    let (plans, actions) = plan_choices(state, ctx.pid()).await?;
    let plan_of_entry = match f.you_said_id {
        Some(id) => Some(
            state
                .store
                .get_you_said(ctx.pid(), id)
                .await?
                .plan_id
                .0
                .to_string(),
        ),
        None => None,
    };
    let names = state
        .store
        .local_offer_names_of(ctx.pid(), &key_in(&f.page).into_iter().collect::<Vec<_>>())
        .await?;
    let mut intro = format!(
        "Given on {} on the page \"{}\". {}.",
        long_date(f.given_at.date()),
        page_name(&f.page, |k| names.get(k).cloned()),
        answer_words(f)
    );
    match &f.comment {
        Some(text) => intro.push_str(&format!(" They wrote: \"{text}\"")),
        None => intro.push_str(" Their comment was deleted after the retention period."),
    }
    if !f.flags.is_empty() {
        let what: Vec<&str> = f.flags.iter().map(|i| i.label()).collect();
        intro.push_str(&format!(
            " Warning: the comment seems to hold {}. Take it out of the words to publish.",
            what.join(" and ")
        ));
    }
    let mut theme_field = Field::checkboxes(
        "themes",
        "Themes (optional)",
        Theme::ALL
            .iter()
            .map(|t| Choice::new(t.code(), t.label()))
            .collect(),
    );
    for option in &mut theme_field.options {
        option.selected = f.themes.iter().any(|t| t.code() == option.value);
    }
    let said = if f.said.is_empty() {
        f.comment.clone().unwrap_or_default()
    } else {
        f.said.clone()
    };
    let decision = match f.status {
        FeedbackStatus::Published => "publish",
        FeedbackStatus::Closed => "close",
        _ => "save",
    };
    Ok(FormPage::new(
        crate::views::Chrome::for_ctx(ctx, "Local Offer comment", "local-offer"),
        "Local Offer comment",
        format!("{}/local-offer/feedback/{}", ctx.base(), f.id),
        vec![
            theme_field,
            Field::textarea("response", "Our response (what we did)").rows(3).value(&f.response),
            Field::textarea("will_do", "What we will do (optional)").rows(3).value(&f.will_do),
            Field::select("action", "The plan action doing it (optional)", actions)
                .value(f.action_id.map_or(String::new(), |a| a.0.to_string())),
            Field::select("plan", "Publish in the \"You said, we did\" of", plans)
                .hint("It is shown on this plan's public page as well as on the Local Offer.")
                .value(plan_of_entry.unwrap_or_default()),
            Field::textarea("said", "You said: the words to publish")
                .rows(4)
                .hint("Take out names, contact details, schools, ages with dates, and anything else that could identify a child, a family or a member of staff.")
                .value(said),
            Field::checkboxes(
                "redacted",
                "Before publishing",
                vec![Choice::new("yes", "I have taken out anything that could identify a child, a family or a member of staff")],
            ),
            Field::radios(
                "decision",
                "What happens now",
                vec![
                    Choice::new("save", "Save, without publishing"),
                    Choice::new("publish", "Publish as \"You said, we did\""),
                    Choice::new("close", "Close without publishing (it is deleted after the retention period)"),
                ],
            )
            .value(decision),
            Field::hidden("version", f.version),
        ],
    )
    .caption(ctx.partnership.name.clone())
    .intro(intro)
    .submit("Save")
    .cancel(format!("{}/local-offer/feedback", ctx.base())))
}

pub async fn show_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let f = state.store.get_feedback(ctx.pid(), id).await?;
    html(&triage_page(&state, &ctx, &f).await?)
}

pub async fn triage_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let form = RawForm(pairs);
    let f = state.store.get_feedback(ctx.pid(), id).await?;
    let page = triage_page(&state, &ctx, &f).await?;
    let triage = match Triage::parse(&form) {
        Ok(t) => t,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let plan = form
        .get("plan")
        .parse::<i64>()
        .ok()
        .map(sendplan_domain::PlanId);
    if triage.status == FeedbackStatus::Published && plan.is_none() && f.you_said_id.is_none() {
        return page.with_errors(
            &form,
            FieldErrors::single("plan", "Choose the plan whose public page shows it"),
        );
    }
    let href = format!("{}/local-offer/feedback", ctx.base());
    let message = match triage.status {
        FeedbackStatus::Published => "Comment published as \"You said, we did\"",
        FeedbackStatus::Closed => "Comment closed",
        _ => "Comment saved",
    };
    match state
        .store
        .triage_feedback(ctx.actor(), ctx.pid(), id, version_of(&form), &triage, plan)
        .await
    {
        Ok(()) => Ok(saved(&state, &href, message)),
        Err(StoreError::Conflict) => {
            let now = state.store.get_feedback(ctx.pid(), id).await?;
            page.with_conflict(&form, now.version, &format!("{href}/{id}"))
        }
        Err(error) => refused(page, &form, error),
    }
}

fn retention_page(ctx: &Ctx, months: u8) -> FormPage {
    FormPage::new(
        crate::views::Chrome::for_ctx(ctx, "Keeping comments", "local-offer"),
        "How long comments are kept",
        format!("{}/local-offer/feedback/retention", ctx.base()),
        vec![Field::text("months", "Months to keep comments that are not published")
            .width("govuk-input--width-3")
            .input_type("number")
            .hint(&format!(
                "From {} to {}. Comments can hold personal details, so keep them no longer than you need to answer them. The yes or no answers are kept for the figures.",
                RETAIN_MONTHS.start(),
                RETAIN_MONTHS.end()
            ))
            .value(months)],
    )
    .caption(ctx.partnership.name.clone())
    .submit("Save")
    .cancel(format!("{}/local-offer/feedback", ctx.base()))
}

pub async fn show_retention(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let months = state.store.feedback_retention(ctx.pid()).await?;
    html(&retention_page(&ctx, months))
}

pub async fn save_retention(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManageLocalOffer)?;
    let form = RawForm(pairs);
    let months = state.store.feedback_retention(ctx.pid()).await?;
    let page = retention_page(&ctx, months);
    let mut reader = sendplan_domain::input::FormReader::new(&form);
    let chosen = reader.whole_number(
        "months",
        "the months to keep comments",
        i64::from(*RETAIN_MONTHS.start()),
        i64::from(*RETAIN_MONTHS.end()),
    );
    let chosen = match reader.finish(chosen) {
        Ok(Some(m)) => u8::try_from(m).unwrap_or(*RETAIN_MONTHS.end()),
        Ok(None) => {
            return page.with_errors(
                &form,
                FieldErrors::single("months", "Enter the months to keep comments"),
            )
        }
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .set_feedback_retention(ctx.actor(), ctx.pid(), chosen)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/local-offer/feedback", ctx.base()),
            &format!("Comments not published are now kept for {chosen} months"),
        )),
        Err(error) => refused(page, &form, error),
    }
}
