//! Putting records right (issue 13): deleting a record after a confirmation that says what
//! goes with it, the partnership's "Recently deleted" list from which an administrator
//! restores, and archiving plans. One pair of routes serves every kind of record:
//! `/p/{pid}/delete/{kind}/{id}`.

use super::plans::truncate;
use super::{saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::Field;
use crate::pages::{html, html_with_status, FormPage, NoticePage, TableBlock};
use crate::views::{Cell, Chrome, PostButton};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sendplan_domain::access::Capability;
use sendplan_domain::input::{long_date, FieldError, RawForm, ReasonInput};
use sendplan_domain::lifecycle::{purge_after, RecordKind, RESTORE_DAYS};
use sendplan_domain::PlanId;
use sendplan_storage::{DeletionPreview, StoreError};

/// Where a record of `kind` is seen, and where to go once it is deleted: its own page or
/// the page that lists it, from its id and the id of what it belongs to.
fn addresses(ctx: &Ctx, kind: RecordKind, id: i64, parent: Option<i64>) -> (String, String) {
    use RecordKind::*;
    let base = ctx.base();
    let parent = parent.unwrap_or_default();
    let plan = format!("{base}/plans/{parent}");
    match kind {
        Plan => (format!("{base}/plans/{id}"), base.clone()),
        Milestone => {
            let action = format!("{base}/actions/{parent}");
            (action.clone(), action)
        }
        Action => (format!("{base}/actions/{id}"), plan),
        Objective | Area => (plan.clone(), plan),
        Measure => (format!("{base}/measures/{id}"), format!("{plan}/measures")),
        Person => (format!("{base}/people"), format!("{base}/people")),
        Organisation => (
            format!("{base}/organisations"),
            format!("{base}/organisations"),
        ),
        Inspection => (
            format!("{base}/inspections/{id}"),
            format!("{base}/inspections"),
        ),
        Finding => {
            let inspection = format!("{base}/inspections/{parent}");
            (inspection.clone(), inspection)
        }
        Board => (format!("{base}/boards"), format!("{base}/boards")),
        Meeting => (format!("{plan}/meetings"), format!("{plan}/meetings")),
        Survey => (format!("{base}/surveys/{id}"), format!("{plan}/surveys")),
        Intervention => (format!("{base}/timeline"), format!("{base}/timeline")),
    }
}

/// The address of the confirmation page for deleting a record; edit pages link to it.
pub fn delete_href(ctx: &Ctx, kind: RecordKind, id: impl std::fmt::Display) -> String {
    format!("{}/delete/{}/{id}", ctx.base(), kind.code())
}

fn kind_from(code: &str) -> Result<RecordKind, AppError> {
    RecordKind::from_code(code).ok_or(AppError::NotFound)
}

/// The confirmation page: what is deleted, what goes with it, and how to undo it; or,
/// when something depends on the record, what that is and what to do instead.
fn confirm_page(ctx: &Ctx, preview: &DeletionPreview, changed: bool) -> NoticePage {
    let (record, _) = addresses(ctx, preview.kind, preview.record_id, preview.parent_id);
    let label = truncate(&preview.label, 160);
    let mut page = NoticePage::new(
        Chrome::for_ctx(ctx, format!("Delete {}", preview.kind.label()), "overview"),
        String::new(),
    )
    .back(record.clone());
    page.caption = preview.context.clone();
    if !preview.blocked_by.is_empty() {
        page.heading = format!("You cannot delete this {} yet", preview.kind.label());
        page = page.say(label);
        for reason in &preview.blocked_by {
            page = page.say(reason.clone());
        }
        return page.link(format!("Go back to the {}", preview.kind.label()), record);
    }
    page.heading = format!(
        "Are you sure you want to delete this {}?",
        preview.kind.label()
    );
    page = page.say(label);
    if changed {
        page.warning = format!(
            "Someone changed this {} after you opened the page before, so it was not deleted. Check it is still the one you mean, then delete it.",
            preview.kind.label()
        );
    }
    if !preview.goes_with.is_empty() {
        page = page.say(format!(
            "This also deletes its {}.",
            preview.goes_with.join(", ")
        ));
    }
    page = page.say(format!(
        "An administrator can restore it, exactly as it is now, from Recently deleted for {RESTORE_DAYS} days. After that it is gone, though the audit log keeps a record of it."
    ));
    let mut button = PostButton::new(
        format!("Delete {}", preview.kind.label()),
        delete_href(ctx, preview.kind, preview.record_id),
    )
    .warning();
    button.hidden.push(("confirm".to_owned(), "yes".to_owned()));
    if let Some(version) = preview.version {
        button
            .hidden
            .push(("version".to_owned(), version.to_string()));
    }
    page.post(button).link("Cancel", record)
}

pub async fn confirm_delete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, kind, id)): Path<(i64, String, i64)>,
) -> AppResult {
    let kind = kind_from(&kind)?;
    ctx.require(Capability::EditPlans)?;
    let preview = state.store.deletion_preview(ctx.pid(), kind, id).await?;
    html(&confirm_page(&ctx, &preview, false))
}

pub async fn delete_record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, kind, id)): Path<(i64, String, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let kind = kind_from(&kind)?;
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let version = form.get("version").parse().ok();
    let preview = || state.store.deletion_preview(ctx.pid(), kind, id);
    // Only the confirmation page's button deletes: a post without it (a crafted link,
    // a form from elsewhere) shows the confirmation instead.
    if form.get("confirm") != "yes" {
        let preview = preview().await?;
        let mut page = confirm_page(&ctx, &preview, false);
        page.errors.push(FieldError {
            field: "main-content".to_owned(),
            message: format!(
                "Nothing was deleted. To delete the {}, use the button on this page.",
                preview.kind.label()
            ),
        });
        page.chrome.has_errors = true;
        return html_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match state
        .store
        .delete_record(ctx.actor(), ctx.pid(), kind, id, version)
        .await
    {
        Ok(deleted) => {
            let deleted = state.store.get_deleted(ctx.pid(), deleted).await?;
            let (_, after) = addresses(&ctx, kind, id, deleted.parent_id);
            Ok(saved(
                &state,
                &after,
                &format!(
                    "Deleted. {} can be restored by an administrator from Recently deleted until {}.",
                    truncate(&deleted.label, 120),
                    long_date(purge_after(deleted.deleted_at).date())
                ),
            ))
        }
        // Someone changed it, or something now depends on it: show the page again as
        // it is now, never delete blindly.
        Err(StoreError::Conflict) => html_with_status(
            StatusCode::CONFLICT,
            &confirm_page(&ctx, &preview().await?, true),
        ),
        Err(StoreError::Rule(_)) => html_with_status(
            StatusCode::CONFLICT,
            &confirm_page(&ctx, &preview().await?, false),
        ),
        Err(other) => Err(other.into()),
    }
}

/// "Recently deleted": what can still be restored, and until when.
pub async fn list_deleted(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let deleted = state.store.list_deleted(ctx.pid()).await?;
    let restorer = ctx.can(Capability::ManagePartnership);
    let rows = deleted
        .iter()
        .map(|d| {
            let mut what = Cell::text(truncate(&d.label, 160));
            if restorer {
                let mut restore = PostButton::new(
                    "Restore",
                    format!("{}/deleted/{}/restore", ctx.base(), d.id),
                );
                restore.context = truncate(&d.label, 80);
                restore
                    .hidden
                    .push(("restore".to_owned(), "yes".to_owned()));
                what.posts.push(restore);
            }
            vec![
                what,
                Cell::text(d.context.clone()),
                Cell::text(format!(
                    "{} by {}",
                    long_date(d.deleted_at.date()),
                    if d.deleted_by_name.is_empty() {
                        "the command line"
                    } else {
                        &d.deleted_by_name
                    }
                )),
                Cell::text(long_date(purge_after(d.deleted_at).date())),
            ]
        })
        .collect();
    let mut page = NoticePage::new(
        Chrome::for_ctx(&ctx, "Recently deleted", "overview"),
        "Recently deleted",
    )
    .back(ctx.base())
    .say(format!(
        "Records deleted in the last {RESTORE_DAYS} days. Restoring one puts it back exactly as it was, with everything that was deleted with it. After {RESTORE_DAYS} days it is gone for good; the audit log keeps a record of it."
    ));
    page.caption = ctx.partnership.name.clone();
    if !restorer {
        page = page.say("Only an administrator can restore a record. Ask one if something was deleted by mistake.");
    }
    page.wide = true;
    page.tables.push(TableBlock {
        heading: "Deleted records".to_owned(),
        head: vec!["What", "Where", "Deleted", "Can be restored until"],
        rows,
        empty: "Nothing has been deleted in the last 30 days.".to_owned(),
    });
    html(&page)
}

pub async fn restore_deleted(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let list = format!("{}/deleted", ctx.base());
    if RawForm(pairs).get("restore") != "yes" {
        let page = NoticePage::new(
            Chrome::for_ctx(&ctx, "Restore", "overview"),
            "Restore a record from Recently deleted",
        )
        .say("Use the record's Restore button on the Recently deleted page.")
        .link("Go to Recently deleted", list);
        return html_with_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match state
        .store
        .restore_deleted(ctx.actor(), ctx.pid(), id)
        .await
    {
        Ok(restored) => {
            let (record, _) =
                addresses(&ctx, restored.kind, restored.record_id, restored.parent_id);
            Ok(saved(
                &state,
                &record,
                &format!("Restored {}", truncate(&restored.label, 120)),
            ))
        }
        Err(StoreError::Rule(why)) => {
            let page = NoticePage::new(
                Chrome::for_ctx(&ctx, "Could not restore", "overview"),
                "This record could not be restored",
            )
            .back(list.clone())
            .say(why)
            .link("Back to Recently deleted", list);
            html_with_status(StatusCode::CONFLICT, &page)
        }
        Err(other) => Err(other.into()),
    }
}

// ----- archiving plans ----------------------------------------------------------------

fn archive_page(ctx: &Ctx, plan: &sendplan_domain::plan::Plan) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Archive plan", "overview"),
        "Archive this plan?",
        format!("{}/plans/{}/archive", ctx.base(), plan.id),
        vec![
            Field::textarea("reason", "Why is it being archived?")
                .rows(3)
                .hint("For example, \"Replaced by the priority action plan approved in December 2023\". It is shown on the plan and in the audit log."),
            // Not "version": this form acts on the plan rather than editing it; the
            // version only makes sure it is the plan the person saw.
            Field::hidden("plan_version", plan.version),
        ],
    )
    .caption(plan.title.clone())
    .intro("An archived plan leaves the home page, My actions, reminders and the public pages. It stays readable, and a plan manager can bring it back at any time.")
    .submit("Archive plan")
    .cancel(format!("{}/plans/{}", ctx.base(), plan.id))
}

pub async fn confirm_archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    if state
        .store
        .plan_archive(ctx.pid(), plan.id)
        .await?
        .is_some()
    {
        let href = format!("{}/plans/{}", ctx.base(), plan.id);
        let mut page = NoticePage::new(
            Chrome::for_ctx(&ctx, "Already archived", "overview"),
            "This plan is already archived",
        )
        .back(href.clone())
        .link("Go to the plan", href);
        page.caption = plan.title.clone();
        return html(&page);
    }
    html(&archive_page(&ctx, &plan))
}

pub async fn archive_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let page = archive_page(&ctx, &plan);
    let reason = match ReasonInput::parse(&form, "why the plan is being archived") {
        Ok(input) => input.reason,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}", ctx.base(), plan.id);
    let seen = form.get("plan_version").parse().unwrap_or(0);
    match state
        .store
        .archive_plan(ctx.actor(), ctx.pid(), plan.id, seen, &reason)
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Plan archived")),
        // Changed or archived by someone else since the form was opened: say so, with
        // what was typed kept and the plan as it is now.
        Err(StoreError::Conflict) => {
            let mut page = page;
            page.set_value("plan_version", plan.version);
            page.with_errors(
                &form,
                sendplan_domain::input::FieldErrors::single(
                    "reason",
                    "Someone changed or archived this plan after you opened this page. Look at the plan, then archive it again if you still mean to.",
                ),
            )
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn unarchive_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let href = format!("{}/plans/{id}", ctx.base());
    match state
        .store
        .unarchive_plan(ctx.actor(), ctx.pid(), PlanId(id))
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Plan brought back from the archive")),
        // Already back: someone else restored it first, which is what was wanted.
        Err(StoreError::Conflict) => Ok(saved(&state, &href, "The plan is not archived")),
        Err(other) => Err(other.into()),
    }
}
