//! A plan's structure above its actions: areas and objectives.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{AreaInput, ObjectiveInput, RawForm};
use sendplan_domain::inspection::Finding;
use sendplan_domain::partnership::Person;
use sendplan_domain::plan::{Area, Objective, Plan};
use sendplan_domain::{AreaId, ObjectiveId, PlanId};
use sendplan_storage::StoreError;

async fn area_form_data(
    state: &AppState,
    ctx: &Ctx,
    plan: &Plan,
) -> Result<(Vec<Person>, Vec<Finding>), crate::errors::AppError> {
    let people = state.store.list_people(ctx.pid()).await?;
    let findings = match plan.inspection_id {
        Some(inspection) => state
            .store
            .list_findings(ctx.pid(), Some(inspection))
            .await?
            .into_iter()
            .filter(|f| f.kind.needs_a_response())
            .collect(),
        None => Vec::new(),
    };
    Ok((people, findings))
}

fn area_page(
    ctx: &Ctx,
    plan: &Plan,
    area: Option<&Area>,
    people: &[Person],
    findings: &[Finding],
) -> FormPage {
    let (heading, action) = match area {
        Some(a) => (
            format!("Edit area {}", a.number),
            format!("{}/areas/{}/edit", ctx.base(), a.id),
        ),
        None => (
            "Add an area".to_owned(),
            format!("{}/plans/{}/areas/new", ctx.base(), plan.id),
        ),
    };
    let mut fields = vec![
        Field::text("number", "Number")
            .hint("For example, 3")
            .width("govuk-input--width-3")
            .value(area.map(|a| a.number.to_string()).unwrap_or_default()),
        Field::textarea("title", "Title")
            .rows(3)
            .hint("Usually the weakness or concern the area answers")
            .value(area.map_or("", |a| a.title.as_str())),
        Field::select(
            "senior_responsible_officer",
            "Senior responsible officer",
            with_none(
                "None",
                people
                    .iter()
                    .map(|p| Choice::new(p.id, p.display_name()))
                    .collect(),
            ),
        )
        .value(
            area.and_then(|a| a.senior_responsible_officer)
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ),
        Field::textarea("outcomes", "Outcomes we will strive for")
            .hint("One per line")
            .value(area.map_or("", |a| a.outcomes.as_str())),
        Field::checkboxes(
            "findings",
            "Which inspection findings does this area answer?",
            findings
                .iter()
                .map(|f| Choice::new(f.id, f.text.clone()))
                .collect(),
        )
        .hint(if plan.inspection_id.is_none() {
            "Link the plan to an inspection to choose from its findings"
        } else {
            ""
        })
        .checked(&area.map(|a| a.findings.clone()).unwrap_or_default()),
    ];
    if let Some(a) = area {
        fields.push(Field::hidden("version", a.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        action,
        fields,
    )
    .caption(plan.title.clone())
    .cancel(format!("{}/plans/{}", ctx.base(), plan.id))
}

pub async fn new_area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let (people, findings) = area_form_data(&state, &ctx, &plan).await?;
    html(&area_page(&ctx, &plan, None, &people, &findings))
}

pub async fn create_area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let (people, findings) = area_form_data(&state, &ctx, &plan).await?;
    let page = area_page(&ctx, &plan, None, &people, &findings);
    let input = match AreaInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_area(ctx.actor(), ctx.pid(), plan.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{}", ctx.base(), plan.id),
            &format!("Area {} added", input.number),
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let area = state.store.get_area(ctx.pid(), AreaId(id)).await?;
    let plan = state.store.get_plan(ctx.pid(), area.plan_id).await?;
    let (people, findings) = area_form_data(&state, &ctx, &plan).await?;
    html(
        &area_page(&ctx, &plan, Some(&area), &people, &findings).delete_link(
            "Delete this area",
            crate::handlers::lifecycle::delete_href(
                &ctx,
                sendplan_domain::lifecycle::RecordKind::Area,
                area.id,
            ),
        ),
    )
}

pub async fn update_area(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let area = state.store.get_area(ctx.pid(), AreaId(id)).await?;
    let plan = state.store.get_plan(ctx.pid(), area.plan_id).await?;
    let (people, findings) = area_form_data(&state, &ctx, &plan).await?;
    let page = area_page(&ctx, &plan, Some(&area), &people, &findings);
    let input = match AreaInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}", ctx.base(), plan.id);
    match state
        .store
        .update_area(ctx.actor(), ctx.pid(), area.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &href,
            &format!("Area {} saved", input.number),
        )),
        Err(StoreError::Conflict) => page.with_conflict(&form, area.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

fn objective_page(ctx: &Ctx, area: &Area, objective: Option<&Objective>) -> FormPage {
    let (heading, action) = match objective {
        Some(o) => (
            format!("Edit objective {}", o.number),
            format!("{}/objectives/{}/edit", ctx.base(), o.id),
        ),
        None => (
            "Add an objective".to_owned(),
            format!("{}/areas/{}/objectives/new", ctx.base(), area.id),
        ),
    };
    let mut fields = vec![
        Field::text("number", "Number").hint(&format!("For example, {}.1", area.number)).width("govuk-input--width-5").value(objective.map(|o| o.number.to_string()).unwrap_or_default()),
        Field::textarea("title", "Objective or workstream").rows(3).value(objective.map_or("", |o| o.title.as_str())),
        Field::textarea("i_statement", "\"I\" statement (optional)").rows(3).hint("What a child, young person or parent will be able to say, for example \"I know where to get support while I wait\"").value(objective.map_or("", |o| o.i_statement.as_str())),
        Field::textarea("impact_indicators", "Impact indicators (optional)").value(objective.map_or("", |o| o.impact_indicators.as_str())),
        Field::textarea("milestones", "Milestones (optional)")
            .hint("The objective's own milestones, one per line")
            .value(objective.map_or("", |o| o.milestones.as_str())),
    ];
    if let Some(o) = objective {
        fields.push(Field::hidden("version", o.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        action,
        fields,
    )
    .caption(format!(
        "Area {} {}",
        area.number,
        crate::handlers::plans::truncate(&area.title, 100)
    ))
    .cancel(format!("{}/plans/{}", ctx.base(), area.plan_id))
}

pub async fn new_objective(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let area = state.store.get_area(ctx.pid(), AreaId(id)).await?;
    html(&objective_page(&ctx, &area, None))
}

pub async fn create_objective(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let area = state.store.get_area(ctx.pid(), AreaId(id)).await?;
    let page = objective_page(&ctx, &area, None);
    let input = match ObjectiveInput::parse(&form, &area.number) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_objective(ctx.actor(), ctx.pid(), area.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{}", ctx.base(), area.plan_id),
            &format!("Objective {} added", input.number),
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_objective(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (_, objective) = state
        .store
        .get_objective(ctx.pid(), ObjectiveId(id))
        .await?;
    let area = state.store.get_area(ctx.pid(), objective.area_id).await?;
    html(&objective_page(&ctx, &area, Some(&objective)).delete_link(
        "Delete this objective",
        crate::handlers::lifecycle::delete_href(
            &ctx,
            sendplan_domain::lifecycle::RecordKind::Objective,
            objective.id,
        ),
    ))
}

pub async fn update_objective(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (_, objective) = state
        .store
        .get_objective(ctx.pid(), ObjectiveId(id))
        .await?;
    let area = state.store.get_area(ctx.pid(), objective.area_id).await?;
    let page = objective_page(&ctx, &area, Some(&objective));
    let input = match ObjectiveInput::parse(&form, &area.number) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}", ctx.base(), area.plan_id);
    match state
        .store
        .update_objective(
            ctx.actor(),
            ctx.pid(),
            objective.id,
            version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &href,
            &format!("Objective {} saved", input.number),
        )),
        Err(StoreError::Conflict) => page.with_conflict(&form, objective.version, &href),
        Err(error) => refused(page, &form, error),
    }
}
