//! A plan's email reminders: the settings (off until a plan manager turns them on) and
//! every email the reminders have queued, with whether it was sent.

use super::{refused, saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage, TablePage};
use crate::views::{Cell, Chrome, LinkButton};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{long_date, FieldErrors, RawForm};
use sendplan_domain::reminders::ReminderSettings;
use sendplan_domain::PlanId;
use sendplan_storage::Job;

/// What the page says when this server cannot send email.
const NO_MAIL_SERVER: &str = "This server has no mail server set up, so it cannot send reminders. Ask whoever runs sendplan to set SENDPLAN_SMTP_URL and SENDPLAN_MAIL_FROM.";

fn describe(settings: &ReminderSettings) -> String {
    if !settings.enabled {
        return "Email reminders are off for this plan.".to_owned();
    }
    let mut parts = vec![format!(
        "Email reminders are on. Action leads are asked for an update {} days before each report in the reporting cycle is due, and the plan managers get a digest of who has not updated",
        settings.days_before_board
    )];
    parts.push(format!(
        "leads are reminded of milestones due within {} days",
        settings.milestone_days
    ));
    if settings.stale {
        parts.push(
            "and told when their actions have had no update for longer than the plan allows"
                .to_owned(),
        );
    }
    format!("{}.", parts.join("; "))
}

pub async fn list_reminders(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let (settings, _) = state.store.reminder_settings(ctx.pid(), plan.id).await?;
    let rows = state
        .store
        .list_mail(ctx.pid(), plan.id, 200)
        .await?
        .into_iter()
        .map(|mail| {
            let mut state = mail.state();
            if mail.sent_at.is_none() && !mail.last_error.is_empty() {
                state.push_str(&format!(" (last error: {})", mail.last_error));
            }
            vec![
                Cell::text(long_date(mail.queued_at.date())),
                Cell::text(mail.to.name),
                Cell::text(mail.subject),
                Cell::text(state),
            ]
        })
        .collect();
    let mut intro = describe(&settings);
    if state.config.mailer.is_none() {
        intro = format!("{intro} {NO_MAIL_SERVER}");
    }
    if let Some(failure) = state
        .store
        .job_failure(Job::PlanReminders, ctx.pid(), plan.id.0)
        .await?
    {
        intro = format!(
            "This plan's reminders could not be worked out on {}: {}. sendplan tries again every few minutes; if this message stays, tell your sendplan administrator. {intro}",
            super::accounts::when(failure.at),
            failure.reason
        );
    }
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Reminders", "overview"),
        heading: "Reminders".to_owned(),
        caption: plan.title.clone(),
        intro,
        buttons: vec![LinkButton::primary(
            "Change reminder settings",
            format!("{}/plans/{}/reminders/settings", ctx.base(), plan.id),
        )],
        head: vec!["Queued", "To", "Subject", "Sent?"],
        rows,
        empty: "No reminders have been queued for this plan.".to_owned(),
        more_href: String::new(),
    })
}

async fn settings_form(state: &AppState, ctx: &Ctx, plan: PlanId) -> Result<FormPage, AppError> {
    let plan = state.store.get_plan(ctx.pid(), plan).await?;
    let (settings, version) = state.store.reminder_settings(ctx.pid(), plan.id).await?;
    let on = |yes: bool| if yes { &["yes"][..] } else { &[][..] };
    let mut intro = "Reminders are emailed to the people who lead actions, at the addresses on the People page or else of the sendplan accounts linked to them, and to the plan's administrators and managers. Each reminder is sent once.".to_owned();
    if state.config.mailer.is_none() {
        intro = format!("{intro} {NO_MAIL_SERVER}");
    }
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Reminder settings", "overview"),
        "Reminder settings",
        format!("{}/plans/{}/reminders/settings", ctx.base(), plan.id),
        vec![
            Field::hidden("version", version),
            Field::checkboxes(
                "enabled",
                "Email reminders",
                vec![Choice::new("yes", "Send email reminders for this plan")],
            )
            .checked(on(settings.enabled)),
            Field::text("days_before_board", "Days before a board report is due")
                .value(settings.days_before_board)
                .width("govuk-input--width-3")
                .hint("Leads whose actions have no update since the last report are asked for one this many days before the next report in the reporting cycle is due. From 0 to 60."),
            Field::text("milestone_days", "Days before a milestone is due")
                .value(settings.milestone_days)
                .width("govuk-input--width-3")
                .hint("Leads are reminded of milestones that are not done this many days before they are due. From 0 to 90."),
            Field::checkboxes(
                "stale",
                "Stale actions",
                vec![Choice::new("yes", "Tell leads when their actions have had no update for longer than the plan allows")],
            )
            .checked(on(settings.stale)),
        ],
    )
    .caption(plan.title.clone())
    .intro(intro)
    .cancel(format!("{}/plans/{}/reminders", ctx.base(), plan.id)))
}

pub async fn edit_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&settings_form(&state, &ctx, PlanId(plan)).await?)
}

pub async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = settings_form(&state, &ctx, PlanId(plan)).await?;
    let settings = match ReminderSettings::parse(&form) {
        Ok(settings) => settings,
        Err(errors) => return page.with_errors(&form, errors),
    };
    if settings.enabled && state.config.mailer.is_none() {
        return page.with_errors(&form, FieldErrors::single("enabled", NO_MAIL_SERVER));
    }
    let version = form.get("version").parse().unwrap_or(-1);
    match state
        .store
        .set_reminder_settings(ctx.actor(), ctx.pid(), PlanId(plan), version, &settings)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/reminders", ctx.base()),
            if settings.enabled {
                "Email reminders are on"
            } else {
                "Email reminders are off"
            },
        )),
        Err(sendplan_storage::StoreError::Conflict) => {
            let (_, current) = state
                .store
                .reminder_settings(ctx.pid(), PlanId(plan))
                .await?;
            page.with_conflict(&form, current, "the settings below")
        }
        Err(error) => refused(page, &form, error),
    }
}
