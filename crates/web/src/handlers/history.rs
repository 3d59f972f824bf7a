//! The partnership's history (issue 13): its timeline, DfE and NHS England interventions
//! and reviews, each plan's submission and approval, and changing how often a report goes
//! to a board from a date.

use super::plans::truncate;
use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, TimelineEntry, TimelinePage};
use crate::views::{Chrome, LinkButton, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::governance::Cadence;
use sendplan_domain::history::*;
use sendplan_domain::input::{long_date, FormReader, RawForm};
use sendplan_domain::inspection::Inspection;
use sendplan_domain::lifecycle::RecordKind;
use sendplan_domain::{InterventionId, PlanId, ReportingLineId};
use sendplan_storage::StoreError;

/// The partnership's story in date order: inspections, revisits and monitoring
/// inspections, plans, interventions and reviews, and the reporting cycle's changes.
pub async fn show_timeline(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let editable = ctx.can(Capability::EditPlans);
    let base = ctx.base();
    let inspections = state.store.list_inspections(ctx.pid()).await?;
    let mut events = Vec::new();
    // The last revisit of each inspection: an accelerated progress plan follows it.
    let mut last_revisit = std::collections::HashMap::new();
    for inspection in &inspections {
        let href = format!("/inspections/{}", inspection.id);
        events.push(TimelineEvent {
            date: Some(inspection_began(inspection)),
            after: None,
            kind: EventKind::Inspection,
            title: inspection.title(),
            detail: format!(
                "{}. {}",
                inspection.outcome.label(),
                inspection.published_date.map_or(
                    "Report not published yet".to_owned(),
                    |d| format!("Report published {}", long_date(d))
                )
            ),
            href: href.clone(),
        });
        for revisit in state.store.list_revisits(ctx.pid(), inspection.id).await? {
            last_revisit.insert(inspection.id, revisit.date);
            let positive = revisit
                .judgements
                .iter()
                .filter(|j| j.sufficient_progress)
                .count();
            events.push(TimelineEvent {
                date: Some(PartialDate::day(revisit.date)),
                after: None,
                kind: EventKind::Revisit,
                title: revisit.kind.label().to_owned(),
                detail: format!(
                    "{positive} of {} judged: {}",
                    revisit.judgements.len(),
                    revisit.kind.judgement(true).to_lowercase()
                ),
                href: href.clone(),
            });
        }
    }
    // Oldest first, so plans no source dates keep the order they were made in.
    let plans = state.store.list_every_plan(ctx.pid()).await?;
    let approvals = state.store.plan_approvals(ctx.pid()).await?;
    let boards = state.store.list_boards(ctx.pid()).await?;
    for plan in &plans {
        let href = format!("/plans/{}", plan.id);
        let approval = approvals
            .iter()
            .find(|(id, _)| *id == plan.id)
            .map(|(_, a)| a.clone())
            .unwrap_or_default();
        let approved = if approval.approved_by.is_empty() {
            "approved".to_owned()
        } else {
            format!("approved by {}", approval.approved_by)
        };
        let steps = [
            (
                approval.submission_due,
                "deadline for submitting it".to_owned(),
            ),
            (approval.submitted_on, "submitted".to_owned()),
            (approval.approved_on, approved),
            (approval.published_on, "published".to_owned()),
        ];
        let mut dated = false;
        for (date, what) in steps {
            let Some(date) = date else { continue };
            dated = true;
            events.push(TimelineEvent {
                date: Some(date),
                after: None,
                kind: EventKind::Plan,
                title: format!("{}: {what}", plan.title),
                detail: plan.kind.label().to_owned(),
                href: href.clone(),
            });
        }
        if !dated {
            // No source dates it: it is placed after what it answers, the inspection's
            // report, or for an accelerated progress plan the revisit.
            let after = plan
                .inspection_id
                .and_then(|i| inspections.iter().find(|x| x.id == i))
                .map(|i| {
                    let report = i.published_date.unwrap_or(i.end_date);
                    match (plan.kind, last_revisit.get(&i.id)) {
                        (sendplan_domain::plan::PlanKind::App, Some(revisit)) => *revisit,
                        _ => report,
                    }
                });
            events.push(TimelineEvent {
                date: plan.period_start.map(PartialDate::day),
                after,
                kind: EventKind::Plan,
                title: plan.title.clone(),
                detail: format!(
                    "{}{}",
                    plan.kind.label(),
                    if plan.period_start.is_some() {
                        ": its period begins"
                    } else {
                        ". When it was submitted and approved is not recorded"
                    }
                ),
                href: href.clone(),
            });
        }
        for line in state.store.list_reporting_lines(ctx.pid(), plan.id).await? {
            let board = boards
                .iter()
                .find(|b| b.id == line.board_id)
                .map_or("a board", |b| b.name.as_str());
            events.push(TimelineEvent {
                date: Some(PartialDate::day(line.first_due)),
                after: None,
                kind: EventKind::ReportingCycle,
                title: format!(
                    "{} to {}: {}",
                    line.kind.label(),
                    board,
                    line.cadence.label().to_lowercase()
                ),
                detail: match line.until {
                    Some(until) => format!(
                        "{}, first due {}, until {}",
                        plan.title,
                        long_date(line.first_due),
                        long_date(until)
                    ),
                    None => format!("{}, first due {}", plan.title, long_date(line.first_due)),
                },
                href: format!("/plans/{}/reports", plan.id),
            });
        }
    }
    for intervention in state.store.list_interventions(ctx.pid()).await? {
        events.push(TimelineEvent {
            date: Some(intervention.date),
            after: None,
            kind: EventKind::Intervention,
            title: intervention.name(),
            detail: [intervention.by.label(), intervention.outcome.as_str()]
                .iter()
                .filter(|t| !t.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(". "),
            href: if editable {
                format!("/interventions/{}/edit", intervention.id)
            } else {
                String::new()
            },
        });
    }
    let entries = in_order(events)
        .into_iter()
        .map(|e| TimelineEntry {
            date: e.date.map_or("Date not known".to_owned(), |d| d.long()),
            tag: match e.kind {
                EventKind::Inspection => Tag::new("Inspection", "blue"),
                EventKind::Revisit => Tag::new("Revisit", "light-blue"),
                EventKind::Plan => Tag::new("Plan", "green"),
                EventKind::Intervention => Tag::new("Intervention or review", "purple"),
                EventKind::ReportingCycle => Tag::new("Reporting", "grey"),
            },
            title: e.title,
            detail: e.detail,
            href: if e.href.is_empty() {
                String::new()
            } else {
                format!("{base}{}", e.href)
            },
        })
        .collect();
    let mut buttons = Vec::new();
    if editable {
        buttons.push(LinkButton::primary(
            "Record an intervention or review",
            format!("{base}/interventions/new"),
        ));
        buttons.push(LinkButton::secondary(
            "Record an inspection",
            format!("{base}/inspections/new"),
        ));
    }
    html(&TimelinePage {
        chrome: Chrome::for_ctx(&ctx, "Timeline", "inspections"),
        caption: ctx.partnership.name.clone(),
        entries,
        buttons,
    })
}

/// When an inspection began, as far as it is known.
fn inspection_began(inspection: &Inspection) -> PartialDate {
    let day = PartialDate::day(inspection.start_date);
    match inspection.date_precision {
        DatePrecision::Month => PartialDate { day: None, ..day },
        _ => day,
    }
}

/// A date input that takes a partial date, with the hint that says how.
fn partial_date_field(name: &str, label: &str, value: Option<PartialDate>) -> Field {
    Field::date(name, label)
        .hint("If only the month is known, leave the day empty; if only the year, leave the day and month empty")
        .partial_date_value(value)
}

async fn intervention_page(
    state: &AppState,
    ctx: &Ctx,
    intervention: Option<&Intervention>,
) -> Result<FormPage, crate::errors::AppError> {
    let plans = state.store.list_every_plan(ctx.pid()).await?;
    let (heading, action) = match intervention {
        Some(i) => (
            "Change an intervention or review",
            format!("{}/interventions/{}/edit", ctx.base(), i.id),
        ),
        None => (
            "Record an intervention or review",
            format!("{}/interventions/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::radios(
            "kind",
            "What was it?",
            InterventionKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        )
        .value(intervention.map_or("", |i| i.kind.code())),
        Field::radios(
            "by",
            "Who was it by?",
            InterventionBody::ALL
                .iter()
                .map(|b| Choice::new(b.code(), b.label()))
                .collect(),
        )
        .value(intervention.map_or("", |i| i.by.code())),
        partial_date_field("date", "When was it?", intervention.map(|i| i.date)),
        Field::text("title", "What is it called locally? (optional)")
            .hint("For example, \"Deep dive\"")
            .value(intervention.map_or("", |i| i.title.as_str())),
        Field::textarea("outcome", "Outcome (optional)")
            .rows(4)
            .value(intervention.map_or("", |i| i.outcome.as_str())),
        Field::textarea("notes", "Notes (optional)")
            .rows(4)
            .hint("Say where each fact comes from, and what is not known")
            .value(intervention.map_or("", |i| i.notes.as_str())),
        Field::textarea("documents", "Links to its documents (optional)")
            .rows(3)
            .hint("One web address per line")
            .value(intervention.map_or(String::new(), |i| i.documents.join("\n"))),
        Field::select(
            "plan",
            "The plan it concerns (optional)",
            with_none(
                "No particular plan",
                plans
                    .iter()
                    .map(|p| Choice::new(p.id, truncate(&p.title, 90)))
                    .collect(),
            ),
        )
        .value(
            intervention
                .and_then(|i| i.plan_id)
                .map_or(String::new(), |p| p.to_string()),
        ),
    ];
    if let Some(i) = intervention {
        fields.push(Field::hidden("version", i.version));
    }
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, heading, "inspections"),
        heading,
        action,
        fields,
    )
    .caption(ctx.partnership.name.clone())
    .intro("Improvement notices, statutory directions, stocktakes and the reviews at 6, 12 and 18 months: dated, with their outcome.")
    .cancel(format!("{}/timeline", ctx.base()));
    if let Some(i) = intervention {
        page = page.delete_link(
            "Delete this intervention or review",
            super::lifecycle::delete_href(ctx, RecordKind::Intervention, i.id),
        );
    }
    Ok(page)
}

pub async fn new_intervention(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&intervention_page(&state, &ctx, None).await?)
}

pub async fn create_intervention(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = intervention_page(&state, &ctx, None).await?;
    let input = match InterventionInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_intervention(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/timeline", ctx.base()),
            &format!("{} recorded", input.kind.label()),
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_intervention(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let intervention = state
        .store
        .get_intervention(ctx.pid(), InterventionId(id))
        .await?;
    html(&intervention_page(&state, &ctx, Some(&intervention)).await?)
}

pub async fn update_intervention(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let intervention = state
        .store
        .get_intervention(ctx.pid(), InterventionId(id))
        .await?;
    let page = intervention_page(&state, &ctx, Some(&intervention)).await?;
    let input = match InterventionInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/timeline", ctx.base());
    match state
        .store
        .update_intervention(
            ctx.actor(),
            ctx.pid(),
            intervention.id,
            version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, intervention.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

fn approval_page(
    ctx: &Ctx,
    plan: &sendplan_domain::plan::Plan,
    approval: &PlanApproval,
    version: i64,
) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Submission and approval", "overview"),
        "Submission and approval",
        format!("{}/plans/{}/approval", ctx.base(), plan.id),
        vec![
            partial_date_field(
                "submission_due",
                "When did it have to be submitted by? (optional)",
                approval.submission_due,
            ),
            partial_date_field(
                "submitted_on",
                "When was it submitted? (optional)",
                approval.submitted_on,
            ),
            partial_date_field(
                "approved_on",
                "When was it approved? (optional)",
                approval.approved_on,
            ),
            Field::text("approved_by", "Who approved it? (optional)")
                .hint("For example, Ofsted and CQC, or the Department for Education")
                .value(&approval.approved_by),
            partial_date_field(
                "published_on",
                "When was it published? (optional)",
                approval.published_on,
            ),
            Field::hidden("version", version),
        ],
    )
    .caption(plan.title.clone())
    .intro("Leave a date empty when no source gives it: sendplan shows it as not known rather than guessing.")
    .cancel(format!("{}/plans/{}", ctx.base(), plan.id))
}

pub async fn edit_approval(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let (approval, version) = state.store.plan_approval(ctx.pid(), plan.id).await?;
    html(&approval_page(&ctx, &plan, &approval, version))
}

pub async fn save_approval(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let (current, version) = state.store.plan_approval(ctx.pid(), plan.id).await?;
    let page = approval_page(&ctx, &plan, &current, version);
    let input = match PlanApproval::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}", ctx.base(), plan.id);
    // The form always carries the version it was opened at; a post without it (from
    // somewhere else) is shown the form, never saved over what is there.
    if form.get("version").is_empty() {
        return page.with_conflict(&form, version, &href);
    }
    match state
        .store
        .set_plan_approval(ctx.actor(), ctx.pid(), plan.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Submission and approval saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, version, &href),
        Err(error) => refused(page, &form, error),
    }
}

async fn cadence_page(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    line: ReportingLineId,
) -> Result<FormPage, crate::errors::AppError> {
    let line = state
        .store
        .get_reporting_line(ctx.pid(), plan, line)
        .await?;
    let board = state
        .store
        .list_boards(ctx.pid())
        .await?
        .into_iter()
        .find(|b| b.id == line.board_id)
        .map_or(String::new(), |b| b.name);
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Change how often it goes", "overview"),
        "Change how often it goes",
        format!("{}/plans/{plan}/cycle/{}/change", ctx.base(), line.id),
        vec![
            Field::radios(
                "cadence",
                "How often will it go from now on?",
                Cadence::ALL
                    .iter()
                    .map(|c| Choice::new(c.code(), c.label()))
                    .collect(),
            ),
            Field::date("from", "From when?")
                .hint("The first report on the new frequency is due on this day. Reports before it keep the old frequency."),
        ],
    )
    .caption(format!(
        "{} to {}, {}",
        line.kind.label(),
        board,
        line.cadence.label().to_lowercase()
    ))
    .cancel(format!("{}/plans/{plan}/reports", ctx.base())))
}

pub async fn edit_cadence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, line)): Path<(i64, i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&cadence_page(&state, &ctx, PlanId(plan), ReportingLineId(line)).await?)
}

pub async fn change_cadence(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, line)): Path<(i64, i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (plan, line) = (PlanId(plan), ReportingLineId(line));
    let page = cadence_page(&state, &ctx, plan, line).await?;
    let mut f = FormReader::new(&form);
    let cadence = f.choice("cadence", "how often it will go", Cadence::from_code);
    let from = f.date("from", "the date the new frequency starts", true);
    let (cadence, from) = match f.finish(()) {
        Ok(()) => (
            cadence.unwrap_or(Cadence::Monthly),
            from.unwrap_or(time::Date::MIN),
        ),
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{plan}/reports", ctx.base());
    match state
        .store
        .change_reporting_cadence(ctx.actor(), ctx.pid(), plan, line, from, cadence)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &href,
            &format!(
                "From {} it goes {}",
                long_date(from),
                cadence.label().to_lowercase()
            ),
        )),
        // Already changed by someone else: the reports page shows the cycle as it is.
        Err(StoreError::Conflict) => Ok(super::redirect_with(
            &state,
            &href,
            &crate::auth::Flash {
                text: "Someone changed this report's frequency first. Check the reporting cycle below.".to_owned(),
                important: true,
            },
        )),
        Err(error) => refused(page, &form, error),
    }
}
