//! Actions: their page, creating and editing them, milestones, progress updates, and
//! "my actions" for a signed-in lead.

use super::plans::{lead_names, truncate};
use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, ActionPage, FormPage, MilestoneView, TablePage, UpdateView};
use crate::views::{date_or, Cell, Chrome, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{Path, Query, State};
use sendplan_domain::access::Capability;
use sendplan_domain::flags::milestone_overdue;
use sendplan_domain::input::{long_date, ActionInput, MilestoneInput, RawForm, UpdateInput};
use sendplan_domain::lifecycle::RecordKind;
use sendplan_domain::partnership::{Organisation, Person};
use sendplan_domain::plan::{format_pounds, Action, Area, Milestone, Objective};
use sendplan_domain::{ActionId, AreaId, MilestoneId, PersonId, RatingId, UpdateId};
use sendplan_storage::{PlanOverview, StoreError};
use std::collections::HashMap;
use time::Date;

/// What the action form offers to choose from.
struct ActionChoices {
    area: Area,
    objectives: Vec<Objective>,
    people: Vec<Person>,
    organisations: Vec<Organisation>,
    overview: std::sync::Arc<PlanOverview>,
}

async fn action_choices(
    state: &AppState,
    ctx: &Ctx,
    area: AreaId,
) -> Result<ActionChoices, AppError> {
    let area = state.store.get_area(ctx.pid(), area).await?;
    let overview = state
        .store
        .plan_overview(ctx.pid(), area.plan_id, ctx.today)
        .await?;
    Ok(ActionChoices {
        objectives: overview
            .objectives
            .iter()
            .filter(|o| o.area_id == area.id)
            .cloned()
            .collect(),
        people: state.store.list_people(ctx.pid()).await?,
        organisations: state.store.list_organisations(ctx.pid()).await?,
        area,
        overview,
    })
}

fn action_page(ctx: &Ctx, choices: &ActionChoices, action: Option<&Action>) -> FormPage {
    let area = &choices.area;
    let (heading, action_url, cancel) = match action {
        Some(a) => (
            format!("Edit action {}", a.number),
            format!("{}/actions/{}/edit", ctx.base(), a.id),
            format!("{}/actions/{}", ctx.base(), a.id),
        ),
        None => (
            "Add an action".to_owned(),
            format!("{}/areas/{}/actions/new", ctx.base(), area.id),
            format!("{}/plans/{}", ctx.base(), area.plan_id),
        ),
    };
    // Each person with their job title and organisation, so two people of one name, or a
    // job title held in two organisations, are told apart.
    let people: Vec<Choice> = choices
        .people
        .iter()
        .map(|p| {
            let organisation = p
                .organisation_id
                .and_then(|id| choices.organisations.iter().find(|o| o.id == id))
                .map(|o| o.name.as_str());
            let title = if p.name.is_empty() {
                ""
            } else {
                p.job_title.as_str()
            };
            let about: Vec<&str> = [Some(title), organisation]
                .into_iter()
                .flatten()
                .filter(|t| !t.trim().is_empty())
                .collect();
            Choice::new(p.id, p.display_name()).hint(about.join(", "))
        })
        .collect();
    let others: Vec<Choice> = choices
        .overview
        .actions
        .iter()
        .filter(|row| action.is_none_or(|a| a.id != row.id))
        .map(|row| {
            Choice::new(
                row.id,
                format!("{} {}", row.number, truncate(&row.description, 90)),
            )
        })
        .collect();
    let example = choices
        .objectives
        .first()
        .map_or(format!("{}.1", area.number), |o| format!("{}.1", o.number));
    let mut fields = vec![
        Field::select(
            "objective_id",
            "Objective or workstream",
            with_none(
                "None: directly under the area",
                choices
                    .objectives
                    .iter()
                    .map(|o| Choice::new(o.id, format!("{} {}", o.number, truncate(&o.title, 90))))
                    .collect(),
            ),
        )
        .value(
            action
                .and_then(|a| a.objective_id)
                .map(|o| o.to_string())
                .unwrap_or_default(),
        ),
        Field::text("number", "Number")
            .hint(&format!(
                "Directly under the area or objective, for example {example}"
            ))
            .width("govuk-input--width-5")
            .value(action.map(|a| a.number.to_string()).unwrap_or_default()),
        Field::textarea("description", "What is the action?")
            .rows(4)
            .value(action.map_or("", |a| a.description.as_str())),
        Field::checkboxes("leads", "Leads", people.clone())
            .hint("Leads can post progress updates on this action")
            .checked(&action.map(|a| a.leads.clone()).unwrap_or_default()),
        Field::checkboxes("partner_people", "Partners: people (optional)", people)
            .checked(&action.map(|a| a.partner_people.clone()).unwrap_or_default()),
        Field::checkboxes(
            "partner_organisations",
            "Partners: organisations (optional)",
            choices
                .organisations
                .iter()
                .map(|o| Choice::new(o.id, o.name.clone()))
                .collect(),
        )
        .checked(
            &action
                .map(|a| a.partner_organisations.clone())
                .unwrap_or_default(),
        ),
        Field::resources(action.map_or(&[], |a| a.resources.as_slice())),
        Field::textarea("evidence_of_success", "Evidence of success (optional)")
            .value(action.map_or("", |a| a.evidence_of_success.as_str())),
        Field::textarea("impact_measures", "Impact measures (optional)")
            .hint("KPIs and targets as the plan states them")
            .value(action.map_or("", |a| a.impact_measures.as_str())),
        Field::textarea(
            "accountability_measures",
            "Accountability measures (optional)",
        )
        .value(action.map_or("", |a| a.written.accountability_measures.as_str())),
        Field::textarea("intended_outcome", "Intended outcome and impact (optional)")
            .value(action.map_or("", |a| a.written.intended_outcome.as_str())),
        Field::date("start_date", "Start date (optional)")
            .date_value(action.and_then(|a| a.start_date)),
        Field::date("completion_date", "Completion date (optional)")
            .date_value(action.and_then(|a| a.completion_date)),
        Field::checkboxes("depends_on", "Depends on these actions (optional)", others)
            .checked(&action.map(|a| a.depends_on.clone()).unwrap_or_default()),
    ];
    if let Some(a) = action {
        fields.push(Field::hidden("version", a.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        action_url,
        fields,
    )
    .caption(format!(
        "Area {} {}",
        area.number,
        truncate(&area.title, 100)
    ))
    .cancel(cancel)
}

fn parse_action(
    form: &RawForm,
    choices: &ActionChoices,
) -> Result<ActionInput, sendplan_domain::input::FieldErrors> {
    ActionInput::parse(form, |objective| match objective {
        None => Some(choices.area.number.clone()),
        Some(id) => choices
            .objectives
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.number.clone()),
    })
}

/// The new action form, for an action arising from a meeting when `arising` names one:
/// its words fill in the description, and saving records that it became this action.
async fn new_action_page(
    state: &AppState,
    ctx: &Ctx,
    choices: &ActionChoices,
    arising: Option<i64>,
) -> Result<FormPage, AppError> {
    let mut page = action_page(ctx, choices, None);
    let Some(outcome) = arising else {
        return Ok(page);
    };
    let arising = state
        .store
        .get_action_arising(ctx.pid(), sendplan_domain::OutcomeId(outcome))
        .await?;
    if arising.plan_id != choices.area.plan_id {
        return Err(AppError::NotFound);
    }
    page.set_value("description", &arising.text);
    page.fields.push(Field::hidden("arising", outcome));
    page.caption = format!(
        "Arising from {} on {}",
        arising.board,
        sendplan_domain::input::long_date(arising.held_on)
    );
    Ok(page)
}

fn arising_of(pairs: &[(String, String)]) -> Option<i64> {
    pairs
        .iter()
        .find(|(k, _)| k == "arising")
        .and_then(|(_, v)| v.parse().ok())
}

pub async fn new_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let choices = action_choices(&state, &ctx, AreaId(id)).await?;
    html(&new_action_page(&state, &ctx, &choices, arising_of(&query)).await?)
}

pub async fn create_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let arising = arising_of(&pairs);
    let form = RawForm(pairs);
    let choices = action_choices(&state, &ctx, AreaId(id)).await?;
    let page = new_action_page(&state, &ctx, &choices, arising).await?;
    let input = match parse_action(&form, &choices) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let created = match arising {
        Some(outcome) => {
            state
                .store
                .create_action_arising(
                    ctx.actor(),
                    ctx.pid(),
                    choices.area.id,
                    &input,
                    ctx.today,
                    sendplan_domain::OutcomeId(outcome),
                )
                .await
        }
        None => {
            state
                .store
                .create_action(ctx.actor(), ctx.pid(), choices.area.id, &input, ctx.today)
                .await
        }
    };
    match created {
        Ok(id) => Ok(saved(
            &state,
            &format!("{}/actions/{id}", ctx.base()),
            &format!("Action {} added", input.number),
        )),
        Err(StoreError::Conflict) => page.with_errors(
            &form,
            sendplan_domain::input::FieldErrors::single(
                "description",
                "Someone else has already added this action arising to the plan, so it has not been added twice",
            ),
        ),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    let choices = action_choices(&state, &ctx, action.area_id).await?;
    html(&action_page(&ctx, &choices, Some(&action)).delete_link(
        "Delete this action",
        crate::handlers::lifecycle::delete_href(&ctx, RecordKind::Action, action.id),
    ))
}

pub async fn update_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    let choices = action_choices(&state, &ctx, action.area_id).await?;
    let page = action_page(&ctx, &choices, Some(&action));
    let mut input = match parse_action(&form, &choices) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    input.keep_written_text(&action);
    let href = format!("{}/actions/{}", ctx.base(), action.id);
    match state
        .store
        .update_action(ctx.actor(), ctx.pid(), action.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &href,
            &format!("Action {} saved", input.number),
        )),
        Err(StoreError::Conflict) => page.with_conflict(&form, action.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

/// A value sendplan read, followed by the plan's own words when they differ.
fn as_written(value: String, written: &str) -> String {
    if written.is_empty() || written == value {
        value
    } else {
        format!("{value}\nThe plan says: {written}")
    }
}

/// A date row, with the plan's wording and a tag when sendplan could only partly read it.
fn date_row(key: &str, date: Option<time::Date>, written: &str) -> SummaryRow {
    let mut row = SummaryRow::new(key, as_written(date_or(date, "Not set"), written));
    if !written.is_empty() && sendplan_domain::dates::PlanDate::parse(written).needs_review {
        row.tags.push(Tag::new("Check this date", "yellow"));
    }
    row
}

/// Whether the signed-in member leads this action.
fn leads(ctx: &Ctx, action: &Action) -> bool {
    ctx.person.is_some_and(|p| action.leads.contains(&p))
}

pub async fn show_action(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    let overview = state
        .store
        .plan_overview(ctx.pid(), action.plan_id, ctx.today)
        .await?;
    let row = overview
        .actions
        .iter()
        .find(|r| r.id == action.id)
        .ok_or(AppError::NotFound)?;

    // Delivery against impact: an action rated on track while a measure it is meant to
    // move (directly, or through its area) is off its trajectory.
    let mut off_track_measures = Vec::new();
    let plan_measures = state.store.plan_measures(ctx.pid(), action.plan_id).await?;
    for measure in &plan_measures.measures {
        if measure.actions.contains(&action.id) || measure.areas.contains(&action.area_id) {
            let (_, status, _) =
                super::measures::assess(measure, plan_measures.values_of(measure.id));
            if status == Some(sendplan_domain::measures::MeasureStatus::OffTrack) {
                off_track_measures.push(measure.name.clone());
            }
        }
    }
    let delivery_on_track =
        sendplan_domain::measures::delivery_on_track(row.rating.as_ref().map(|r| r.class));
    let people_list = state.store.list_people(ctx.pid()).await?;
    let people: HashMap<PersonId, &Person> = people_list.iter().map(|p| (p.id, p)).collect();
    let organisations = state.store.list_organisations(ctx.pid()).await?;
    let milestones = state.store.list_milestones(ctx.pid(), action.id).await?;
    let updates = state.store.list_updates(ctx.pid(), action.id).await?;
    let area = overview.areas.iter().find(|a| a.id == action.area_id);
    let objective = action
        .objective_id
        .and_then(|o| overview.objectives.iter().find(|x| x.id == o));
    let ratings: HashMap<RatingId, _> = overview.ratings.iter().map(|r| (r.id, r)).collect();
    let editable = ctx.can(Capability::EditPlans);

    let mut summary = vec![SummaryRow::new(
        "Area",
        area.map(|a| format!("{} {}", a.number, a.title))
            .unwrap_or_default(),
    )];
    if let Some(o) = objective {
        summary.push(SummaryRow::new(
            "Objective",
            format!("{} {}", o.number, o.title),
        ));
        if !o.i_statement.is_empty() {
            summary.push(SummaryRow::new("I statement", o.i_statement.clone()));
        }
        if !o.milestones.is_empty() {
            summary.push(SummaryRow::new(
                "Objective milestones",
                o.milestones.clone(),
            ));
        }
        if !o.impact_indicators.is_empty() {
            summary.push(SummaryRow::new(
                "Impact indicators",
                o.impact_indicators.clone(),
            ));
        }
    }
    let partners: Vec<String> = action
        .partner_people
        .iter()
        .filter_map(|p| people.get(p).map(|p| p.display_name()))
        .chain(action.partner_organisations.iter().filter_map(|o| {
            organisations
                .iter()
                .find(|x| x.id == *o)
                .map(|o| o.name.clone())
        }))
        .collect();
    let resources: Vec<String> = action
        .resources
        .iter()
        .map(|r| match r.amount_pence {
            Some(p) => format!(
                "{} ({}): {}",
                r.description,
                r.kind.label().to_lowercase(),
                format_pounds(p)
            ),
            None => format!("{} ({})", r.description, r.kind.label().to_lowercase()),
        })
        .collect();
    let dependencies: Vec<String> = action
        .depends_on
        .iter()
        .filter_map(|d| overview.actions.iter().find(|r| r.id == *d))
        .map(|r| {
            format!(
                "{} {} ({})",
                r.number,
                truncate(&r.description, 80),
                r.rating
                    .as_ref()
                    .map_or("no update yet", |x| x.label.as_str())
            )
        })
        .collect();
    summary.extend([
        SummaryRow::new(
            "Leads",
            as_written(lead_names(&action.leads, &people), &action.written.lead),
        ),
        SummaryRow::new(
            "Partners",
            as_written(partners.join("\n"), &action.written.partners),
        ),
        SummaryRow::new("Resources", resources.join("\n")),
        SummaryRow::new("Evidence of success", action.evidence_of_success.clone()),
        SummaryRow::new(
            "Accountability measures",
            action.written.accountability_measures.clone(),
        ),
        SummaryRow::new(
            "Intended outcome and impact",
            action.written.intended_outcome.clone(),
        ),
        SummaryRow::new("Impact measures", action.impact_measures.clone()),
        date_row("Start date", action.start_date, &action.written.start),
        date_row(
            "Completion date",
            action.completion_date,
            &action.written.completion,
        ),
        SummaryRow::new("Depends on", dependencies.join("\n")),
    ]);
    // Columns of the tracker it was imported from that sendplan has no field for.
    for (name, value) in state.store.list_extra_fields(ctx.pid(), action.id).await? {
        summary.push(SummaryRow::new(&name, value));
    }
    if !off_track_measures.is_empty() {
        summary.push(SummaryRow::new(
            "Measures off their trajectory",
            off_track_measures.join("\n"),
        ));
    }
    let milestone_views = milestones
        .iter()
        .map(|m| MilestoneView {
            title: m.title.clone(),
            due: as_written(date_or(m.due_date, "No date"), &m.due_text),
            criteria: m.success_criteria.clone(),
            status: match m.done_date {
                Some(done) => Tag::new(format!("Done {}", long_date(done)), "green"),
                None if milestone_overdue(m.due_date, None, ctx.today) => {
                    Tag::new("Overdue", "red")
                }
                None => Tag::new("Not done", "grey"),
            },
            evidence: m.done_evidence.clone(),
            edit_href: if editable {
                format!("{}/milestones/{}/edit", ctx.base(), m.id)
            } else {
                String::new()
            },
            done_href: if m.done_date.is_none()
                && ctx.access.can_update_action(leads(&ctx, &action))
            {
                format!("{}/milestones/{}/done", ctx.base(), m.id)
            } else {
                String::new()
            },
        })
        .collect();
    let dates: HashMap<UpdateId, Date> = updates.iter().map(|u| (u.id, u.update_date)).collect();
    let update_views = updates
        .iter()
        .map(|u| {
            // Leads put right only what they wrote; managers anything.
            let may_correct = u.counts()
                && (ctx.can(Capability::UpdateAnyAction)
                    || (u.author == ctx.signed_in.user.id
                        && ctx.access.can_update_action(leads(&ctx, &action))));
            let mut notes = Vec::new();
            if let Some(original) = u.corrects.and_then(|c| dates.get(&c)) {
                notes.push(format!("Corrects the update of {}", long_date(*original)));
            }
            if let Some(s) = &u.superseded {
                notes.push(format!(
                    "{} by {} on {}: {}",
                    if s.replacement.is_some() {
                        "Corrected"
                    } else {
                        "Withdrawn"
                    },
                    s.by_name,
                    long_date(s.at.date()),
                    s.reason
                ));
            }
            UpdateView {
                // A rating from a tracker's dated column says the date as the heading
                // wrote it ("May 20"), beside the date read from it.
                date: match &u.as_written {
                    Some(written) => {
                        format!("{} (\u{201c}{written}\u{201d})", long_date(u.update_date))
                    }
                    None => long_date(u.update_date),
                },
                author: u.author_name.clone(),
                rating: Tag::rating(ratings.get(&u.rating_id).copied()),
                narrative: u.narrative.clone(),
                links: u.evidence_links.clone(),
                counts: u.counts(),
                notes,
                correct_href: if may_correct {
                    format!("{}/updates/{}/correct", ctx.base(), u.id)
                } else {
                    String::new()
                },
                withdraw_href: if may_correct {
                    format!("{}/updates/{}/withdraw", ctx.base(), u.id)
                } else {
                    String::new()
                },
            }
        })
        .collect();
    html(&ActionPage {
        chrome: Chrome::for_ctx(&ctx, format!("Action {}", action.number), "overview"),
        heading: format!("{} {}", action.number, truncate(&action.description, 200)),
        caption: overview.plan.title.clone(),
        plan_href: format!("{}/plans/{}", ctx.base(), action.plan_id),
        rating: Tag::rating(row.rating.as_ref()),
        flags: {
            let mut flags = Tag::flags(&row.flags);
            if delivery_on_track && !off_track_measures.is_empty() {
                flags.push(Tag::new(
                    "On track for delivery, off track for impact",
                    "red",
                ));
            }
            flags
        },
        summary,
        milestones: milestone_views,
        updates: update_views,
        update_href: if ctx.access.can_update_action(leads(&ctx, &action)) {
            format!("{}/actions/{}/updates/new", ctx.base(), action.id)
        } else {
            String::new()
        },
        edit_href: if editable {
            format!("{}/actions/{}/edit", ctx.base(), action.id)
        } else {
            String::new()
        },
        add_milestone_href: if editable {
            format!("{}/actions/{}/milestones/new", ctx.base(), action.id)
        } else {
            String::new()
        },
        delete_href: if editable {
            super::lifecycle::delete_href(&ctx, RecordKind::Action, action.id)
        } else {
            String::new()
        },
    })
}

fn update_page(ctx: &Ctx, action: &Action, ratings: &[sendplan_domain::plan::Rating]) -> FormPage {
    let fields = vec![
        Field::radios("rating_id", "Rating", ratings.iter().map(|r| Choice::new(r.id, r.label.clone()).hint(r.meaning.clone())).collect()),
        Field::textarea("narrative", "What has happened since the last update?").rows(8).hint("Say what was done, what the impact has been, and what will happen next. Include figures where you have them."),
        Field::date("update_date", "Date of the update").hint("Usually today").date_value(Some(ctx.today)),
        Field::textarea("evidence_links", "Links to evidence (optional)").rows(3).hint("One web address per line, for example a board paper or minutes"),
    ];
    FormPage::new(
        Chrome::for_ctx(ctx, "Post an update", "overview"),
        "Post an update",
        format!("{}/actions/{}/updates/new", ctx.base(), action.id),
        fields,
    )
    .caption(format!(
        "Action {} {}",
        action.number,
        truncate(&action.description, 120)
    ))
    .submit("Post update")
    .cancel(format!("{}/actions/{}", ctx.base(), action.id))
}

async fn updatable_action(state: &AppState, ctx: &Ctx, id: i64) -> Result<Action, AppError> {
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    if ctx.access.can_update_action(leads(ctx, &action)) {
        Ok(action)
    } else {
        Err(ctx.refuse(Capability::UpdateAnyAction))
    }
}

pub async fn new_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let action = updatable_action(&state, &ctx, id).await?;
    let ratings = state.store.list_ratings(ctx.pid(), action.plan_id).await?;
    html(&update_page(&ctx, &action, &ratings))
}

pub async fn submit_action_update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let action = updatable_action(&state, &ctx, id).await?;
    let ratings = state.store.list_ratings(ctx.pid(), action.plan_id).await?;
    let form = RawForm(pairs);
    let page = update_page(&ctx, &action, &ratings);
    let ids: Vec<RatingId> = ratings.iter().map(|r| r.id).collect();
    let input = match UpdateInput::parse(&form, &ids, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_update(ctx.actor(), ctx.pid(), action.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/actions/{}", ctx.base(), action.id),
            &format!("Update posted on action {}", action.number),
        )),
        Err(error) => refused(page, &form, error),
    }
}

fn milestone_page(ctx: &Ctx, action: &Action, milestone: Option<&Milestone>) -> FormPage {
    let (heading, url) = match milestone {
        Some(m) => (
            "Change milestone".to_owned(),
            format!("{}/milestones/{}/edit", ctx.base(), m.id),
        ),
        None => (
            "Add a milestone".to_owned(),
            format!("{}/actions/{}/milestones/new", ctx.base(), action.id),
        ),
    };
    let mut fields = vec![
        Field::textarea("title", "Milestone")
            .rows(3)
            .value(milestone.map_or("", |m| m.title.as_str())),
        Field::date("due_date", "Due date (optional)")
            .date_value(milestone.and_then(|m| m.due_date)),
        Field::textarea("success_criteria", "Success criteria (optional)")
            .rows(3)
            .value(milestone.map_or("", |m| m.success_criteria.as_str())),
        Field::date("done_date", "Date it was done")
            .hint("Leave empty until it is done")
            .date_value(milestone.and_then(|m| m.done_date)),
        Field::textarea("done_evidence", "What shows it was done (optional)")
            .rows(3)
            .value(milestone.map_or("", |m| m.done_evidence.as_str())),
    ];
    if let Some(m) = milestone {
        fields.push(Field::hidden("version", m.version));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        url,
        fields,
    )
    .caption(format!(
        "Action {} {}",
        action.number,
        truncate(&action.description, 120)
    ))
    .cancel(format!("{}/actions/{}", ctx.base(), action.id))
}

pub async fn new_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    html(&milestone_page(&ctx, &action, None))
}

pub async fn create_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let action = state.store.get_action(ctx.pid(), ActionId(id)).await?;
    let page = milestone_page(&ctx, &action, None);
    let input = match MilestoneInput::parse(&form, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_milestone(ctx.actor(), ctx.pid(), action.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/actions/{}", ctx.base(), action.id),
            "Milestone added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let milestone = state
        .store
        .get_milestone(ctx.pid(), MilestoneId(id))
        .await?;
    let action = state
        .store
        .get_action(ctx.pid(), milestone.action_id)
        .await?;
    html(
        &milestone_page(&ctx, &action, Some(&milestone)).delete_link(
            "Delete this milestone",
            crate::handlers::lifecycle::delete_href(&ctx, RecordKind::Milestone, milestone.id),
        ),
    )
}

pub async fn update_milestone(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let milestone = state
        .store
        .get_milestone(ctx.pid(), MilestoneId(id))
        .await?;
    let action = state
        .store
        .get_action(ctx.pid(), milestone.action_id)
        .await?;
    let page = milestone_page(&ctx, &action, Some(&milestone));
    let mut input = match MilestoneInput::parse(&form, ctx.today) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    // The wording the plan used for the due date stays while the date itself is unchanged.
    if input.due_date == milestone.due_date {
        input.due_text = milestone.due_text.clone();
    }
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
        Ok(()) => Ok(saved(&state, &href, "Milestone saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, milestone.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

/// The actions the signed-in member leads, across every plan, most urgent first.
pub async fn list_my_actions(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let mut rows = Vec::new();
    if let Some(me) = ctx.person {
        for plan in state.store.list_plans(ctx.pid()).await? {
            let overview = state
                .store
                .plan_overview(ctx.pid(), plan.id, ctx.today)
                .await?;
            for row in overview
                .actions
                .iter()
                .filter(|a| a.leads.contains(&me) && !a.flags.complete)
            {
                rows.push((plan.title.clone(), row.clone()));
            }
        }
    }
    rows.sort_by_key(|(_, r)| {
        (
            !r.flags.overdue,
            r.flags.overdue_milestones == 0,
            !r.flags.needs_update,
            r.completion_date.is_none(),
            r.completion_date,
        )
    });
    let cells = rows
        .iter()
        .map(|(plan, r)| {
            vec![
                Cell::link(
                    format!("{} {}", r.number, truncate(&r.description, 120)),
                    format!("{}/actions/{}", ctx.base(), r.id),
                ),
                Cell::text(plan.clone()),
                Cell::text(date_or(r.completion_date, "No date")),
                Cell::tags(vec![Tag::rating(r.rating.as_ref())]),
                Cell::tags(Tag::flags(&r.flags)),
            ]
        })
        .collect();
    let intro = match ctx.person {
        Some(_) => "Actions you lead that are not complete: what is overdue or needs an update comes first.",
        None => "Your account is not linked to a person in this partnership's plans, so sendplan cannot tell which actions you lead. Ask an administrator to link it on the Members page.",
    };
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "My actions", "my-actions"),
        heading: "My actions".to_owned(),
        caption: ctx.partnership.name.clone(),
        intro: intro.to_owned(),
        buttons: vec![],
        head: vec!["Action", "Plan", "Due", "Rating", "Needs attention"],
        rows: cells,
        empty: "You have no open actions.".to_owned(),
        more_href: String::new(),
    })
}
