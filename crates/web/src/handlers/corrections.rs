//! Putting history right (issue 13): correcting or withdrawing a progress update, and a
//! lead marking a milestone of their action done.
//!
//! Who may: anyone who may post updates on every action corrects or withdraws any update;
//! a lead corrects or withdraws only the updates they wrote, on actions they lead.
//! Viewers change nothing.

use super::plans::truncate;
use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, html_with_status, FormPage, NoticePage};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sendplan_domain::access::Capability;
use sendplan_domain::input::{
    long_date, CorrectionInput, MilestoneDoneInput, MilestoneInput, RawForm, ReasonInput,
};
use sendplan_domain::plan::{Action, Milestone, ProgressUpdate, Rating};
use sendplan_domain::{MilestoneId, RatingId, UpdateId};
use sendplan_storage::StoreError;

/// An update with its action, if the member may put it right.
async fn correctable(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(ProgressUpdate, Action), AppError> {
    let update = state
        .store
        .find_update(ctx.pid(), UpdateId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    let action = state.store.get_action(ctx.pid(), update.action_id).await?;
    let leads = ctx.person.is_some_and(|p| action.leads.contains(&p));
    let own = update.author == ctx.signed_in.user.id;
    if ctx.can(Capability::UpdateAnyAction) || (own && ctx.access.can_update_action(leads)) {
        Ok((update, action))
    } else {
        Err(ctx.refuse(Capability::UpdateAnyAction))
    }
}

/// The page shown when the update was corrected or withdrawn by someone else first:
/// their change, never ours applied on top.
fn already_changed(ctx: &Ctx, update: &ProgressUpdate, action: &Action) -> AppResult {
    let what = match &update.superseded {
        Some(s) => format!(
            "{} {} it on {}: \"{}\"",
            s.by_name,
            if s.replacement.is_some() {
                "corrected"
            } else {
                "withdrew"
            },
            long_date(s.at.date()),
            s.reason
        ),
        None => "Someone else changed it first.".to_owned(),
    };
    let href = format!("{}/actions/{}", ctx.base(), action.id);
    let page = NoticePage::new(
        Chrome::for_ctx(ctx, "Update already changed", "overview"),
        "This update has already been put right",
    )
    .back(href.clone())
    .say(what)
    .say("Your change has not been saved. Look at the action's updates, then correct the latest one if it is still wrong.")
    .link("Go to the action", href);
    html_with_status(StatusCode::CONFLICT, &page)
}

fn correction_page(
    ctx: &Ctx,
    update: &ProgressUpdate,
    action: &Action,
    ratings: &[Rating],
) -> FormPage {
    let fields = vec![
        Field::radios(
            "rating_id",
            "Rating",
            ratings
                .iter()
                .map(|r| Choice::new(r.id, r.label.clone()).hint(r.meaning.clone()))
                .collect(),
        )
        .value(update.rating_id),
        Field::textarea("narrative", "What happened")
            .rows(8)
            .value(&update.narrative),
        Field::date("update_date", "Date of the update").date_value(Some(update.update_date)),
        Field::textarea("evidence_links", "Links to evidence (optional)")
            .rows(3)
            .hint("One web address per line")
            .value(update.evidence_links.join("\n")),
        Field::text("reason", "Why are you correcting it?").hint(
            "For example, \"Wrong rating chosen\" or \"Imported with the import's date\". It is shown beside both updates.",
        ),
    ];
    FormPage::new(
        Chrome::for_ctx(ctx, "Correct an update", "overview"),
        "Correct an update",
        format!("{}/updates/{}/correct", ctx.base(), update.id),
        fields,
    )
    .caption(format!(
        "Action {} {}",
        action.number,
        truncate(&action.description, 120)
    ))
    .intro(format!(
        "The update of {} stays in the action's history, marked as corrected; the correction replaces it in the rating, reports and reminders.",
        long_date(update.update_date)
    ))
    .submit("Save correction")
    .cancel(format!("{}/actions/{}", ctx.base(), action.id))
}

pub async fn new_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (update, action) = correctable(&state, &ctx, id).await?;
    if !update.counts() {
        return already_changed(&ctx, &update, &action);
    }
    let ratings = state.store.list_ratings(ctx.pid(), action.plan_id).await?;
    html(&correction_page(&ctx, &update, &action, &ratings))
}

pub async fn correct_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let (update, action) = correctable(&state, &ctx, id).await?;
    let ratings = state.store.list_ratings(ctx.pid(), action.plan_id).await?;
    let form = RawForm(pairs);
    let page = correction_page(&ctx, &update, &action, &ratings);
    let ids: Vec<RatingId> = ratings.iter().map(|r| r.id).collect();
    let input = match CorrectionInput::parse(&form, &ids, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .correct_update(
            ctx.actor(),
            ctx.pid(),
            update.id,
            &input.update,
            &input.reason,
        )
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/actions/{}", ctx.base(), action.id),
            "Update corrected",
        )),
        Err(StoreError::Conflict) => {
            let now = refreshed(&state, &ctx, update.id).await?;
            already_changed(&ctx, &now, &action)
        }
        Err(error) => refused(page, &form, error),
    }
}

fn withdrawal_page(ctx: &Ctx, update: &ProgressUpdate, action: &Action) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Withdraw an update", "overview"),
        "Withdraw this update?",
        format!("{}/updates/{}/withdraw", ctx.base(), update.id),
        vec![Field::text("reason", "Why are you withdrawing it?")
            .hint("For example, \"Posted on the wrong action\". It is shown beside the update.")],
    )
    .caption(format!(
        "Action {} {}",
        action.number,
        truncate(&action.description, 120)
    ))
    .intro(format!(
        "The update of {} by {} stays in the action's history, marked as withdrawn, and no longer counts towards the action's rating, reports or reminders: \"{}\"",
        long_date(update.update_date),
        update.author_name,
        truncate(&update.narrative, 300)
    ))
    .submit("Withdraw update")
    .cancel(format!("{}/actions/{}", ctx.base(), action.id))
}

pub async fn confirm_withdrawal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (update, action) = correctable(&state, &ctx, id).await?;
    if !update.counts() {
        return already_changed(&ctx, &update, &action);
    }
    html(&withdrawal_page(&ctx, &update, &action))
}

pub async fn withdraw_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let (update, action) = correctable(&state, &ctx, id).await?;
    let form = RawForm(pairs);
    let page = withdrawal_page(&ctx, &update, &action);
    let reason = match ReasonInput::parse(&form, "why you are withdrawing the update") {
        Ok(input) => input.reason,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .withdraw_update(ctx.actor(), ctx.pid(), update.id, &reason)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/actions/{}", ctx.base(), action.id),
            "Update withdrawn",
        )),
        Err(StoreError::Conflict) => {
            let now = refreshed(&state, &ctx, update.id).await?;
            already_changed(&ctx, &now, &action)
        }
        Err(error) => refused(page, &form, error),
    }
}

async fn refreshed(state: &AppState, ctx: &Ctx, id: UpdateId) -> Result<ProgressUpdate, AppError> {
    state
        .store
        .find_update(ctx.pid(), id)
        .await?
        .ok_or(AppError::NotFound)
}

// ----- a lead marks a milestone done ---------------------------------------------------

/// A milestone with its action, if the member leads the action or may update any action.
async fn finishable(state: &AppState, ctx: &Ctx, id: i64) -> Result<(Milestone, Action), AppError> {
    let milestone = state
        .store
        .get_milestone(ctx.pid(), MilestoneId(id))
        .await?;
    let action = state
        .store
        .get_action(ctx.pid(), milestone.action_id)
        .await?;
    let leads = ctx.person.is_some_and(|p| action.leads.contains(&p));
    if ctx.access.can_update_action(leads) {
        Ok((milestone, action))
    } else {
        Err(ctx.refuse(Capability::UpdateOwnActions))
    }
}

fn done_page(ctx: &Ctx, milestone: &Milestone, action: &Action) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Mark a milestone done", "overview"),
        "Mark this milestone done",
        format!("{}/milestones/{}/done", ctx.base(), milestone.id),
        vec![
            Field::date("done_date", "Date it was done")
                .hint("Usually today")
                .date_value(milestone.done_date.or(Some(ctx.today))),
            Field::textarea("evidence", "What shows it was done?")
                .rows(4)
                .hint("For example, the board minutes that signed it off, with a link if there is one")
                .value(&milestone.done_evidence),
            Field::hidden("version", milestone.version),
        ],
    )
    .caption(format!(
        "Action {}: {}",
        action.number,
        truncate(&milestone.title, 160)
    ))
    .submit("Mark as done")
    .cancel(format!("{}/actions/{}", ctx.base(), action.id))
}

pub async fn new_milestone_done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let (milestone, action) = finishable(&state, &ctx, id).await?;
    html(&done_page(&ctx, &milestone, &action))
}

pub async fn mark_milestone_done(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let (milestone, action) = finishable(&state, &ctx, id).await?;
    let form = RawForm(pairs);
    let page = done_page(&ctx, &milestone, &action);
    let done = match MilestoneDoneInput::parse(&form, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    // Everything else about the milestone stays as the plan manager set it.
    let input = MilestoneInput {
        title: milestone.title.clone(),
        due_date: milestone.due_date,
        success_criteria: milestone.success_criteria.clone(),
        done_date: Some(done.done_date),
        due_text: milestone.due_text.clone(),
        done_evidence: done.evidence,
    };
    let href = format!("{}/actions/{}", ctx.base(), action.id);
    match state
        .store
        .update_milestone(
            ctx.actor(),
            ctx.pid(),
            milestone.id,
            version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Milestone marked done")),
        Err(StoreError::Conflict) => page.with_conflict(&form, milestone.version, &href),
        Err(error) => refused(page, &form, error),
    }
}
