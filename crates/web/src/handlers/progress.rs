//! Progress of a whole area or objective (issue 14): a dated narrative, rated or not,
//! posted from the plan page under the area's heading.

use super::{refused, saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{AreaProgressInput, RawForm};
use sendplan_domain::plan::{Area, Objective, Rating};
use sendplan_domain::AreaId;

fn progress_page(ctx: &Ctx, area: &Area, objectives: &[Objective], ratings: &[Rating]) -> FormPage {
    let heading = format!("Progress of area {}", area.number);
    let mut whole = vec![Choice::new("", format!("The whole area: {}", area.title))];
    whole.extend(
        objectives
            .iter()
            .map(|o| Choice::new(o.id, format!("Objective {}: {}", o.number, o.title))),
    );
    let mut rated = vec![Choice::new("", "No rating")];
    rated.extend(
        ratings
            .iter()
            .map(|r| Choice::new(r.id, format!("{} ({})", r.label, r.meaning))),
    );
    let mut fields = Vec::new();
    if !objectives.is_empty() {
        fields.push(Field::select(
            "objective_id",
            "What the update is about",
            whole,
        ));
    }
    fields.extend([
        Field::date("update_date", "Date of the update").hint("The date the progress is reported at, for example 31 3 2022").date_value(Some(ctx.today)),
        Field::select("rating_id", "Rating (optional)", rated),
        Field::textarea("narrative", "Progress")
            .rows(10)
            .hint("What has been done, what difference it has made for children, young people and families, and what will happen next."),
    ]);
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        format!("{}/areas/{}/progress/new", ctx.base(), area.id),
        fields,
    )
    .caption(&area.title)
    .submit("Save the update")
    .cancel(format!(
        "{}/plans/{}#area-{}",
        ctx.base(),
        area.plan_id,
        area.id
    ))
}

/// The area, its objectives and the plan's ratings.
async fn context(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Area, Vec<Objective>, Vec<Rating>), crate::errors::AppError> {
    let area = state.store.get_area(ctx.pid(), AreaId(id)).await?;
    let objectives = state
        .store
        .list_objectives(ctx.pid(), area.plan_id)
        .await?
        .into_iter()
        .filter(|o| o.area_id == area.id)
        .collect();
    let ratings = state.store.list_ratings(ctx.pid(), area.plan_id).await?;
    Ok((area, objectives, ratings))
}

pub async fn new_area_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (area, objectives, ratings) = context(&state, &ctx, id).await?;
    html(&progress_page(&ctx, &area, &objectives, &ratings))
}

pub async fn create_area_progress(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (area, objectives, ratings) = context(&state, &ctx, id).await?;
    let page = progress_page(&ctx, &area, &objectives, &ratings);
    let objective_ids: Vec<_> = objectives.iter().map(|o| o.id).collect();
    let rating_ids: Vec<_> = ratings.iter().map(|r| r.id).collect();
    let input = match AreaProgressInput::parse(&form, &objective_ids, &rating_ids, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_area_progress(ctx.actor(), ctx.pid(), area.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{}#area-{}", ctx.base(), area.plan_id, area.id),
            &format!("Progress of area {} saved", area.number),
        )),
        Err(error) => refused(page, &form, error),
    }
}
