//! EHC casework (issue 18): the SEND team's pages over the SEN2 returns the authority
//! imports. The year's DfE measures beside what the DfE published, timeliness month by
//! month and at each decision point, the open pipeline and the backlog, demand, annual
//! reviews and phase transfers; the list of what is overdue, and one case. Only members
//! granted casework see them, and every look at case-level data is in the audit log. The
//! clock's settings are said on every page that uses them.

use super::{refused, saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{html, FormPage, NoticePage, TableBlock};
use crate::upload::{Upload, Uploaded};
use crate::views::{Cell, Chrome, LinkButton, SummaryRow, Tag};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use sendplan_domain::access::Capability;
use sendplan_domain::casework::clock::{
    decided_to_assess_in_time, issue_date, not_to_issue_in_time, plan_in_time, standing_on,
    ClockSettings, Request, Standing,
};
use sendplan_domain::casework::measures::{
    monthly_timeliness, not_to_issue, requests, twenty_weeks, Share,
};
use sendplan_domain::casework::pipeline::{
    backlog, caseload, demand, overdue, phase_transfers, pipeline, reviews,
};
use sendplan_domain::casework::plan_measures::CaseworkMeasure;
use sendplan_domain::casework::records::CaseRecord;
use sendplan_domain::input::{long_date, FieldErrors, FormReader, RawForm};
use sendplan_domain::PlanId;
use sendplan_interchange::casework_read::read_casework;
use sendplan_interchange::dfe_published;
use sendplan_interchange::sen2::person_key;
use sendplan_storage::{CaseworkFile, CaseworkImport};
use std::sync::Arc;
use time::Date;

/// How many of a return's problems the page lists (all are counted).
const PROBLEMS_LISTED: usize = 200;

/// A return, the year it covers, and the records in it and in the year before's.
struct Loaded {
    year: i32,
    import: CaseworkImport,
    this: Vec<CaseRecord>,
    before: Option<Vec<CaseRecord>>,
    /// The day the return describes: its reference date.
    as_at: Date,
    /// Every year imported (each year's newest), newest first: the page's year links.
    years: Vec<i32>,
}

impl Loaded {
    /// What is overdue on the data's day, longest waiting first, by case key.
    fn overdue(&self, settings: &ClockSettings) -> Vec<(&str, Standing)> {
        overdue(
            self.this
                .iter()
                .flat_map(|c| c.requests.iter().map(move |r| (c.key.as_str(), &r.request))),
            self.as_at,
            settings,
        )
    }
}

fn requests_of(records: &[CaseRecord]) -> Vec<Request> {
    records
        .iter()
        .flat_map(|c| c.requests.iter().map(|r| r.request.clone()))
        .collect()
}

fn base(ctx: &Ctx) -> String {
    format!("{}/casework", ctx.base())
}

/// The returns and extracts the pages read: each year's newest, newest year first.
async fn returns(state: &AppState, ctx: &Ctx) -> AppResult<Vec<CaseworkImport>> {
    let mut imports = state.store.casework_imports(ctx.pid()).await?;
    imports.sort_by(|a, b| {
        b.collection_year
            .cmp(&a.collection_year)
            .then(b.imported_at.cmp(&a.imported_at))
            .then(b.id.cmp(&a.id))
    });
    imports.dedup_by_key(|i| i.collection_year);
    Ok(imports)
}

/// The return for the calendar year asked (`year=2024`), else the newest.
/// The return for the calendar year asked (`year=2024`), else the newest, with the year
/// before's. Kept in memory until the partnership's data next changes: the records change
/// only on import, and a large authority's take longer to read than to show.
async fn load(state: &AppState, ctx: &Ctx, form: &RawForm) -> AppResult<Option<Arc<Loaded>>> {
    let imports = returns(state, ctx).await?;
    let asked: Option<i32> = form.get("year").trim().parse().ok();
    let chosen = match asked {
        Some(year) => imports.iter().find(|i| i.collection_year == year + 1),
        None => imports.first(),
    };
    let Some(import) = chosen.cloned() else {
        return match asked {
            Some(_) => Err(AppError::NotFound),
            None => Ok(None),
        };
    };
    let year = import.collection_year - 1;
    let version = state.store.data_version(ctx.pid()).await?;
    let key = format!("casework:{}:{year}", ctx.pid());
    let loaded = state
        .fragments
        .get_or_build(key, version, || async {
            let this = state.store.casework_records(ctx.pid(), year + 1).await?;
            let before = if imports.iter().any(|i| i.collection_year == year) {
                Some(state.store.casework_records(ctx.pid(), year).await?)
            } else {
                None
            };
            let as_at = import
                .reference_date
                .or_else(|| Date::from_calendar_date(year, time::Month::December, 31).ok())
                .unwrap_or(Date::MIN);
            Ok::<_, AppError>(Loaded {
                year,
                import,
                this,
                before,
                as_at,
                years: imports.iter().map(|i| i.collection_year - 1).collect(),
            })
        })
        .await?;
    Ok(Some(loaded))
}

/// "52.2% (24 of 46)", or "None" when there were none.
fn share_text(s: &Share, of_what: &str) -> String {
    match s.percentage() {
        Some(p) => format!("{p}% ({} of {} {of_what})", s.within, s.of),
        None => format!("No {of_what}"),
    }
}

fn percent(s: &Share) -> String {
    s.percentage().map_or("–".to_owned(), |p| format!("{p}%"))
}

fn change(now: f64, before: f64) -> String {
    if before == 0.0 {
        return "–".to_owned();
    }
    let c = (now - before) / before * 100.0;
    format!("{}{:.0}%", if c > 0.0 { "+" } else { "" }, c)
}

/// A case's reference in lists: the authority's own reference as it is, or the start of
/// a UPN's keyed hash (32 characters; the full key is in the case's address).
fn reference(key: &str) -> String {
    if key.len() <= 20 {
        key.to_owned()
    } else {
        key.chars().take(10).collect::<String>().to_uppercase()
    }
}

/// One table of figures on the casework page.
pub struct Section {
    pub id: &'static str,
    pub heading: String,
    pub intro: Vec<String>,
    pub head: Vec<String>,
    pub rows: Vec<Row>,
    /// Draw each row's `bar` (out of 100) in a last column.
    pub bars: bool,
}

pub struct Row {
    pub label: String,
    pub cells: Vec<String>,
    pub bar: u32,
}

fn row(label: impl Into<String>, cells: Vec<String>) -> Row {
    Row {
        label: label.into(),
        cells,
        bar: 0,
    }
}

#[derive(Template)]
#[template(path = "casework.html")]
pub struct CaseworkPage {
    pub chrome: Chrome,
    pub caption: String,
    pub heading: String,
    pub source: String,
    pub synthetic: bool,
    pub settings: String,
    pub years: Vec<(String, String, bool)>,
    pub key_figures: Vec<(String, String, String)>,
    pub overdue_href: String,
    pub overdue: usize,
    pub import_href: String,
    pub find_href: String,
    pub sections: Vec<Section>,
}

/// The casework page for a year: everything in sen2.md §4 and §5 the return can tell.
pub async fn casework(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::Casework)?;
    let form = RawForm(query);
    let Some(data) = load(&state, &ctx, &form).await? else {
        let mut page = NoticePage::new(
            Chrome::for_ctx(&ctx, "EHC casework", "casework"),
            "EHC casework",
        )
        .say("No SEN2 return has been imported yet. Import the person-level XML return your case system makes each January, or an extract from it in sendplan's CSV layout: sendplan keeps only what the measures need, never names, dates of birth, addresses or postcodes.");
        page.buttons.push(LinkButton::primary(
            "Import a return",
            format!("{}/import", base(&ctx)),
        ));
        return html(&page);
    };
    let settings = ClockSettings::default();
    let year = data.year;
    let this = requests_of(&data.this);
    let before = data.before.as_deref().map(requests_of);
    let before_or_empty = before.clone().unwrap_or_default();
    let t = twenty_weeks(year, &this, &settings);
    let r = requests(year, &this, &settings);
    let n = not_to_issue(year, &this, &settings);
    let open = pipeline(&this, data.as_at, &settings);
    let late = data.overdue(&settings);
    let before_label = (year - 1).to_string();
    let mut sections = Vec::new();

    // The DfE's measures, beside its published row.
    let published = dfe_published::timeliness(&ctx.partnership.la_code, year);
    let published_demand = dfe_published::demand(&ctx.partnership.la_code, year);
    let difference = |ours: &Share, theirs: Option<(u64, u64)>| {
        match theirs {
        None => "The DfE has not published this year for the authority.".to_owned(),
        Some((within, of)) if within == ours.within && of == ours.of => "The same.".to_owned(),
        Some((within, of)) => format!(
            "{} plans and {} on time against the DfE's {} and {}. The DfE counts the return as it stood at its deadline; a return corrected or made again since, or plans issued for requests this return does not carry, differ.",
            ours.of, ours.within, of, within
        ),
    }
    };
    let theirs = |within: u64, of: u64| published.map(|_| (within, of));
    let published_share = |within: u64, of: u64| {
        published.map_or("Not published".to_owned(), |_| {
            share_text(&Share { within, of }, "plans")
        })
    };
    let (pi, pe) = published.map_or(((0, 0), (0, 0)), |p| {
        (
            (p.counts.within, p.counts.plans),
            (p.counts.within_excluding, p.counts.plans_excluding),
        )
    });
    let received_published = published_demand.authority.0;
    sections.push(Section {
        id: "dfe",
        heading: format!("The DfE's measures for {year}"),
        intro: vec![format!(
            "Worked out from the return the way the DfE's data guidance describes, set beside what the DfE published for {}.",
            ctx.partnership.name
        )],
        head: vec![
            "Measure".into(),
            "From the return".into(),
            "Published by the DfE".into(),
            "Difference".into(),
        ],
        rows: vec![
            row(
                "New EHC plans issued within 20 weeks, excluding exceptions",
                vec![
                    share_text(&t.excluding, "plans"),
                    published_share(pe.0, pe.1),
                    difference(&t.excluding, theirs(pe.0, pe.1)),
                ],
            ),
            row(
                "New EHC plans issued within 20 weeks, including exceptions",
                vec![
                    share_text(&t.including, "plans"),
                    published_share(pi.0, pi.1),
                    difference(&t.including, theirs(pi.0, pi.1)),
                ],
            ),
            row(
                "Requests for an EHC needs assessment received",
                vec![
                    r.received.to_string(),
                    received_published.map_or("Not published".to_owned(), |n| format!("{n}")),
                    match received_published {
                        None => "The DfE has not published this year for the authority.".to_owned(),
                        Some(n) if n as u64 == r.received => "The same.".to_owned(),
                        Some(n) => format!(
                            "{} against the DfE's {n}. The return holds the requests open at some point in the year; the DfE counts those received in it, as they stood at its deadline.",
                            r.received
                        ),
                    },
                ],
            ),
            row(
                "Average weeks from request to plan, excluding exceptions",
                vec![
                    t.mean_weeks_excluding
                        .map_or("–".to_owned(), |w| format!("{w} weeks")),
                    "Not published".to_owned(),
                    String::new(),
                ],
            ),
        ],
        bars: false,
    });

    // Month by month, and the year to date, against the year before.
    let months = monthly_timeliness(year, &this, &before_or_empty, &settings);
    let no_before = before.is_none();
    sections.push(Section {
        id: "months",
        heading: "Plans within 20 weeks, month by month".to_owned(),
        intro: vec![if no_before {
            format!("Excluding exceptions, by the month the plan was issued. No return for {before_label} has been imported, so there is nothing to set against.")
        } else {
            format!("Excluding exceptions, by the month the plan was issued, against the same month of {before_label} (from its own return).")
        }],
        head: vec![
            "Month".into(),
            "Plans issued".into(),
            "Within 20 weeks".into(),
            format!("Same month {before_label}"),
            "Year to date".into(),
            format!("Year to date {before_label}"),
        ],
        rows: months
            .iter()
            .map(|m| {
                let dash = |s: &Share| if no_before { "–".to_owned() } else { percent(s) };
                row(
                    m.month.to_string(),
                    vec![
                        m.excluding.of.to_string(),
                        percent(&m.excluding),
                        dash(&m.excluding_year_before),
                        percent(&m.to_date_excluding),
                        dash(&m.to_date_excluding_year_before),
                    ],
                )
            })
            .collect(),
        bars: false,
    });

    // Each decision point against its limit.
    sections.push(Section {
        id: "decisions",
        heading: "Timeliness at each decision point".to_owned(),
        intro: vec![format!(
            "Decisions made in {year}, each against its statutory limit."
        )],
        head: vec![
            "Decision".into(),
            "Limit".into(),
            "Within it".into(),
            "Share".into(),
        ],
        rows: vec![
            row(
                "Whether to assess",
                vec![
                    "6 weeks".into(),
                    format!(
                        "{} of {}",
                        r.decided_within_6_weeks.within, r.decided_within_6_weeks.of
                    ),
                    percent(&r.decided_within_6_weeks),
                ],
            ),
            row(
                "Not to issue a plan, after assessing",
                vec![
                    "16 weeks".into(),
                    format!("{} of {}", n.within, n.of),
                    percent(&n),
                ],
            ),
            row(
                "Final plan issued, excluding exceptions",
                vec![
                    "20 weeks".into(),
                    format!("{} of {}", t.excluding.within, t.excluding.of),
                    percent(&t.excluding),
                ],
            ),
            row(
                "Final plan issued, including exceptions",
                vec![
                    "20 weeks".into(),
                    format!("{} of {}", t.including.within, t.including.of),
                    percent(&t.including),
                ],
            ),
        ],
        bars: false,
    });

    // The open pipeline on the return's reference date.
    let bands = open.in_bands();
    let most = bands.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    sections.push(Section {
        id: "pipeline",
        heading: format!("Open assessments on {}", long_date(data.as_at)),
        intro: vec![
            format!(
                "{} open: {} within 20 weeks of the request and {} over{}. {} more requests are waiting for the decision whether to assess, {} of them past 6 weeks.",
                open.within_20_weeks + open.over_20_weeks,
                open.within_20_weeks,
                open.over_20_weeks,
                open.mean_weeks_over
                    .map_or(String::new(), |w| format!(", who have waited {w} weeks on average")),
                open.awaiting_decision,
                open.awaiting_decision_overdue
            ),
        ],
        head: vec!["Weeks since the request".into(), "Open assessments".into()],
        rows: bands
            .iter()
            .map(|((from, to), count)| Row {
                label: match to {
                    Some(to) => format!("{from} to {} weeks", to - 1),
                    None => format!("{from} weeks or more"),
                },
                cells: vec![count.to_string()],
                bar: (*count * 100 / most) as u32,
            })
            .collect(),
        bars: true,
    });

    // The backlog at each month's end.
    sections.push(Section {
        id: "backlog",
        heading: "The backlog over time".to_owned(),
        intro: vec![format!(
            "At the end of each month of {year}, from the requests in the return."
        )],
        head: vec![
            "End of".into(),
            "Open assessments".into(),
            "Over 20 weeks".into(),
            "Waiting for the decision whether to assess".into(),
        ],
        rows: backlog(&this, year, data.as_at, &settings)
            .into_iter()
            .map(|(day, p)| {
                row(
                    format!("{} {}", day.month(), day.year()),
                    vec![
                        (p.within_20_weeks + p.over_20_weeks).to_string(),
                        p.over_20_weeks.to_string(),
                        p.awaiting_decision.to_string(),
                    ],
                )
            })
            .collect(),
        bars: false,
    });

    // Demand: requests by month, against the year before, the region and England.
    // Each year's requests from its own return: a request received in the days before a
    // return's reference date is in that return and the next.
    let by_month: Vec<(time::Month, u64, u64)> = demand(&this, year)
        .into_iter()
        .zip(demand(&before_or_empty, year - 1))
        .map(|((month, now, _), (_, then, _))| (month, now, then))
        .collect();
    let total: u64 = by_month.iter().map(|(_, n, _)| n).sum();
    let total_before: u64 = by_month.iter().map(|(_, _, n)| n).sum();
    let published_change = |(now, then): (Option<f64>, Option<f64>)| match (now, then) {
        (Some(now), Some(then)) => change(now, then),
        _ => "not published".to_owned(),
    };
    let mut demand_intro = vec![if no_before {
        format!("{total} requests received in {year}. No return for {before_label} has been imported to set them against.")
    } else {
        format!(
            "{total} requests received in {year}, against {total_before} in {before_label}: {}.",
            change(total as f64, total_before as f64)
        )
    }];
    demand_intro.push(format!(
        "As the DfE published, requests changed from {before_label} to {year} by {} here, {} in the region and {} in England.",
        published_change(published_demand.authority),
        published_change(published_demand.region),
        published_change(published_demand.england)
    ));
    sections.push(Section {
        id: "demand",
        heading: "Demand".to_owned(),
        intro: demand_intro,
        head: vec![
            "Month".into(),
            year.to_string(),
            before_label.clone(),
            "Change".into(),
        ],
        rows: by_month
            .iter()
            .map(|(month, now, then)| {
                row(
                    month.to_string(),
                    if no_before {
                        vec![now.to_string(), "–".into(), "–".into()]
                    } else {
                        vec![
                            now.to_string(),
                            then.to_string(),
                            change(*now as f64, *then as f64),
                        ]
                    },
                )
            })
            .collect(),
        bars: false,
    });

    // Annual reviews and phase transfers of the plans in place.
    let plans: Vec<_> = data
        .this
        .iter()
        .filter_map(|c| c.active_plan.clone())
        .collect();
    let rv = reviews(&plans, year, &settings);
    let pt = phase_transfers(&plans, year);
    sections.push(Section {
        id: "reviews",
        heading: format!("Annual reviews and phase transfers in {year}"),
        intro: vec![format!(
            "Of the {} plans in place on {}.",
            plans.len(),
            long_date(data.as_at)
        )],
        head: vec!["".into(), "Number".into()],
        rows: vec![
            row("Reviews due (12 months after the last)", vec![rv.due.to_string()]),
            row("Review meetings held", vec![rv.held.to_string()]),
            row(
                "Reviews decided within 4 weeks of the meeting",
                vec![share_text(&rv.decided_in_time, "decided")],
            ),
            row(
                "Reviews due by the end of the year and not held",
                vec![rv.outstanding.to_string()],
            ),
            row(
                "Phase transfers done by the deadline (15 February, or 31 March for a move to further education)",
                vec![share_text(&pt, "due")],
            ),
        ],
        bars: false,
    });

    // Caseload, where the data names caseworkers or teams (an extract; SEN2 does not).
    let load = caseload(&data.this, data.as_at, &settings);
    if !load.is_empty() {
        let most = load.iter().map(|l| l.open).max().unwrap_or(0).max(1);
        sections.push(Section {
            id: "caseload",
            heading: format!("Caseload on {}", long_date(data.as_at)),
            intro: vec!["Children and young people by team and caseworker: those with a request still being decided or assessed, those of them past a limit, and plans held.".to_owned()],
            head: vec![
                "Team and caseworker".into(),
                "Open".into(),
                "Overdue".into(),
                "Plans".into(),
            ],
            rows: load
                .iter()
                .map(|l| Row {
                    label: format!("{}: {}", l.team, l.caseworker),
                    cells: vec![l.open.to_string(), l.overdue.to_string(), l.plans.to_string()],
                    bar: (l.open * 100 / most) as u32,
                })
                .collect(),
            bars: true,
        });
    }

    let years = data
        .years
        .iter()
        .map(|y| {
            (
                format!("{}?year={y}", base(&ctx)),
                y.to_string(),
                *y == year,
            )
        })
        .collect();
    let synthetic = data.import.file_name.contains("synthetic");
    let page = CaseworkPage {
        chrome: Chrome::for_ctx(&ctx, format!("EHC casework {year}"), "casework"),
        caption: ctx.partnership.name.clone(),
        heading: format!("EHC casework: {year}"),
        source: format!(
            "From {} ({}), imported {} with {} children and young people and {} requests; as at {}.",
            if data.import.source == "sen2" {
                format!("the SEN2 return for January {}", data.import.collection_year)
            } else {
                "a case-system extract".to_owned()
            },
            data.import.file_name,
            long_date(data.import.imported_at.date()),
            data.import.people,
            data.import.requests,
            long_date(data.as_at)
        ),
        synthetic,
        settings: settings.describe(),
        years,
        key_figures: vec![
            (
                "New plans within 20 weeks".to_owned(),
                percent(&t.excluding),
                format!("excluding exceptions, {} of {}", t.excluding.within, t.excluding.of),
            ),
            (
                "Open assessments over 20 weeks".to_owned(),
                open.over_20_weeks.to_string(),
                format!("on {}", long_date(data.as_at)),
            ),
            (
                "Decisions to assess within 6 weeks".to_owned(),
                percent(&r.decided_within_6_weeks),
                format!("{} of {}", r.decided_within_6_weeks.within, r.decided_within_6_weeks.of),
            ),
            (
                "Requests received".to_owned(),
                r.received.to_string(),
                if no_before {
                    format!("in {year}")
                } else {
                    format!("{} on {before_label}", change(total as f64, total_before as f64))
                },
            ),
        ],
        overdue_href: format!("{}/overdue?year={year}", base(&ctx)),
        overdue: late.len(),
        import_href: format!("{}/import", base(&ctx)),
        find_href: format!("{}/find", base(&ctx)),
        sections,
    };
    html(&page)
}

/// What is overdue on the return's reference date, longest waiting first, by case
/// reference. Case-level, so each look is audited.
pub async fn overdue_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::Casework)?;
    let Some(data) = load(&state, &ctx, &RawForm(query)).await? else {
        return Err(AppError::NotFound);
    };
    let settings = ClockSettings::default();
    let late = data.overdue(&settings);
    state
        .store
        .record_casework_view(
            ctx.actor(),
            ctx.pid(),
            &format!(
                "the list of {} overdue on {} ({} return)",
                late.len(),
                data.as_at,
                data.year
            ),
        )
        .await?;
    let rows = late
        .iter()
        .map(|(key, s)| {
            let mut step = Cell::text(s.step.label());
            if s.exception {
                step = step.with_tag(Tag::new("Exception", "grey"));
            }
            vec![
                Cell::link(
                    reference(key),
                    format!("{}/cases/{key}?year={}", base(&ctx), data.year),
                ),
                step,
                Cell::text(format!("{:.0}", s.weeks.floor())),
                Cell::text(s.due.map_or(String::new(), long_date)),
                Cell::text(s.due.map_or(String::new(), |d| {
                    format!("{} weeks", ((data.as_at - d).whole_days() + 6) / 7)
                })),
            ]
        })
        .collect();
    let mut page = NoticePage::new(
        Chrome::for_ctx(&ctx, "Overdue", "casework"),
        format!("Overdue on {}", long_date(data.as_at)),
    )
    .say(format!(
        "Requests past their limit on the return's reference date: waiting for the decision whether to assess after 6 weeks, or for the plan after 20. Longest waiting first. {}",
        settings.describe()
    ))
    .say("A case's reference is the start of its key: a keyed hash of the child's UPN, so sendplan holds no UPN. To find a child from their UPN, use \"Find a child\".")
    .link("Find a child by UPN", format!("{}/find", base(&ctx)))
    .link("Back to EHC casework", format!("{}?year={}", base(&ctx), data.year));
    page.caption = ctx.partnership.name.clone();
    page.wide = true;
    page.tables.push(TableBlock {
        heading: format!("{} overdue", late.len()),
        head: vec![
            "Case",
            "Waiting for",
            "Weeks since the request",
            "Was due",
            "Overdue by",
        ],
        rows,
        empty: "Nothing is overdue.".to_owned(),
    });
    html(&page)
}

/// One child's requests and where each stands. Audited.
pub async fn case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, key)): Path<(i64, String)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::Casework)?;
    let Some(data) = load(&state, &ctx, &RawForm(query)).await? else {
        return Err(AppError::NotFound);
    };
    let Some(record) = data.this.iter().find(|c| c.key == key) else {
        return Err(AppError::NotFound);
    };
    state
        .store
        .record_casework_view(
            ctx.actor(),
            ctx.pid(),
            &format!("case {} ({} return)", reference(&key), data.year),
        )
        .await?;
    let settings = ClockSettings::default();
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "Yes".to_owned(),
        Some(false) => "No".to_owned(),
        None => "Not decided".to_owned(),
    };
    let mut page = NoticePage::new(
        Chrome::for_ctx(&ctx, format!("Case {}", reference(&key)), "casework"),
        format!("Case {}", reference(&key)),
    )
    .say(format!(
        "As at {}, from the SEN2 return for January {}. {}",
        long_date(data.as_at),
        data.import.collection_year,
        settings.describe()
    ))
    .link(
        "What is overdue",
        format!("{}/overdue?year={}", base(&ctx), data.year),
    )
    .link(
        "Back to EHC casework",
        format!("{}?year={}", base(&ctx), data.year),
    );
    page.caption = ctx.partnership.name.clone();
    page.wide = true;
    for (label, value) in [("Caseworker", &record.caseworker), ("Team", &record.team)] {
        if let Some(value) = value {
            page.summary.push(SummaryRow::new(label, value.clone()));
        }
    }
    page.summary.push(SummaryRow::new(
        "Age",
        record
            .age
            .map_or("Not known".to_owned(), |a| format!("{a}")),
    ));
    if let Some(plan) = &record.active_plan {
        if !plan.needs.is_empty() {
            page.summary.push(SummaryRow::new(
                "Needs",
                plan.needs
                    .iter()
                    .map(|(code, _)| code.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        page.summary.push(SummaryRow::new(
            "Last annual review",
            plan.last_review
                .map_or("None recorded".to_owned(), long_date),
        ));
    }
    for (i, r) in record.requests.iter().enumerate() {
        let q = &r.request;
        let s = standing_on(q, data.as_at, &settings);
        let mut stands = Cell::text(s.step.label());
        if s.overdue {
            stands = stands.with_tag(Tag::new("Overdue", "red"));
        }
        let date_cell = |d: Option<Date>| Cell::text(d.map_or("–".to_owned(), long_date));
        page.tables.push(TableBlock {
            heading: format!("Request {} received {}", i + 1, long_date(q.received)),
            head: vec!["Step", "Date", "In time"],
            rows: vec![
                vec![
                    Cell::text(format!("Decision: {}", q.outcome.label())),
                    date_cell(q.decided),
                    Cell::text(yes_no(decided_to_assess_in_time(q, &settings))),
                ],
                vec![
                    Cell::text(match &q.assessment {
                        Some(a) => format!("Assessment: {}", a.outcome.label()),
                        None => "Assessment: none".to_owned(),
                    }),
                    date_cell(q.assessment.as_ref().and_then(|a| a.outcome_date)),
                    Cell::text(
                        if q.assessment.as_ref().is_some_and(|a| {
                            a.outcome
                                == sendplan_domain::casework::clock::AssessmentOutcome::NotIssue
                        }) {
                            yes_no(not_to_issue_in_time(q, &settings))
                        } else {
                            yes_no(plan_in_time(q, &settings))
                        },
                    ),
                ],
                vec![
                    Cell::text("Plan issued"),
                    date_cell(issue_date(q, &settings)),
                    Cell::text(""),
                ],
                vec![
                    Cell::text("Exceptions to the 20-week limit"),
                    Cell::text(exceptions_text(q)),
                    Cell::text(""),
                ],
                vec![
                    Cell::text(format!(
                        "Where it stands after {:.0} weeks",
                        s.weeks.floor()
                    )),
                    Cell::text(
                        s.due
                            .map_or(String::new(), |d| format!("Due {}", long_date(d))),
                    ),
                    stands,
                ],
            ],
            empty: String::new(),
        });
    }
    if record.requests.is_empty() {
        page = page.say("No request in this return: a plan already in place.");
    }
    html(&page)
}

/// A request's exceptions in words: each reason, with its days where the data has them.
fn exceptions_text(q: &Request) -> String {
    let periods = q.assessment.as_ref().map_or(&[][..], |a| &a.exceptions[..]);
    if periods.is_empty() {
        return "None".to_owned();
    }
    periods
        .iter()
        .map(|e| match (e.from, e.to) {
            (Some(from), Some(to)) => format!(
                "{}, {} to {}",
                e.reason.label(),
                long_date(from),
                long_date(to)
            ),
            _ => e.reason.label().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn find_page(ctx: &Ctx) -> FormPage {
    FormPage::new(
        Chrome::for_ctx(ctx, "Find a child", "casework"),
        "Find a child by UPN",
        format!("{}/find", base(ctx)),
        vec![Field::text("upn", "Unique pupil number (UPN)")
            .hint("13 characters, as in the case system. sendplan does not keep it: it works out the child's key from it and opens their case.")
            .autocomplete("off")],
    )
    .caption("EHC casework")
    .submit("Find")
    .cancel(base(ctx))
}

pub async fn find(State(_): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::Casework)?;
    html(&find_page(&ctx))
}

/// Works out the key from a UPN (sent in a form, so it is never in an address or a log)
/// and opens the newest return's case.
pub async fn find_case(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::Casework)?;
    let form = RawForm(pairs);
    let upn = form.get("upn").trim().to_uppercase();
    let page = find_page(&ctx);
    if upn.is_empty() {
        return page.with_errors(&form, FieldErrors::single("upn", "Enter the child's UPN"));
    }
    let secret = state
        .store
        .casework_secret(ctx.pid(), &fresh_secret()?)
        .await?;
    let key = person_key(&secret, &upn);
    for import in returns(&state, &ctx).await? {
        let records = state
            .store
            .casework_records(ctx.pid(), import.collection_year)
            .await?;
        if records.iter().any(|c| c.key == key) {
            return Ok(Redirect::to(&format!(
                "{}/cases/{key}?year={}",
                base(&ctx),
                import.collection_year - 1
            ))
            .into_response());
        }
    }
    page.with_errors(
        &form,
        FieldErrors::single("upn", "No child with this UPN is in the returns imported"),
    )
}

/// A new random secret, used only if the partnership has none yet.
fn fresh_secret() -> Result<String, AppError> {
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh).map_err(|e| AppError::Unreadable(e.to_string()))?;
    Ok(fresh.iter().map(|b| format!("{b:02x}")).collect())
}

fn import_page(ctx: &Ctx) -> FormPage {
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Import casework", "casework"),
        "Import an SEN2 return or a case-system extract",
        format!("{}/import", base(ctx)),
        vec![
            Field::file("file", "SEN2 return or case-system extract", ".xml,.csv,application/xml,text/xml,text/csv")
                .hint("The XML file your case system makes for the DfE's SEN2 collection (the 2023 to 2026 specifications), or a CSV extract in sendplan's layout (one row per request; see the guide to casework)."),
            Field::date("as_at", "For an extract: the day it was made (optional)")
                .hint("Its figures are as at this day, and it stands for that year until the next extract or return. Left blank, today. A return says its own date."),
        ],
    )
    .caption("EHC casework")
    .intro("sendplan reads the file as it arrives and keeps only what the measures need: names, dates of birth, addresses, postcodes and UPNs are dropped as it reads (a UPN becomes a key no one can turn back into it). All or nothing: if any record has a problem, nothing is imported and every problem is listed. Importing the same year again replaces it.")
    .submit("Import")
    .cancel(base(ctx));
    page.multipart = true;
    page
}

pub async fn new_import(State(_): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::Casework)?;
    html(&import_page(&ctx))
}

/// Reads and imports a return or an extract, whole: any problem imports nothing and lists
/// the problems by record and element (a return) or row and column (an extract).
pub async fn import(State(state): State<AppState>, ctx: Ctx, upload: Upload) -> AppResult {
    ctx.require(Capability::Casework)?;
    let page = import_page(&ctx);
    let Uploaded { form, file } = upload.read().await?;
    let Some((file_name, bytes)) = file else {
        return page.with_errors(
            &form,
            FieldErrors::single("file", "Select the return or extract to import"),
        );
    };
    let mut reader = FormReader::new(&form);
    let as_at = reader.date("as_at", "the day the extract was made", false);
    let as_at = match reader.finish(as_at) {
        Ok(Some(day)) if day > ctx.today => {
            return page.with_errors(
                &form,
                FieldErrors::single(
                    "as_at",
                    "The day the extract was made must be today or in the past",
                ),
            )
        }
        Ok(as_at) => as_at.unwrap_or(ctx.today),
        Err(errors) => return page.with_errors(&form, errors),
    };
    let dfe = dfe_published::dfe_code(&ctx.partnership.la_code);
    // The secret is made before reading, so UPNs are hashed as they are read.
    let secret = state
        .store
        .casework_secret(ctx.pid(), &fresh_secret()?)
        .await?;
    let read = match read_casework(
        &bytes,
        &|upn| person_key(&secret, upn),
        as_at,
        dfe.as_deref().unwrap_or(&ctx.partnership.la_code),
    ) {
        Ok(read) => read,
        Err(why) => {
            return page.with_errors(
                &form,
                FieldErrors::single("file", format!("{file_name} cannot be imported: {why}")),
            )
        }
    };
    if let Some(expected) = dfe {
        if read.la != expected {
            return page.with_errors(
                &form,
                FieldErrors::single(
                    "file",
                    format!(
                        "{file_name} is for authority {}, and {} is authority {expected}: nothing was imported",
                        read.la, ctx.partnership.name
                    ),
                ),
            );
        }
    }
    let (record, element) = read.placed_by();
    if !read.problems.is_empty() {
        let mut notice = NoticePage::new(
            Chrome::for_ctx(&ctx, "The file cannot be imported", "casework"),
            "The file cannot be imported",
        )
        .say(format!(
            "{file_name} has {} problems, so nothing was imported. Put them right in the case system and make the file again.",
            read.problems.len()
        ))
        .link("Choose a file", format!("{}/import", base(&ctx)));
        if read.problems.len() > PROBLEMS_LISTED {
            notice = notice.say(format!("The first {PROBLEMS_LISTED} are listed."));
        }
        notice.caption = "EHC casework".to_owned();
        notice.wide = true;
        // Said in an error summary too, linking to the problems' table.
        notice.errors.push(sendplan_domain::input::FieldError {
            field: "table-1".to_owned(),
            message: format!(
                "{file_name} has {} problems, listed below: nothing was imported",
                read.problems.len()
            ),
        });
        notice.tables.push(TableBlock {
            heading: "Problems".to_owned(),
            head: vec![record, element, "Problem"],
            rows: read
                .problems
                .iter()
                .take(PROBLEMS_LISTED)
                .map(|(n, what, message)| {
                    vec![
                        Cell::text(n.to_string()),
                        Cell::text(what.clone()),
                        Cell::text(message.clone()),
                    ]
                })
                .collect(),
            empty: String::new(),
        });
        return crate::pages::html_with_status(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &notice,
        );
    }
    state
        .store
        .import_casework(
            ctx.actor(),
            ctx.pid(),
            &CaseworkFile {
                source: read.source,
                collection_year: read.collection_year,
                la_code: &read.la,
                reference_date: read.reference_date,
                file_name: &file_name,
                people: &read.people,
            },
        )
        .await?;
    let requests: usize = read.people.iter().map(|p| p.requests.len()).sum();
    let what = if read.source == "sen2" {
        format!("The return for January {}", read.collection_year)
    } else {
        format!(
            "The extract as at {}",
            long_date(read.reference_date.unwrap_or(as_at))
        )
    };
    Ok(saved(
        &state,
        &format!("{}?year={}", base(&ctx), read.collection_year - 1),
        &format!(
            "{what} is imported: {} children and young people, {} requests.{}",
            read.people.len(),
            requests,
            if read.dropped.is_empty() {
                String::new()
            } else {
                format!(" Read and not kept: {}.", read.dropped.join(", "))
            }
        ),
    ))
}

async fn plan_measures_form(state: &AppState, ctx: &Ctx, plan: PlanId) -> AppResult<FormPage> {
    let held: Vec<CaseworkMeasure> = state
        .store
        .casework_measures(ctx.pid())
        .await?
        .into_iter()
        .filter(|(p, _, _)| *p == plan)
        .map(|(_, _, what)| what)
        .collect();
    let choices = CaseworkMeasure::ALL
        .iter()
        .filter(|what| !held.contains(what))
        .map(|what| Choice::new(what.code(), what.label()).hint(what.input().definition))
        .collect::<Vec<_>>();
    let measures = format!("{}/plans/{}/measures", ctx.base(), plan.0);
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, "Add the EHC timeliness measures", "overview"),
        "Add the EHC timeliness measures",
        format!("{measures}/casework"),
        vec![Field::checkboxes("what", "Which measures?", choices)],
    )
    .intro(if held.len() == CaseworkMeasure::ALL.len() {
        "This plan already holds every EHC timeliness measure."
    } else {
        "sendplan works these out each month from the SEN2 returns imported and records them on the plan, beside any DfE comparators you add. They hold totals only: a month resting on a count of 1 to 4 is left out, so they can be shown to everyone who reads the plan, on public pages and in board papers."
    })
    .submit("Add the measures")
    .cancel(measures))
}

/// Adding the clock's measures to a plan is a plan change (they hold no case-level data),
/// so it needs the plan role, not casework.
pub async fn new_plan_measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    html(&plan_measures_form(&state, &ctx, plan.id).await?)
}

pub async fn add_plan_measures(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let form = RawForm(pairs);
    let page = plan_measures_form(&state, &ctx, plan.id).await?;
    let chosen: Vec<CaseworkMeasure> = form
        .all("what")
        .iter()
        .filter_map(|code| CaseworkMeasure::from_code(code))
        .collect();
    if chosen.is_empty() {
        return page.with_errors(
            &form,
            FieldErrors::single("what", "Select the measures to add"),
        );
    }
    for what in &chosen {
        if let Err(error) = state
            .store
            .add_casework_measure(ctx.actor(), ctx.pid(), plan.id, *what)
            .await
        {
            return refused(page, &form, error);
        }
    }
    Ok(saved(
        &state,
        &format!("{}/plans/{}/measures", ctx.base(), plan.id),
        &format!(
            "Added {}: sendplan records them from the SEN2 returns each month",
            chosen
                .iter()
                .map(|w| w.label())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}
