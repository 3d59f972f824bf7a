//! Inspections, their findings and revisits.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FindingGroup, FindingView, FormPage, InspectionPage, TablePage};
use crate::views::{date_or, Cell, Chrome, LinkButton, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::history::{DatePrecision, RevisitKind};
use sendplan_domain::input::{long_date, FindingInput, InspectionInput, RawForm, RevisitInput};
use sendplan_domain::inspection::{
    Finding, FindingHeading, FindingKind, Framework, Inspection, InspectionOutcome,
};
use sendplan_domain::{FindingId, InspectionId};
use sendplan_storage::StoreError;

pub async fn list_inspections(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let inspections = state.store.list_inspections(ctx.pid()).await?;
    let rows = inspections
        .iter()
        .map(|i| {
            vec![
                Cell::link(i.title(), format!("{}/inspections/{}", ctx.base(), i.id)),
                Cell::text(date_or(i.published_date, "Not published")),
                Cell::text(i.outcome.label()),
            ]
        })
        .collect();
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Record an inspection",
            format!("{}/inspections/new", ctx.base()),
        ));
    }
    buttons.push(LinkButton::secondary(
        "Timeline",
        format!("{}/timeline", ctx.base()),
    ));
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Inspections", "inspections"),
        heading: "Inspections".to_owned(),
        caption: ctx.partnership.name.clone(),
        intro: "The Ofsted and CQC inspections of the local area, with their findings: the starting point of every plan.".to_owned(),
        buttons,
        head: vec!["Inspection", "Report published", "Outcome"],
        rows,
        empty: "No inspections have been recorded yet.".to_owned(),
        more_href: String::new(),
    })
}

fn inspection_page(ctx: &Ctx, inspection: Option<&Inspection>) -> FormPage {
    let (heading, action) = match inspection {
        Some(i) => (
            "Edit inspection".to_owned(),
            format!("{}/inspections/{}/edit", ctx.base(), i.id),
        ),
        None => (
            "Record an inspection".to_owned(),
            format!("{}/inspections/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::radios(
            "framework",
            "Inspection framework",
            Framework::ALL
                .iter()
                .map(|f| Choice::new(f.code(), f.label()))
                .collect(),
        )
        .value(inspection.map_or("", |i| i.framework.code())),
        Field::radios(
            "dates_known",
            "How much of its dates is known?",
            DatePrecision::ALL
                .iter()
                .map(|d| Choice::new(d.code(), d.label()))
                .collect(),
        )
        .hint("Sources sometimes give only the day an inspection began, or only the month")
        .value(inspection.map_or(DatePrecision::Days.code(), |i| i.date_precision.code())),
        Field::date("start_date", "First day of the inspection")
            .hint("For example, 12 7 2021. If only the month is known, leave the day empty.")
            .date_value(inspection.map(|i| i.start_date)),
        Field::date("end_date", "Last day of the inspection")
            .hint("Leave empty if only the first day or the month is known")
            .date_value(inspection.map(|i| i.end_date)),
        Field::date("published_date", "Date the report was published (optional)")
            .date_value(inspection.and_then(|i| i.published_date)),
        Field::radios(
            "outcome",
            "Outcome",
            InspectionOutcome::ALL
                .iter()
                .map(|o| {
                    let framework = if o.belongs_to(Framework::Joint2016) {
                        "2016 framework"
                    } else {
                        "2023 framework"
                    };
                    Choice::new(o.code(), o.label()).hint(framework)
                })
                .collect(),
        )
        .value(inspection.map_or("", |i| i.outcome.code())),
        Field::textarea("inspectors", "Inspectors (optional)")
            .rows(3)
            .value(inspection.map_or("", |i| i.inspectors.as_str())),
        Field::textarea("main_findings", "Main findings (optional)")
            .rows(10)
            .value(inspection.map_or("", |i| i.main_findings.as_str())),
    ];
    if let Some(i) = inspection {
        fields.push(Field::hidden("version", i.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "inspections"),
        heading,
        action,
        fields,
    )
    .cancel(format!("{}/inspections", ctx.base()))
}

pub async fn new_inspection(ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&inspection_page(&ctx, None))
}

pub async fn create_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = inspection_page(&ctx, None);
    let input = match InspectionInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_inspection(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(id) => Ok(saved(
            &state,
            &format!("{}/inspections/{id}", ctx.base()),
            "Inspection recorded. Now add its findings.",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn show_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    let findings = state
        .store
        .list_findings(ctx.pid(), Some(inspection.id))
        .await?;
    let revisits = state.store.list_revisits(ctx.pid(), inspection.id).await?;
    let editable = ctx.can(Capability::EditPlans);
    let latest_judgement = |finding: &Finding| {
        revisits
            .iter()
            .rev()
            .find_map(|r| r.judgements.iter().find(|j| j.finding_id == finding.id))
            .map(|j| {
                if j.sufficient_progress {
                    Tag::new("Sufficient progress at revisit", "green")
                } else {
                    Tag::new("Not sufficient progress at revisit", "red")
                }
            })
    };
    let mut groups = Vec::new();
    for kind in FindingKind::ALL {
        let headings: Vec<Option<FindingHeading>> = std::iter::once(None)
            .chain(FindingHeading::ALL.iter().copied().map(Some))
            .collect();
        for heading in headings {
            let items: Vec<FindingView> = findings
                .iter()
                .filter(|f| f.kind == *kind && f.heading == heading)
                .map(|f| FindingView {
                    text: f.text.clone(),
                    edit_href: if editable {
                        format!("{}/findings/{}/edit", ctx.base(), f.id)
                    } else {
                        String::new()
                    },
                    judgement: latest_judgement(f),
                })
                .collect();
            if !items.is_empty() {
                let title = match heading {
                    Some(h) => format!("{}s: {}", kind.label(), h.label().to_lowercase()),
                    None => format!("{}s", kind.label()),
                };
                groups.push(FindingGroup {
                    heading: title,
                    findings: items,
                });
            }
        }
    }
    let summary = vec![
        SummaryRow::new("Framework", inspection.framework.label()),
        SummaryRow::new("Dates", inspection.dates()),
        SummaryRow::new(
            "Report published",
            date_or(inspection.published_date, "Not published"),
        ),
        SummaryRow::new("Outcome", inspection.outcome.label()),
        SummaryRow::new("Inspectors", inspection.inspectors.clone()),
    ];
    let revisit_views = revisits
        .iter()
        .map(|r| {
            let rows = r
                .judgements
                .iter()
                .map(|j| {
                    let text = findings
                        .iter()
                        .find(|f| f.id == j.finding_id)
                        .map(|f| f.text.clone())
                        .unwrap_or_default();
                    let verdict = r.kind.judgement(j.sufficient_progress);
                    let value = if j.commentary.is_empty() {
                        verdict.to_owned()
                    } else {
                        format!("{verdict}. {}", j.commentary)
                    };
                    SummaryRow::new(text, value)
                })
                .collect();
            (
                format!("{} on {}", r.kind.label(), long_date(r.date)),
                r.summary.clone(),
                rows,
            )
        })
        .collect();
    let mut buttons = Vec::new();
    if editable {
        buttons.push(LinkButton::primary(
            "Add a finding",
            format!("{}/inspections/{}/findings/new", ctx.base(), inspection.id),
        ));
        buttons.push(LinkButton::secondary(
            match RevisitKind::following(inspection.framework) {
                RevisitKind::Revisit => "Record a revisit",
                RevisitKind::Monitoring => "Record a monitoring inspection",
            },
            format!("{}/inspections/{}/revisits/new", ctx.base(), inspection.id),
        ));
        buttons.push(LinkButton::secondary(
            "Edit inspection",
            format!("{}/inspections/{}/edit", ctx.base(), inspection.id),
        ));
    }
    html(&InspectionPage {
        chrome: Chrome::for_ctx(&ctx, inspection.title(), "inspections"),
        heading: inspection.title(),
        summary,
        main_findings: inspection.main_findings.clone(),
        groups,
        revisits: revisit_views,
        buttons,
    })
}

pub async fn edit_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    html(&inspection_page(&ctx, Some(&inspection)).delete_link(
        "Delete this inspection",
        crate::handlers::lifecycle::delete_href(
            &ctx,
            sendplan_domain::lifecycle::RecordKind::Inspection,
            inspection.id,
        ),
    ))
}

pub async fn update_inspection(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    let page = inspection_page(&ctx, Some(&inspection));
    let input = match InspectionInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/inspections/{}", ctx.base(), inspection.id);
    match state
        .store
        .update_inspection(
            ctx.actor(),
            ctx.pid(),
            inspection.id,
            version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Inspection saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, inspection.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

fn finding_page(ctx: &Ctx, inspection: &Inspection, finding: Option<&Finding>) -> FormPage {
    let framework = inspection.framework;
    let inspection = inspection.id;
    let (heading, action) = match finding {
        Some(f) => (
            "Edit finding".to_owned(),
            format!("{}/findings/{}/edit", ctx.base(), f.id),
        ),
        None => (
            "Add a finding".to_owned(),
            format!("{}/inspections/{inspection}/findings/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::radios(
            "kind",
            "What kind of finding is this?",
            // Only the kinds the inspection's framework uses.
            FindingKind::ALL
                .iter()
                .filter(|k| k.belongs_to(framework))
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        )
        .value(finding.map_or("", |f| f.kind.code())),
        Field::select(
            "heading",
            "Heading (2016 framework letters)",
            with_none(
                "No heading",
                FindingHeading::ALL
                    .iter()
                    .map(|h| Choice::new(h.code(), h.label()))
                    .collect(),
            ),
        )
        .value(finding.and_then(|f| f.heading).map_or("", |h| h.code())),
        Field::textarea("text", "Finding")
            .hint("As written in the inspection letter")
            .value(finding.map_or("", |f| f.text.as_str())),
    ];
    if let Some(f) = finding {
        fields.push(Field::hidden("text_seen", f.text.clone()));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "inspections"),
        heading,
        action,
        fields,
    )
    .cancel(format!("{}/inspections/{inspection}", ctx.base()))
}

pub async fn new_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    html(&finding_page(&ctx, &inspection, None))
}

pub async fn create_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    let page = finding_page(&ctx, &inspection, None);
    let input = match FindingInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_finding(ctx.actor(), ctx.pid(), inspection.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/inspections/{}", ctx.base(), inspection.id),
            "Finding added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let finding = state.store.get_finding(ctx.pid(), FindingId(id)).await?;
    let inspection = state
        .store
        .get_inspection(ctx.pid(), finding.inspection_id)
        .await?;
    html(
        &finding_page(&ctx, &inspection, Some(&finding)).delete_link(
            "Delete this finding",
            crate::handlers::lifecycle::delete_href(
                &ctx,
                sendplan_domain::lifecycle::RecordKind::Finding,
                finding.id,
            ),
        ),
    )
}

pub async fn update_finding(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let finding = state.store.get_finding(ctx.pid(), FindingId(id)).await?;
    let inspection = state
        .store
        .get_inspection(ctx.pid(), finding.inspection_id)
        .await?;
    let page = finding_page(&ctx, &inspection, Some(&finding));
    let input = match FindingInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let seen = form
        .0
        .iter()
        .find(|(k, _)| k == "text_seen")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let href = format!("{}/inspections/{}", ctx.base(), finding.inspection_id);
    match state
        .store
        .update_finding(ctx.actor(), ctx.pid(), finding.id, &seen, &input)
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Finding saved")),
        Err(StoreError::Conflict) => {
            let mut page = page;
            for field in &mut page.fields {
                if field.name == "text_seen" {
                    field.value = finding.text.clone();
                }
            }
            page.with_conflict(&form, 0, &href)
        }
        Err(error) => refused(page, &form, error),
    }
}

fn revisit_page(ctx: &Ctx, inspection: &Inspection, weaknesses: &[Finding]) -> FormPage {
    let kind = RevisitKind::following(inspection.framework);
    let (heading, what, intro) = match kind {
        RevisitKind::Revisit => (
            "Record a revisit",
            "Weakness",
            "Record the judgement on each significant weakness. Weaknesses without sufficient progress are usually carried into an accelerated progress plan.",
        ),
        RevisitKind::Monitoring => (
            "Record a monitoring inspection",
            "Area for priority action",
            "Record whether the partnership has taken effective action on each area for priority action.",
        ),
    };
    let mut fields = vec![
        Field::date("date", "Date it began"),
        Field::textarea("summary", "Summary (optional)").rows(4),
    ];
    for (n, w) in weaknesses.iter().enumerate() {
        fields.push(Field::radios(
            &format!("judgement-{}", w.id),
            &format!("{what} {}: {}", n + 1, w.text),
            vec![
                Choice::new("sufficient", kind.judgement(true)),
                Choice::new("insufficient", kind.judgement(false)),
                Choice::new("not_judged", "Not judged, or not known"),
            ],
        ));
        fields.push(
            Field::textarea(
                &format!("commentary-{}", w.id),
                &format!("{what} {}: inspectors' commentary (optional)", n + 1),
            )
            .rows(3),
        );
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading, "inspections"),
        heading,
        format!("{}/inspections/{}/revisits/new", ctx.base(), inspection.id),
        fields,
    )
    .caption(inspection.title())
    .intro(intro)
    .cancel(format!("{}/inspections/{}", ctx.base(), inspection.id))
}

/// The findings a revisit of `inspection` judges.
async fn weaknesses(
    state: &AppState,
    ctx: &Ctx,
    inspection: &Inspection,
) -> Result<Vec<Finding>, crate::errors::AppError> {
    let kind = RevisitKind::following(inspection.framework);
    Ok(state
        .store
        .list_findings(ctx.pid(), Some(inspection.id))
        .await?
        .into_iter()
        .filter(|f| kind.judges(f.kind))
        .collect())
}

pub async fn new_revisit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    let weaknesses = weaknesses(&state, &ctx, &inspection).await?;
    html(&revisit_page(&ctx, &inspection, &weaknesses))
}

pub async fn create_revisit(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let inspection = state
        .store
        .get_inspection(ctx.pid(), InspectionId(id))
        .await?;
    let weaknesses = weaknesses(&state, &ctx, &inspection).await?;
    let page = revisit_page(&ctx, &inspection, &weaknesses);
    let ids: Vec<FindingId> = weaknesses.iter().map(|w| w.id).collect();
    let input = match RevisitInput::parse(&form, &ids) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_revisit(ctx.actor(), ctx.pid(), inspection.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/inspections/{}", ctx.base(), inspection.id),
            "Revisit recorded",
        )),
        Err(error) => refused(page, &form, error),
    }
}
