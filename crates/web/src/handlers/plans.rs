//! Plans: creating and editing them, their rating scheme, and the plan page.

use super::{refused, saved, version_of, FormPairs};
use crate::auth::Ctx;
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{
    html, ActionGroup, ActionLine, AreaView, FormPage, PlanBody, PlanPage, TablePage,
};
use crate::views::{
    attention_links, date_or, rating_tiles, Cell, Chrome, LinkButton, SummaryRow, Tag,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use sendplan_domain::access::Capability;
use sendplan_domain::flags::is_off_track;
use sendplan_domain::input::{long_date, PlanInput, RatingInput, RawForm};
use sendplan_domain::inspection::Inspection;
use sendplan_domain::partnership::Person;
use sendplan_domain::plan::{Plan, PlanKind, PlanStatus, Rating, DEFAULT_STALE_AFTER_DAYS};
use sendplan_domain::rating::{RatingClass, RatingPreset, TagColour};
use sendplan_domain::{PersonId, PlanId, RatingId};
use sendplan_storage::{ActionRow, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

fn plan_page(ctx: &Ctx, plan: Option<&Plan>, inspections: &[Inspection]) -> FormPage {
    let (heading, action, cancel) = match plan {
        Some(p) => (
            "Edit plan details".to_owned(),
            format!("{}/plans/{}/edit", ctx.base(), p.id),
            format!("{}/plans/{}", ctx.base(), p.id),
        ),
        None => (
            "Create a plan".to_owned(),
            format!("{}/plans/new", ctx.base()),
            ctx.base(),
        ),
    };
    let mut fields = vec![
        Field::radios(
            "kind",
            "Kind of plan",
            PlanKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        )
        .value(plan.map_or("", |p| p.kind.code())),
        Field::text("title", "Title")
            .hint("For example, Written Statement of Action 2022 to 2023")
            .value(plan.map_or("", |p| p.title.as_str())),
        Field::date("period_start", "Start of the plan's period (optional)")
            .date_value(plan.and_then(|p| p.period_start)),
        Field::date("period_end", "End of the plan's period (optional)")
            .date_value(plan.and_then(|p| p.period_end)),
        Field::select(
            "inspection_id",
            "Inspection this plan answers",
            with_none(
                "None",
                inspections
                    .iter()
                    .map(|i| Choice::new(i.id, i.title()))
                    .collect(),
            ),
        )
        .value(
            plan.and_then(|p| p.inspection_id)
                .map(|i| i.to_string())
                .unwrap_or_default(),
        ),
        Field::radios(
            "status",
            "Status",
            PlanStatus::ALL
                .iter()
                .map(|s| Choice::new(s.code(), s.label()))
                .collect(),
        )
        .value(plan.map_or(PlanStatus::Draft.code(), |p| p.status.code())),
        Field::text(
            "stale_after_days",
            "Days without an update before an action is flagged",
        )
        .hint("42 days (6 weeks) suits a 6-weekly reporting cycle")
        .width("govuk-input--width-3")
        .value(plan.map_or(DEFAULT_STALE_AFTER_DAYS, |p| p.stale_after_days)),
    ];
    match plan {
        Some(p) => fields.push(Field::hidden("version", p.version)),
        None => fields.push(
            Field::radios(
                "rating_preset",
                "Rating scheme",
                RatingPreset::ALL
                    .iter()
                    .map(|r| Choice::new(r.code(), r.label()))
                    .collect(),
            )
            .hint("You can rename, recolour and add ratings afterwards."),
        ),
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        action,
        fields,
    )
    .cancel(cancel)
}

pub async fn new_plan(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&plan_page(
        &ctx,
        None,
        &state.store.list_inspections(ctx.pid()).await?,
    ))
}

pub async fn create_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = plan_page(&ctx, None, &state.store.list_inspections(ctx.pid()).await?);
    let input = match PlanInput::parse(&form, true) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let ratings = input.rating_preset.unwrap_or(RatingPreset::Rag).ratings();
    match state
        .store
        .create_plan(ctx.actor(), ctx.pid(), &input, &ratings)
        .await
    {
        Ok(id) => Ok(saved(
            &state,
            &format!("{}/plans/{id}", ctx.base()),
            "Plan created. Now add its areas.",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    html(&plan_page(
        &ctx,
        Some(&plan),
        &state.store.list_inspections(ctx.pid()).await?,
    ))
}

pub async fn update_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let page = plan_page(
        &ctx,
        Some(&plan),
        &state.store.list_inspections(ctx.pid()).await?,
    );
    let input = match PlanInput::parse(&form, false) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}", ctx.base(), plan.id);
    match state
        .store
        .update_plan(ctx.actor(), ctx.pid(), plan.id, version_of(&form), &input)
        .await
    {
        Ok(()) => Ok(saved(&state, &href, "Plan details saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, plan.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

/// What the plan page's filter form asks for.
struct PlanFilters {
    area: Option<i64>,
    lead: Option<PersonId>,
    rating: String,
    show: Vec<String>,
}

impl PlanFilters {
    fn parse(query: &RawForm) -> Self {
        PlanFilters {
            area: query.get("area").parse().ok(),
            lead: query.get("lead").parse().ok(),
            rating: query.get("rating").to_owned(),
            show: query.all("show").into_iter().map(str::to_owned).collect(),
        }
    }

    fn is_active(&self) -> bool {
        self.area.is_some()
            || self.lead.is_some()
            || !self.rating.is_empty()
            || !self.show.is_empty()
    }

    fn keeps(&self, row: &ActionRow) -> bool {
        let rating_matches = match self.rating.split_once(':') {
            Some(("class", code)) => row.rating.as_ref().is_some_and(|r| r.class.code() == code),
            Some(("rating", id)) => row.rating.as_ref().is_some_and(|r| r.id.to_string() == id),
            _ if self.rating == "unrated" => row.rating.is_none(),
            _ => true,
        };
        let flag = |name: &str, set: bool| !self.show.iter().any(|s| s == name) || set;
        self.area.is_none_or(|a| row.area_id.0 == a)
            && self.lead.is_none_or(|l| row.leads.contains(&l))
            && rating_matches
            && flag("overdue", row.flags.overdue)
            && flag("stale", row.flags.needs_update)
            && flag("blocked", row.flags.waiting)
            && flag(
                "off-track",
                is_off_track(&row.flags, row.rating.as_ref().map(|r| r.class)),
            )
            && flag("milestones", row.flags.overdue_milestones > 0)
    }
}

/// Leads' names for a table cell.
pub fn lead_names(leads: &[PersonId], people: &HashMap<PersonId, &Person>) -> String {
    let names: Vec<String> = leads
        .iter()
        .filter_map(|id| people.get(id))
        .map(|p| p.display_name())
        .collect();
    if names.is_empty() {
        "No lead".to_owned()
    } else {
        names.join(", ")
    }
}

/// The plan page: areas, objectives and actions with their ratings and flags, filterable.
pub async fn show_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    // The body depends only on the data, the day, the filters and whether the viewer may
    // edit; it is rebuilt when any of those change (see sendplan_storage::ReadCache).
    let version = state.store.data_version(ctx.pid()).await?;
    let editable = ctx.can(Capability::EditPlans);
    let key = format!("plan:{}:{id}:{}:{editable}:{query:?}", ctx.pid(), ctx.today);
    let page = state
        .fragments
        .get_or_build(key, version, || {
            plan_body(&state, &ctx, PlanId(id), RawForm(query))
        })
        .await?;
    let archive = state.store.plan_archive(ctx.pid(), PlanId(id)).await?;
    html(&PlanPage {
        chrome: Chrome::for_ctx(&ctx, page.title.clone(), "overview"),
        body: page.body.clone(),
        archived: archive.as_ref().map_or(String::new(), |a| {
            format!(
                "Archived on {}{}: {}",
                long_date(a.at.date()),
                if a.by_name.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", a.by_name)
                },
                a.reason
            )
        }),
        unarchive_href: if archive.is_some() && editable {
            format!("{}/plans/{id}/unarchive", ctx.base())
        } else {
            String::new()
        },
    })
}

/// A rendered page body and the title that goes with it.
pub(super) struct CachedPage {
    pub(super) title: String,
    pub(super) body: Arc<String>,
}

async fn plan_body(
    state: &AppState,
    ctx: &Ctx,
    id: PlanId,
    query: RawForm,
) -> Result<CachedPage, crate::errors::AppError> {
    let overview = state.store.plan_overview(ctx.pid(), id, ctx.today).await?;
    let archived = state.store.plan_archive(ctx.pid(), id).await?.is_some();
    let people_list = state.store.people(ctx.pid()).await?;
    let people: HashMap<PersonId, &Person> = people_list.iter().map(|p| (p.id, p)).collect();
    let findings = state
        .store
        .list_findings(ctx.pid(), overview.plan.inspection_id)
        .await?;
    let filters = PlanFilters::parse(&query);
    let plan = &overview.plan;
    let base = format!("{}/plans/{}", ctx.base(), plan.id);
    let editable = ctx.can(Capability::EditPlans);

    let area_progress = state.store.list_area_progress(ctx.pid(), plan.id).await?;
    let mut shown = 0;
    let mut areas = Vec::new();
    for area in &overview.areas {
        let mut details = vec![
            SummaryRow::new(
                "Senior responsible officer",
                area.senior_responsible_officer
                    .and_then(|p| people.get(&p))
                    .map(|p| p.display_name())
                    .unwrap_or_default(),
            ),
            SummaryRow::new("Outcomes we will strive for", area.outcomes.clone()),
        ];
        for finding in findings.iter().filter(|f| area.findings.contains(&f.id)) {
            details.push(SummaryRow::new(
                format!("Answers this {}", finding.kind.label().to_lowercase()),
                finding.text.clone(),
            ));
        }
        let line = |row: &ActionRow| ActionLine {
            number: row.number.to_string(),
            href: format!("{}/actions/{}", ctx.base(), row.id),
            description: row.description.clone(),
            leads: lead_names(&row.leads, &people),
            due: date_or(row.completion_date, "No date"),
            rating: Tag::rating(row.rating.as_ref()),
            flags: Tag::flags(&row.flags),
        };
        let in_area: Vec<&ActionRow> = overview
            .actions
            .iter()
            .filter(|a| a.area_id == area.id && filters.keeps(a))
            .collect();
        let mut groups = vec![ActionGroup {
            heading: String::new(),
            i_statement: String::new(),
            edit_href: String::new(),
            lines: in_area
                .iter()
                .filter(|a| a.objective_id.is_none())
                .map(|a| line(a))
                .collect(),
        }];
        for objective in overview.objectives.iter().filter(|o| o.area_id == area.id) {
            groups.push(ActionGroup {
                heading: format!("{} {}", objective.number, objective.title),
                i_statement: objective.i_statement.clone(),
                edit_href: if editable {
                    format!("{}/objectives/{}/edit", ctx.base(), objective.id)
                } else {
                    String::new()
                },
                lines: in_area
                    .iter()
                    .filter(|a| a.objective_id == Some(objective.id))
                    .map(|a| line(a))
                    .collect(),
            });
        }
        shown += in_area.len();
        areas.push(AreaView {
            id: area.id.to_string(),
            heading: format!("{} {}", area.number, area.title),
            details,
            edit_href: if editable {
                format!("{}/areas/{}/edit", ctx.base(), area.id)
            } else {
                String::new()
            },
            add_objective_href: format!("{}/areas/{}/objectives/new", ctx.base(), area.id),
            add_action_href: format!("{}/areas/{}/actions/new", ctx.base(), area.id),
            groups,
            shown: in_area.len(),
            progress: area_progress
                .iter()
                .rev()
                .filter(|p| p.area_id == area.id)
                .map(|p| crate::pages::AreaProgressView {
                    date: long_date(p.update_date),
                    about: p
                        .objective_id
                        .and_then(|o| overview.objectives.iter().find(|x| x.id == o))
                        .map(|o| format!("Objective {}", o.number))
                        .unwrap_or_default(),
                    rating: p
                        .rating_id
                        .map(|r| Tag::rating(overview.ratings.iter().find(|x| x.id == r))),
                    narrative: p.narrative.clone(),
                    author: p.author_name.clone(),
                })
                .collect(),
            add_progress_href: if editable {
                format!("{}/areas/{}/progress/new", ctx.base(), area.id)
            } else {
                String::new()
            },
        });
    }

    let plan_href = format!("{}/plans/{}", ctx.base(), plan.id);
    let count_list = rating_tiles(&overview.counts(), &plan_href);
    let attention = attention_links(&overview.attention(), &plan_href, plan.stale_after_days);
    let mut lead_ids: Vec<PersonId> = overview
        .actions
        .iter()
        .flat_map(|a| a.leads.iter().copied())
        .collect();
    lead_ids.sort();
    lead_ids.dedup();
    let mut rating_options = vec![
        Choice::new("", "Any rating"),
        Choice::new("unrated", sendplan_domain::rating::NOT_YET_RATED),
    ];
    rating_options.extend(overview.ratings.iter().map(|r| {
        Choice::new(
            format!("rating:{}", r.id),
            format!("{}: {}", r.label, r.meaning),
        )
    }));
    rating_options.extend(RatingClass::ALL.iter().map(|c| {
        Choice::new(
            format!("class:{}", c.code()),
            format!("Any rating meaning {}", c.label().to_lowercase()),
        )
    }));
    let filter_fields = vec![
        Field::select(
            "area",
            "Area",
            with_none(
                "All areas",
                overview
                    .areas
                    .iter()
                    .map(|a| Choice::new(a.id, format!("{} {}", a.number, truncate(&a.title, 80))))
                    .collect(),
            ),
        )
        .value(filters.area.map(|a| a.to_string()).unwrap_or_default()),
        Field::select(
            "lead",
            "Lead",
            with_none(
                "Anyone",
                lead_ids
                    .iter()
                    .filter_map(|id| people.get(id))
                    .map(|p| Choice::new(p.id, p.display_name()))
                    .collect(),
            ),
        )
        .value(filters.lead.map(|l| l.to_string()).unwrap_or_default()),
        Field::select("rating", "Current rating", rating_options).value(filters.rating.clone()),
        Field::checkboxes(
            "show",
            "Only show actions that are",
            vec![
                Choice::new(
                    "off-track",
                    "Off track: rated off track or some concerns, overdue, or behind on a milestone",
                ),
                Choice::new("overdue", "Overdue"),
                Choice::new("milestones", "Behind on a milestone"),
                Choice::new("stale", "Needing an update"),
                Choice::new("blocked", "Waiting on another action"),
            ],
        )
        .checked(&filters.show),
    ];
    let mut summary = vec![
        SummaryRow::new("Kind", plan.kind.label()),
        SummaryRow::new("Status", plan.status.label()),
        SummaryRow::new(
            "Period",
            format!(
                "{} to {}",
                date_or(plan.period_start, "not set"),
                date_or(plan.period_end, "not set")
            ),
        ),
    ];
    let (approval, _) = state.store.plan_approval(ctx.pid(), plan.id).await?;
    if !approval.is_empty() {
        let when = |d: Option<sendplan_domain::history::PartialDate>| {
            d.map_or("not known".to_owned(), |d| d.long())
        };
        let mut lines = vec![
            format!("Due to be submitted: {}", when(approval.submission_due)),
            format!("Submitted: {}", when(approval.submitted_on)),
            format!(
                "Approved: {}{}",
                when(approval.approved_on),
                if approval.approved_by.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", approval.approved_by)
                }
            ),
        ];
        if let Some(published) = approval.published_on {
            lines.push(format!("Published: {}", published.long()));
        }
        summary.push(SummaryRow::new("Submission and approval", lines.join("\n")));
    }
    let key: Vec<String> = overview
        .ratings
        .iter()
        .map(|r| format!("{}: {}", r.label, r.meaning))
        .collect();
    summary.push(SummaryRow {
        key: "Rating key".to_owned(),
        value: key.join("\n"),
        tags: vec![],
    });
    // The plan's other pages are in its navigation (`views::plan_nav`); here only what
    // is done to the plan itself.
    let mut buttons = Vec::new();
    if editable {
        buttons.push(LinkButton::primary(
            "Add an area",
            format!("{base}/areas/new"),
        ));
        buttons.push(LinkButton::secondary(
            "Edit plan details",
            format!("{base}/edit"),
        ));
    }
    let downloads = [("Excel", "xlsx"), ("CSV", "csv"), ("JSON", "json")]
        .into_iter()
        .map(|(label, format)| (label.to_owned(), format!("{base}/export?format={format}")))
        .collect();
    let body = PlanBody {
        plan_id: plan.id.0,
        heading: plan.title.clone(),
        caption: ctx.partnership.name.clone(),
        summary,
        counts: count_list,
        attention,
        downloads,
        filters: filter_fields,
        filtered: filters.is_active(),
        shown,
        total: overview.actions.len(),
        areas,
        buttons,
        archive_href: if editable && !archived {
            format!("{base}/archive")
        } else {
            String::new()
        },
        delete_href: if editable && state.store.plan_deletable(ctx.pid(), plan.id).await? {
            super::lifecycle::delete_href(
                ctx,
                sendplan_domain::lifecycle::RecordKind::Plan,
                plan.id,
            )
        } else {
            String::new()
        },
        clear_href: base,
    };
    Ok(CachedPage {
        title: plan.title.clone(),
        body: Arc::new(body.render()?),
    })
}

/// Shortens long text for a select option, on a character boundary.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

pub async fn list_ratings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let ratings = state.store.list_ratings(ctx.pid(), plan.id).await?;
    let editable = ctx.can(Capability::EditPlans);
    let rows = ratings
        .iter()
        .map(|r| {
            let tag = Cell::tags(vec![Tag::rating(Some(r))]);
            let edit = if editable {
                Cell::link("Change", format!("{}/ratings/{}/edit", ctx.base(), r.id))
            } else {
                Cell::text("")
            };
            vec![
                tag,
                Cell::text(r.meaning.clone()),
                Cell::text(r.class.label()),
                edit,
            ]
        })
        .collect();
    let mut buttons = Vec::new();
    if editable {
        buttons.push(LinkButton::primary(
            "Add a rating",
            format!("{}/plans/{}/ratings/new", ctx.base(), plan.id),
        ));
    }
    buttons.push(LinkButton::secondary(
        "Back to the plan",
        format!("{}/plans/{}", ctx.base(), plan.id),
    ));
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Rating scheme", "overview"),
        heading: "Rating scheme".to_owned(),
        caption: plan.title.clone(),
        intro: "Each rating belongs to this plan. \"Counts as\" is how sendplan compares it with other plans' ratings in totals and reports.".to_owned(),
        buttons,
        head: vec!["Rating", "Meaning", "Counts as", ""],
        rows,
        empty: "This plan has no ratings.".to_owned(),
        more_href: String::new(),
    })
}

fn rating_page(ctx: &Ctx, plan: &Plan, rating: Option<&Rating>) -> FormPage {
    let (heading, action) = match rating {
        Some(r) => (
            format!("Change rating {}", r.label),
            format!("{}/ratings/{}/edit", ctx.base(), r.id),
        ),
        None => (
            "Add a rating".to_owned(),
            format!("{}/plans/{}/ratings/new", ctx.base(), plan.id),
        ),
    };
    let mut fields = vec![
        Field::text("label", "Label")
            .hint("As the plan writes it, for example AMBER")
            .width("govuk-input--width-20")
            .value(rating.map_or("", |r| r.label.as_str())),
        Field::radios(
            "colour",
            "Colour",
            TagColour::ALL
                .iter()
                .map(|c| Choice::new(c.code(), c.label()))
                .collect(),
        )
        .value(rating.map_or("", |r| r.colour.code())),
        Field::text("meaning", "What it means")
            .hint("For example, action in progress, minor delays")
            .value(rating.map_or("", |r| r.meaning.as_str())),
        Field::radios(
            "class",
            "Counts as",
            RatingClass::ALL
                .iter()
                .map(|c| Choice::new(c.code(), c.label()))
                .collect(),
        )
        .value(rating.map_or("", |r| r.class.code())),
    ];
    if let Some(r) = rating {
        fields.push(Field::hidden("seen", seen_token(r)));
    }
    FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        action,
        fields,
    )
    .caption(plan.title.clone())
    .cancel(format!("{}/plans/{}/ratings", ctx.base(), plan.id))
}

pub async fn new_rating(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    html(&rating_page(&ctx, &plan, None))
}

pub async fn create_rating(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let page = rating_page(&ctx, &plan, None);
    let input = match RatingInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .add_rating(ctx.actor(), ctx.pid(), plan.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{}/ratings", ctx.base(), plan.id),
            "Rating added",
        )),
        Err(error) => refused(page, &form, error),
    }
}

async fn rating_and_plan(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(Rating, Plan), crate::errors::AppError> {
    for plan in state.store.list_plans(ctx.pid()).await? {
        if let Some(rating) = state
            .store
            .list_ratings(ctx.pid(), plan.id)
            .await?
            .into_iter()
            .find(|r| r.id == RatingId(id))
        {
            return Ok((rating, plan));
        }
    }
    Err(crate::errors::AppError::NotFound)
}

pub async fn edit_rating(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let (rating, plan) = rating_and_plan(&state, &ctx, id).await?;
    html(&rating_page(&ctx, &plan, Some(&rating)))
}

pub async fn update_rating(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (rating, plan) = rating_and_plan(&state, &ctx, id).await?;
    let page = rating_page(&ctx, &plan, Some(&rating));
    let input = match RatingInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let href = format!("{}/plans/{}/ratings", ctx.base(), plan.id);
    // Ratings have no version number: the form carries the rating as the editor saw it.
    let result = if form.get("seen") == seen_token(&rating).trim() {
        state
            .store
            .update_rating(ctx.actor(), ctx.pid(), rating.id, &rating, &input)
            .await
    } else {
        Err(StoreError::Conflict)
    };
    match result {
        Ok(()) => Ok(saved(&state, &href, "Rating saved")),
        Err(StoreError::Conflict) => page.with_conflict(&form, 0, &href),
        Err(error) => refused(page, &form, error),
    }
}

/// A rating as an editor saw it, to notice if someone else changes it meanwhile.
fn seen_token(rating: &Rating) -> String {
    format!(
        "{}|{}|{}|{}",
        rating.label,
        rating.colour.code(),
        rating.class.code(),
        rating.meaning
    )
}
