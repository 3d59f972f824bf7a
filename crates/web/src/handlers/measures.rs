//! Impact measures: the plan's list of measures with their status against trajectory,
//! adding a measure, recording values, and each measure's page with its chart.

use super::plans::truncate;
use super::{refused, saved, FormPairs};
use crate::auth::Ctx;
use crate::charts::{measure_chart, Chart, Figures, Plotted, Series};
use crate::errors::AppResult;
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, FormPage, MeasurePage, TablePage};
use crate::views::{date_or, Cell, Chrome, LinkButton, SummaryRow, Tag};
use crate::AppState;
use axum::extract::{Path, State};
use sendplan_domain::access::Capability;
use sendplan_domain::input::RawForm;
use sendplan_domain::measures::*;
use sendplan_domain::periods::Frequency;
use sendplan_domain::{MeasureId, PlanId};
use sendplan_storage::StoreError;

fn status_tag(status: Option<MeasureStatus>, has_value: bool) -> Tag {
    match status {
        Some(MeasureStatus::OnTrack) => Tag::new("On track", "green"),
        Some(MeasureStatus::SomeConcerns) => Tag::new("Some concerns", "orange"),
        Some(MeasureStatus::OffTrack) => Tag::new("Off track", "red"),
        None if has_value => Tag::new("Not rated", "grey"),
        None => Tag::new("No value yet", "grey"),
    }
}

fn trend_tag(trend: Option<Trend>) -> Option<Tag> {
    trend.map(|t| match t {
        Trend::Improving => Tag::new("Improving", "turquoise"),
        Trend::Stable => Tag::new("Stable", "grey"),
        Trend::Worsening => Tag::new("Worsening", "pink"),
    })
}

/// A measure's latest value, its status against the trajectory and its trend.
/// A measure's latest value, its status against the trajectory and its trend.
pub(super) fn assess(
    measure: &Measure,
    points: &[DataPoint],
) -> (Option<Point>, Option<MeasureStatus>, Option<Trend>) {
    let values: Vec<Point> = points.iter().map(DataPoint::point).collect();
    let latest = values.iter().max_by_key(|p| p.date).copied();
    let status = latest.and_then(|p| measure.trajectory.rate(p));
    let band = (measure.trajectory.tolerance / 2.0).max(f64::EPSILON);
    (
        latest,
        status,
        trend(&values, measure.trajectory.polarity, band),
    )
}

pub async fn list_measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let plan_measures = state.store.plan_measures(ctx.pid(), plan.id).await?;
    let measures = &plan_measures.measures;
    let mut rows = Vec::new();
    for measure in measures {
        let (latest, status, trend) = assess(measure, plan_measures.values_of(measure.id));
        let target = measure
            .trajectory
            .targets
            .last()
            .map(|t| {
                format!(
                    "{} by {}",
                    measure.unit.format(t.value),
                    date_or(Some(t.date), "")
                )
            })
            .unwrap_or_default();
        let mut tags = vec![status_tag(status, latest.is_some())];
        tags.extend(trend_tag(trend));
        rows.push(vec![
            Cell::link(
                measure.name.clone(),
                format!("{}/measures/{}", ctx.base(), measure.id),
            ),
            Cell::text(
                latest
                    .map(|p| measure.unit.format(p.value))
                    .unwrap_or_else(|| "None yet".to_owned()),
            ),
            Cell::text(target),
            Cell::tags(tags),
        ]);
    }
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Add a measure",
            format!("{}/plans/{}/measures/new", ctx.base(), plan.id),
        ));
        if state.store.has_local_offer(ctx.pid()).await? {
            buttons.push(LinkButton::secondary(
                "Add the Local Offer's measures",
                format!("{}/plans/{}/measures/local-offer", ctx.base(), plan.id),
            ));
        }
        if state.store.has_casework(ctx.pid()).await? {
            buttons.push(LinkButton::secondary(
                "Add the EHC timeliness measures",
                format!("{}/plans/{}/measures/casework", ctx.base(), plan.id),
            ));
        }
    }
    buttons.push(LinkButton::secondary(
        "Back to the plan",
        format!("{}/plans/{}", ctx.base(), plan.id),
    ));
    html(&TablePage {
        chrome: Chrome::for_ctx(&ctx, "Impact measures", "overview"),
        heading: "Impact measures".to_owned(),
        caption: plan.title.clone(),
        intro: "How the plan's impact is measured: each measure's latest value against the trajectory from its baseline to its target.".to_owned(),
        buttons,
        head: vec!["Measure", "Latest value", "Target", "Status"],
        rows,
        empty: "No measures have been added to this plan yet.".to_owned(),
        more_href: String::new(),
    })
}

async fn measure_form(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    measure: Option<&Measure>,
) -> Result<FormPage, crate::errors::AppError> {
    let people = state.store.people(ctx.pid()).await?;
    let overview = state
        .store
        .plan_overview(ctx.pid(), plan, ctx.today)
        .await?;
    let fields = vec![
        Field::text("name", "Name").hint("For example, longest wait for an autism diagnostic assessment"),
        Field::textarea("definition", "Definition (optional)").rows(3).hint("What is counted, from which source"),
        Field::radios("unit", "Unit", Unit::ALL.iter().map(|u| Choice::new(u.code(), u.label())).collect()),
        Field::radios("polarity", "Which way is better?", Polarity::ALL.iter().map(|p| Choice::new(p.code(), p.label())).collect()),
        Field::radios("frequency", "How often is it reported?", Frequency::ALL.iter().map(|f| Choice::new(f.code(), f.label())).collect()),
        Field::text("baseline_value", "Baseline value (optional)").width("govuk-input--width-10").hint("Leave the baseline blank if it has not been measured yet"),
        Field::date("baseline_date", "Date of the baseline (optional)"),
        Field::textarea("targets", "Targets").rows(3).hint("One per line, a date and a value, as the plan writes them: \"June 2023 = 125\". Interim targets make the trajectory. Until it has a baseline or a target, the measure is not rated."),
        Field::text("tolerance", "Tolerance (optional)").width("govuk-input--width-5").hint("How far behind the trajectory, in the measure's unit, still counts as \"some concerns\" rather than \"off track\""),
        Field::select("owner", "Owner (optional)", with_none("No owner", people.iter().map(|p| Choice::new(p.id, p.display_name())).collect())),
        Field::checkboxes("areas", "Areas it measures (optional)", overview.areas.iter().map(|a| Choice::new(a.id, format!("{} {}", a.number, truncate(&a.title, 90)))).collect()),
        Field::checkboxes("actions", "Actions meant to move it (optional)", overview.actions.iter().map(|a| Choice::new(a.id, format!("{} {}", a.number, truncate(&a.description, 90)))).collect()),
    ];
    let Some(m) = measure else {
        return Ok(FormPage::new(
            Chrome::for_ctx(ctx, "Add a measure", "overview"),
            "Add a measure",
            format!("{}/plans/{plan}/measures/new", ctx.base()),
            fields,
        )
        .caption(overview.plan.title.clone())
        .cancel(format!("{}/plans/{plan}/measures", ctx.base())));
    };
    let href = format!("{}/measures/{}", ctx.base(), m.id);
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Change a measure", "overview"),
        "Change a measure",
        format!("{href}/edit"),
        fields,
    )
    .caption(overview.plan.title.clone())
    .cancel(href);
    // The form as the measure is now. Numbers are written plainly (no "%" or "weeks") and
    // target dates as days, which the form reads back to the same values.
    let t = &m.trajectory;
    let plain = |v: f64| format!("{v}");
    page.set_value("name", &m.name);
    page.set_value("definition", &m.definition);
    page.set_value("unit", m.unit.code());
    page.set_value("polarity", t.polarity.code());
    page.set_value("frequency", m.frequency.code());
    if let Some(b) = t.baseline {
        page.set_value("baseline_value", plain(b.value));
    }
    let targets: Vec<String> = t
        .targets
        .iter()
        .map(|p| {
            format!(
                "{:02}/{:02}/{} = {}",
                p.date.day(),
                u8::from(p.date.month()),
                p.date.year(),
                plain(p.value)
            )
        })
        .collect();
    page.set_value("targets", targets.join("\n"));
    page.set_value("tolerance", plain(t.tolerance));
    if let Some(owner) = m.owner {
        page.set_value("owner", owner);
    }
    for field in page.fields.iter_mut() {
        match field.name.as_str() {
            "baseline_date" => *field = field.clone().date_value(t.baseline.map(|b| b.date)),
            "areas" => *field = field.clone().checked(&m.areas),
            "actions" => *field = field.clone().checked(&m.actions),
            _ => {}
        }
    }
    page.fields.push(Field::hidden("version", m.version));
    Ok(page.delete_link(
        "Delete this measure",
        super::lifecycle::delete_href(ctx, sendplan_domain::lifecycle::RecordKind::Measure, m.id),
    ))
}

pub async fn edit_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    html(&measure_form(&state, &ctx, measure.plan_id, Some(&measure)).await?)
}

pub async fn update_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    let form = RawForm(pairs);
    let page = measure_form(&state, &ctx, measure.plan_id, Some(&measure)).await?;
    let mut input = match MeasureInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    // Where its values come from is not a choice on the form.
    input.source = measure.source;
    let href = format!("{}/measures/{}", ctx.base(), measure.id);
    match state
        .store
        .update_measure(
            ctx.actor(),
            ctx.pid(),
            measure.id,
            super::version_of(&form),
            &input,
        )
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &href,
            &format!("Measure saved: {}", input.name),
        )),
        Err(StoreError::Conflict) => page.with_conflict(&form, measure.version, &href),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn new_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    html(&measure_form(&state, &ctx, plan.id, None).await?)
}

pub async fn create_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(id)).await?;
    let form = RawForm(pairs);
    let page = measure_form(&state, &ctx, plan.id, None).await?;
    let input = match MeasureInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_measure(ctx.actor(), ctx.pid(), plan.id, &input)
        .await
    {
        Ok(measure) => Ok(saved(
            &state,
            &format!("{}/measures/{measure}", ctx.base()),
            &format!("Measure added: {}", input.name),
        )),
        Err(error) => refused(page, &form, error),
    }
}

/// Who may record values: plan managers, and leads of an action the measure is linked to.
pub(super) async fn may_record(
    state: &AppState,
    ctx: &Ctx,
    measure: &Measure,
) -> Result<bool, crate::errors::AppError> {
    if ctx.can(Capability::UpdateAnyAction) {
        return Ok(true);
    }
    let Some(me) = ctx.person else {
        return Ok(false);
    };
    for action in &measure.actions {
        if state
            .store
            .get_action(ctx.pid(), *action)
            .await?
            .leads
            .contains(&me)
            && ctx.can(Capability::UpdateOwnActions)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Comparator figures as a table: a row per period, a column per series; suppressed
/// figures say so rather than showing a gap or a zero.
fn comparator_table(comparators: &[Comparator], unit: Unit) -> (Vec<String>, Vec<Vec<String>>) {
    let mut names: Vec<String> = Vec::new();
    let mut periods: Vec<(time::Date, String)> = Vec::new();
    for c in comparators {
        if !names.contains(&c.series) {
            names.push(c.series.clone());
        }
        if !periods.iter().any(|(_, p)| p == &c.period) {
            periods.push((c.period_end, c.period.clone()));
        }
    }
    periods.sort();
    // England first, the authority's own published figures last.
    names.sort_by_key(|n| (n != "England", n.ends_with("(published)"), n.clone()));
    let rows = periods
        .iter()
        .map(|(_, period)| {
            std::iter::once(period.clone())
                .chain(names.iter().map(|name| {
                    match comparators
                        .iter()
                        .find(|c| &c.series == name && &c.period == period)
                    {
                        Some(Comparator { value: Some(v), .. }) => unit.format(*v),
                        Some(_) => "Suppressed".to_owned(),
                        None => String::new(),
                    }
                }))
                .collect()
        })
        .collect();
    (names, rows)
}

pub async fn show_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    let plan = state.store.get_plan(ctx.pid(), measure.plan_id).await?;
    let points = state
        .store
        .list_data_points(ctx.pid(), measure.id, false)
        .await?;
    let history = state
        .store
        .list_data_points(ctx.pid(), measure.id, true)
        .await?;
    let (latest, status, trend) = assess(&measure, &points);
    let unit = measure.unit;
    let values: Vec<Plotted> = points.iter().map(Plotted::of).collect();
    let comparators = state.store.list_comparators(ctx.pid(), measure.id).await?;
    let (series_names, comparator_rows) = comparator_table(&comparators, unit);
    let comparator_points: Vec<Vec<Plotted>> = series_names
        .iter()
        .map(|name| {
            comparators
                .iter()
                .filter(|c| &c.series == name)
                .filter_map(|c| Plotted::of_comparator(c, measure.frequency))
                .collect()
        })
        .collect();
    let series: Vec<Series<'_>> = series_names
        .iter()
        .zip(&comparator_points)
        .map(|(name, points)| Series { name, points })
        .collect();
    let chart = measure_chart(&Chart {
        id: &format!("measure-{}", measure.id),
        title: &measure.name,
        unit,
        frequency: measure.frequency,
        trajectory: &measure.trajectory,
        values: &values,
        comparators: &series,
        figures: Figures::Elsewhere,
    });
    let rows = points
        .iter()
        .map(|p| {
            let earlier: Vec<String> = history
                .iter()
                .filter(|h| h.replaced_by.is_some() && h.period.label == p.period.label)
                .map(|h| unit.format(h.value))
                .collect();
            let note = if earlier.is_empty() {
                p.note.clone()
            } else {
                format!(
                    "{}Revised from {}",
                    if p.note.is_empty() {
                        String::new()
                    } else {
                        format!("{}\n", p.note)
                    },
                    earlier.join(", then ")
                )
            };
            vec![
                p.period.label.clone(),
                unit.format(p.value),
                measure
                    .trajectory
                    .expected_at(p.period.span.end)
                    .map(|v| unit.format(v))
                    .unwrap_or_default(),
                p.status.label().to_owned(),
                note,
            ]
        })
        .collect();
    let summary_text = match (latest, status) {
        (Some(p), Some(s)) => {
            format!(
            "The latest value is {} (period ending {}). The trajectory expected {} by then, so the measure is {}.",
            unit.format(p.value),
            date_or(Some(p.date), ""),
            measure.trajectory.expected_at(p.date).map(|v| unit.format(v)).unwrap_or_default(),
            s.label().to_lowercase()
        )
        }
        (Some(p), None) => format!(
            "The latest value is {} (period ending {}). It is not rated: the measure has no baseline or target by then.",
            unit.format(p.value),
            date_or(Some(p.date), "")
        ),
        _ => "No values have been recorded yet.".to_owned(),
    };
    let mut status_tags = vec![status_tag(status, latest.is_some())];
    status_tags.extend(trend_tag(trend));
    let overview = state
        .store
        .plan_overview(ctx.pid(), plan.id, ctx.today)
        .await?;
    let people = state.store.people(ctx.pid()).await?;
    let targets: Vec<String> = measure
        .trajectory
        .targets
        .iter()
        .map(|t| format!("{} by {}", unit.format(t.value), date_or(Some(t.date), "")))
        .collect();
    let summary = vec![
        SummaryRow::new("Definition", measure.definition.clone()),
        SummaryRow::new(
            "Baseline",
            measure
                .trajectory
                .baseline
                .map_or("Not measured yet".to_owned(), |b| {
                    format!("{} on {}", unit.format(b.value), date_or(Some(b.date), ""))
                }),
        ),
        SummaryRow::new("Targets", targets.join("\n")),
        SummaryRow::new("Which way is better", measure.trajectory.polarity.label()),
        SummaryRow::new("Reported", measure.frequency.label()),
        SummaryRow::new(
            "Owner",
            measure
                .owner
                .and_then(|o| people.iter().find(|p| p.id == o))
                .map(|p| p.display_name())
                .unwrap_or_default(),
        ),
        SummaryRow::new(
            "Areas",
            overview
                .areas
                .iter()
                .filter(|a| measure.areas.contains(&a.id))
                .map(|a| format!("{} {}", a.number, a.title))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        SummaryRow::new(
            "Actions",
            overview
                .actions
                .iter()
                .filter(|a| measure.actions.contains(&a.id))
                .map(|a| format!("{} {}", a.number, truncate(&a.description, 120)))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
    ];
    let mut buttons = Vec::new();
    if may_record(&state, &ctx, &measure).await? {
        buttons.push(LinkButton::primary(
            "Record a value",
            format!("{}/measures/{}/values/new", ctx.base(), measure.id),
        ));
        buttons.push(LinkButton::secondary(
            "Import values",
            format!("{}/measures/{}/values/import", ctx.base(), measure.id),
        ));
    }
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::secondary(
            "Change measure",
            format!("{}/measures/{}/edit", ctx.base(), measure.id),
        ));
        buttons.push(LinkButton::secondary(
            "Import targets",
            format!("{}/measures/{}/targets/import", ctx.base(), measure.id),
        ));
        buttons.push(LinkButton::secondary(
            "Compare with national statistics",
            format!("{}/measures/{}/comparators/new", ctx.base(), measure.id),
        ));
    }
    // A measure of the Local Offer's use leads to the page its values come from.
    let of_use = state
        .store
        .local_offer_measures(ctx.pid())
        .await?
        .iter()
        .any(|(_, id, what)| *id == measure.id && what.key_figure().is_some());
    if of_use {
        buttons.push(LinkButton::secondary(
            "The Local Offer's website performance",
            format!("{}/local-offer/performance", ctx.base()),
        ));
    }
    for (label, what, format) in [
        ("Download values (CSV)", "export", "csv"),
        ("Download values (Excel)", "export", "xlsx"),
        ("Download targets (CSV)", "targets/export", "csv"),
        ("Download targets (Excel)", "targets/export", "xlsx"),
    ] {
        buttons.push(LinkButton::secondary(
            label,
            format!(
                "{}/measures/{}/{what}?format={format}",
                ctx.base(),
                measure.id
            ),
        ));
    }
    html(&MeasurePage {
        chrome: Chrome::for_ctx(&ctx, measure.name.clone(), "overview"),
        heading: measure.name.clone(),
        caption: plan.title.clone(),
        back_href: format!("{}/plans/{}/measures", ctx.base(), plan.id),
        status: status_tags,
        summary_text,
        buttons,
        chart,
        rows,
        series_names,
        comparator_rows,
        summary,
        delete_href: if ctx.can(Capability::EditPlans) {
            super::lifecycle::delete_href(
                &ctx,
                sendplan_domain::lifecycle::RecordKind::Measure,
                measure.id,
            )
        } else {
            String::new()
        },
    })
}

fn value_form(ctx: &Ctx, measure: &Measure) -> FormPage {
    let fields = vec![
        Field::text("period", "Period").width("govuk-input--width-20").hint(&format!("This measure is reported {}: write the period like {}", measure.frequency.label().to_lowercase(), measure.frequency.example())),
        Field::text("value", "Value").width("govuk-input--width-10").hint(&format!("In {}. A value for a period that already has one revises it; the earlier value is kept.", measure.unit.label().to_lowercase())),
        Field::radios("status", "Is this value final?", vec![Choice::new("provisional", "Provisional"), Choice::new("final", "Final")]).value("provisional"),
        Field::textarea("note", "Note (optional)").rows(3),
    ];
    FormPage::new(
        Chrome::for_ctx(ctx, "Record a value", "overview"),
        "Record a value",
        format!("{}/measures/{}/values/new", ctx.base(), measure.id),
        fields,
    )
    .caption(measure.name.clone())
    .cancel(format!("{}/measures/{}", ctx.base(), measure.id))
}

pub async fn new_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    if !may_record(&state, &ctx, &measure).await? {
        return Err(ctx.refuse(Capability::UpdateAnyAction));
    }
    html(&value_form(&ctx, &measure))
}

pub async fn record_value(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    if !may_record(&state, &ctx, &measure).await? {
        return Err(ctx.refuse(Capability::UpdateAnyAction));
    }
    let form = RawForm(pairs);
    let page = value_form(&ctx, &measure);
    let input = match DataPointInput::parse(&form, measure.unit, measure.frequency) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .record_data_point(ctx.actor(), ctx.pid(), measure.id, &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/measures/{}", ctx.base(), measure.id),
            &format!(
                "{} recorded for {}",
                measure.unit.format(input.value),
                input.period.label
            ),
        )),
        Err(error) => refused(page, &form, error),
    }
}

/// The plan's dashboard: actions by rating class per area (with overdue milestones and
/// actions needing an update), measures off their trajectory, and the last 30 days' updates.
pub async fn show_dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    // Like the plan page, the body depends only on the data and the day.
    let version = state.store.data_version(ctx.pid()).await?;
    let key = format!("dashboard:{}:{id}:{}", ctx.pid(), ctx.today);
    let page = state
        .fragments
        .get_or_build(key, version, || dashboard_body(&state, &ctx, PlanId(id)))
        .await?;
    html(&crate::pages::PlanPage {
        chrome: Chrome::for_ctx(&ctx, page.title.clone(), "overview"),
        body: page.body.clone(),
        archived: String::new(),
        unarchive_href: String::new(),
    })
}

async fn dashboard_body(
    state: &AppState,
    ctx: &Ctx,
    id: PlanId,
) -> Result<super::plans::CachedPage, crate::errors::AppError> {
    use askama::Template;
    use sendplan_domain::flags::PlanCounts;
    use sendplan_domain::rating::{ClassCounts, RatingClass};
    let overview = state.store.plan_overview(ctx.pid(), id, ctx.today).await?;
    let plan = &overview.plan;
    let mut class_head = vec!["Area".to_owned()];
    class_head.extend(RatingClass::ALL.iter().map(|c| c.label().to_owned()));
    class_head.extend(
        [
            sendplan_domain::rating::NOT_YET_RATED,
            "Overdue milestones",
            "Needing an update",
        ]
        .map(str::to_owned),
    );
    // Each count links to the plan's actions it counts (the same filters as the plan
    // page's own counts), for the area or for the whole plan.
    let plan_href = format!("{}/plans/{}", ctx.base(), plan.id);
    let mut class_rows: Vec<Vec<(String, String)>> = Vec::new();
    let mut row_for =
        |label: String,
         area: Option<sendplan_domain::AreaId>,
         actions: &mut dyn Iterator<Item = &sendplan_storage::ActionRow>| {
            let actions: Vec<_> = actions.collect();
            let mut counts = ClassCounts::default();
            for a in &actions {
                counts.add(a.rating.as_ref().map(|r| r.class));
            }
            let attention = PlanCounts::of(
                actions
                    .iter()
                    .map(|a| (&a.flags, a.rating.as_ref().map(|r| r.class))),
            );
            let filter = area.map_or(String::new(), |a| format!("area={a}&"));
            let link = |n: usize, query: String| {
                let href = if n == 0 {
                    String::new()
                } else {
                    format!("{plan_href}?{filter}{query}")
                };
                (n.to_string(), href)
            };
            let mut row = vec![(label, String::new())];
            row.extend(
                RatingClass::ALL
                    .iter()
                    .map(|c| link(counts.get(*c), format!("rating=class:{}", c.code()))),
            );
            row.extend([
                link(attention.not_yet_rated, "rating=unrated".to_owned()),
                link(attention.overdue_milestones, "show=milestones".to_owned()),
                link(attention.needs_update, "show=stale".to_owned()),
            ]);
            class_rows.push(row);
        };
    for area in &overview.areas {
        row_for(
            format!("{} {}", area.number, area.title),
            Some(area.id),
            &mut overview.actions.iter().filter(|a| a.area_id == area.id),
        );
    }
    row_for("All areas".to_owned(), None, &mut overview.actions.iter());
    let mut off_track = Vec::new();
    let plan_measures = state.store.plan_measures(ctx.pid(), plan.id).await?;
    let measures = &plan_measures.measures;
    let mut statuses = Vec::with_capacity(measures.len());
    for measure in measures {
        let (latest, status, _) = assess(measure, plan_measures.values_of(measure.id));
        statuses.push(status);
        if status == Some(MeasureStatus::OffTrack) {
            let text = format!(
                "{}: {}",
                measure.name,
                latest
                    .map(|p| measure.unit.format(p.value))
                    .unwrap_or_default()
            );
            off_track.push((text, format!("{}/measures/{}", ctx.base(), measure.id)));
        }
    }
    let (action_gaps, area_gaps) = delivery_without_impact(
        &overview
            .actions
            .iter()
            .map(|a| (a.id, a.area_id, a.rating.as_ref().map(|r| r.class)))
            .collect::<Vec<_>>(),
        &measures
            .iter()
            .zip(&statuses)
            .map(|(m, s)| (m.areas.as_slice(), m.actions.as_slice(), *s))
            .collect::<Vec<_>>(),
    );
    let names = |gap: &[usize]| {
        gap.iter()
            .map(|i| measures[*i].name.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut impact_gaps: Vec<(String, String, String)> = area_gaps
        .iter()
        .filter_map(|g| {
            let area = overview.areas.iter().find(|a| a.id == g.subject)?;
            Some((
                format!("Area {} {}", area.number, truncate(&area.title, 80)),
                format!("{}/plans/{}#area-{}", ctx.base(), plan.id, area.id),
                names(&g.measures),
            ))
        })
        .collect();
    impact_gaps.extend(action_gaps.iter().filter_map(|g| {
        let action = overview.actions.iter().find(|a| a.id == g.subject)?;
        Some((
            format!("{} {}", action.number, truncate(&action.description, 80)),
            format!("{}/actions/{}", ctx.base(), action.id),
            names(&g.measures),
        ))
    }));
    let since = ctx.today - time::Duration::days(30);
    let ratings: std::collections::HashMap<_, _> =
        overview.ratings.iter().map(|r| (r.id, r)).collect();
    let mut changes: Vec<_> = state
        .store
        .list_plan_updates(ctx.pid(), plan.id)
        .await?
        .into_iter()
        .filter(|u| u.update_date >= since)
        .filter_map(|u| {
            let action = overview.actions.iter().find(|a| a.id == u.action_id)?;
            Some((
                u.update_date,
                format!("{} {}", action.number, truncate(&action.description, 90)),
                format!("{}/actions/{}", ctx.base(), action.id),
                Tag::rating(ratings.get(&u.rating_id).copied()),
            ))
        })
        .collect();
    changes.sort_by_key(|c| std::cmp::Reverse(c.0));
    let body = crate::pages::DashboardBody {
        caption: plan.title.clone(),
        plan_href: format!("{}/plans/{}", ctx.base(), plan.id),
        as_at: date_or(Some(ctx.today), ""),
        class_head,
        class_rows,
        off_track,
        impact_gaps,
        changes: changes
            .into_iter()
            .map(|(d, a, h, t)| (date_or(Some(d), ""), a, h, t))
            .collect(),
    };
    Ok(super::plans::CachedPage {
        title: format!("Dashboard: {}", plan.title),
        body: std::sync::Arc::new(body.render()?),
    })
}

/// A measure's values and its trajectory at each period, as CSV or Excel.
pub async fn export_measure(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> AppResult {
    let measure = state.store.get_measure(ctx.pid(), MeasureId(id)).await?;
    let points = state
        .store
        .list_data_points(ctx.pid(), measure.id, true)
        .await?;
    let head = [
        "Period",
        "Period start",
        "Period end",
        "Value",
        "Trajectory",
        "Status",
        "Current",
        "Note",
    ];
    let rows: Vec<Vec<String>> = points
        .iter()
        .map(|p| {
            vec![
                p.period.label.clone(),
                p.period.span.start.to_string(),
                p.period.span.end.to_string(),
                p.value.to_string(),
                measure
                    .trajectory
                    .expected_at(p.period.span.end)
                    .map(|v| format!("{v:.2}"))
                    .unwrap_or_default(),
                p.status.code().to_owned(),
                if p.replaced_by.is_none() {
                    "yes"
                } else {
                    "no, revised"
                }
                .to_owned(),
                p.note.clone(),
            ]
        })
        .collect();
    download(
        &format!("measure-{}", measure.id),
        "Values",
        &head,
        &rows,
        RawForm(query).get("format"),
    )
}

/// A table as a CSV or Excel download named `stem`, as `format` asks.
pub(super) fn download(
    stem: &str,
    sheet: &str,
    head: &[&str],
    rows: &[Vec<String>],
    format: &str,
) -> AppResult {
    use axum::http::header;
    use axum::response::IntoResponse;
    use sendplan_interchange::sheet_export::{table_to_csv, table_to_xlsx};
    let (content_type, name, bytes) = match format {
        "csv" => (
            "text/csv; charset=utf-8",
            format!("{stem}.csv"),
            table_to_csv(head, rows),
        ),
        "xlsx" => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("{stem}.xlsx"),
            table_to_xlsx(sheet, head, rows).map_err(|e| {
                crate::errors::AppError::Store(sendplan_storage::StoreError::Corrupt(e.to_string()))
            })?,
        ),
        _ => return Err(crate::errors::AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
