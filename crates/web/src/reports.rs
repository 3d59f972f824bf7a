//! Board reports written out: a self-contained HTML paper (its styles inside it, charts
//! drawn as SVG, nothing fetched), a Word document, CSV and Excel. The same paper is shown in the browser,
//! written by `sendplan report`, and stored word for word when issued to a board.

use crate::charts::{measure_chart, Chart, Figures, Plotted};
use askama::Template;
use sendplan_domain::input::long_date;
use sendplan_domain::measures::{current_as_at, DataPoint, Measure, MeasureStatus};
use sendplan_domain::reports::{MeasureLine, Report, ReportKind};

/// The Content-Security-Policy a report is served with: its own styles, no scripts, and
/// nothing from anywhere else.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct ActionView {
    number: String,
    description: String,
    leads: String,
    rating: String,
    colour: String,
    change: String,
    updated: String,
    stale: bool,
    narrative: String,
    overdue: bool,
    milestones: Vec<sendplan_domain::reports::MilestoneLine>,
    extra: Vec<(String, String)>,
}

struct AreaView {
    number: String,
    title: String,
    counts: Vec<(String, usize)>,
    actions: Vec<ActionView>,
    outcomes: Vec<String>,
    checkpoints: Vec<sendplan_domain::reports::Checkpoint>,
    impact: Vec<MeasureView>,
    /// The area's (and its objectives') latest progress: (heading, rating, colour, narrative).
    progress: Vec<(String, String, String, String)>,
}

/// The heading of an area's progress line: "Progress of the area, 31 March 2022" or "...
/// of objective 1.1, ...".
fn progress_heading(line: &sendplan_domain::reports::AreaProgressLine) -> String {
    let of = if line.about.is_empty() {
        "the area".to_owned()
    } else {
        line.about.to_lowercase()
    };
    format!("Progress of {of}, {}", long_date(line.date))
}

struct MeasureView {
    name: String,
    latest: String,
    expected: String,
    status: String,
    /// The measure's chart (full progress reports and review packs), or nothing.
    chart: String,
}

impl MeasureView {
    fn of(m: &MeasureLine) -> Self {
        MeasureView {
            name: m.name.clone(),
            latest: m.latest_text.clone(),
            expected: m.expected_text.clone(),
            status: status_label(m.status).to_owned(),
            chart: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPaper {
    plan: String,
    /// Empty for a paper not issued to a board.
    board: String,
    issued_by: String,
    issued_on: String,
    partnership: String,
    title: String,
    as_at: String,
    since: String,
    has_since: bool,
    is_review: bool,
    review: String,
    scope: String,
    empty: String,
    counts: Vec<(String, usize)>,
    areas: Vec<AreaView>,
    show_measures: bool,
    measures: Vec<MeasureView>,
    measures_empty: String,
}

/// To whom, by whom and when a paper was issued: written on its cover, so the paper kept
/// says so itself wherever it is read.
#[derive(Debug, Clone)]
pub struct Issue<'a> {
    pub board: &'a str,
    pub by: &'a str,
    /// In UK time, as `input::uk_date_time` writes it.
    pub on: String,
}

/// The report as a self-contained HTML paper. `measures` are the plan's measures with
/// their values, for the charts of the full progress report.
pub fn report_html(
    report: &Report,
    partnership: &str,
    stale_after_days: i64,
    measures: &[(Measure, Vec<DataPoint>)],
) -> Result<String, askama::Error> {
    issued_report_html(report, partnership, stale_after_days, measures, None)
}

/// `report_html` for a paper issued to a board, with the issue on its cover.
pub fn issued_report_html(
    report: &Report,
    partnership: &str,
    stale_after_days: i64,
    measures: &[(Measure, Vec<DataPoint>)],
    issue: Option<&Issue<'_>>,
) -> Result<String, askama::Error> {
    let scope = match report.kind {
        ReportKind::Exception => "Actions rated off track or some concerns, overdue actions and milestones, and measures off their trajectory.",
        ReportKind::Progress => "Every area and action, with milestones and impact measures.",
        ReportKind::Changes => "Ratings that moved, actions completed, and actions that fell overdue in the period.",
        ReportKind::Review => "For each area: the milestones due by 3, 6 and 12 months and whether they were met, the evidence of impact, and every action's rating and latest update.",
    };
    let areas = report
        .areas
        .iter()
        .map(|area| AreaView {
            number: area.number.clone(),
            title: area.title.clone(),
            counts: area.counts.clone(),
            actions: area
                .actions
                .iter()
                .map(|a| ActionView {
                    number: a.number.clone(),
                    description: a.description.clone(),
                    leads: a.leads.clone(),
                    rating: a.rating.as_ref().map_or(String::new(), |r| r.label.clone()),
                    colour: a
                        .rating
                        .as_ref()
                        .map_or(String::new(), |r| r.colour.clone()),
                    change: a.change.clone(),
                    updated: a.updated.map(long_date).unwrap_or_default(),
                    stale: a
                        .updated
                        .is_some_and(|d| (report.as_at - d).whole_days() > stale_after_days),
                    narrative: a.narrative.clone(),
                    overdue: a.overdue,
                    milestones: a.milestones.clone(),
                    extra: a.extra.clone(),
                })
                .collect(),
            outcomes: area.outcomes.clone(),
            checkpoints: area.checkpoints.clone(),
            impact: area.impact.iter().map(MeasureView::of).collect(),
            progress: area
                .progress
                .iter()
                .map(|line| {
                    (
                        progress_heading(line),
                        line.rating
                            .as_ref()
                            .map_or(String::new(), |r| r.label.clone()),
                        line.rating
                            .as_ref()
                            .map_or(String::new(), |r| r.colour.clone()),
                        line.narrative.clone(),
                    )
                })
                .collect(),
        })
        .collect();
    // Each measure's chart beside it, titled, with its figures: in the full progress
    // report and the review pack, for the measures that have values by the as-at date.
    let with_charts = matches!(report.kind, ReportKind::Progress | ReportKind::Review);
    let measure_views = report
        .measures
        .iter()
        .map(|line| {
            let mut view = MeasureView::of(line);
            let measure = line
                .measure_id
                .and_then(|id| measures.iter().find(|(m, _)| m.id == id));
            if let (true, Some((m, values))) = (with_charts, measure) {
                let plotted: Vec<Plotted> = current_as_at(values, report.as_at)
                    .map(Plotted::of)
                    .collect();
                view.chart = measure_chart(&Chart {
                    id: &format!("measure-{}", m.id),
                    title: &m.name,
                    unit: m.unit,
                    frequency: m.frequency,
                    trajectory: &m.trajectory,
                    values: &plotted,
                    comparators: &[],
                    figures: Figures::Table,
                });
            }
            view
        })
        .collect();
    ReportPaper {
        plan: report.plan_title.clone(),
        board: issue.map_or(String::new(), |i| i.board.to_owned()),
        issued_by: issue.map_or(String::new(), |i| i.by.to_owned()),
        issued_on: issue.map_or(String::new(), |i| i.on.clone()),
        partnership: partnership.to_owned(),
        title: report.title(),
        as_at: long_date(report.as_at),
        since: report.since.map(long_date).unwrap_or_default(),
        has_since: report.since.is_some(),
        is_review: report.kind == ReportKind::Review,
        review: report.review.clone(),
        scope: scope.to_owned(),
        empty: match report.kind {
            ReportKind::Exception => {
                "No exceptions: no action is off track, has some concerns or is overdue.".to_owned()
            }
            _ => "Nothing changed in the period.".to_owned(),
        },
        counts: report.counts.clone(),
        areas,
        show_measures: report.kind != ReportKind::Changes,
        measures: measure_views,
        measures_empty: match report.kind {
            ReportKind::Exception => "No measure is off its trajectory.".to_owned(),
            _ => "The plan has no impact measures.".to_owned(),
        },
    }
    .render()
}

/// The report's rows as CSV (for spreadsheets and scripts).
pub fn report_csv(report: &Report) -> Vec<u8> {
    let (head, rows) = sendplan_domain::reports::rows(report);
    sendplan_interchange::sheet_export::table_to_csv(&head, &rows)
}

/// The report's rows as an Excel workbook.
pub fn report_xlsx(report: &Report) -> Result<Vec<u8>, String> {
    let (head, rows) = sendplan_domain::reports::rows(report);
    sendplan_interchange::sheet_export::table_to_xlsx("Report", &head, &rows)
        .map_err(|e| e.to_string())
}

/// The report as a Word document: the same sections and tables as the paper (charts are
/// in the HTML paper and the progress report's measures table gives their figures).
pub fn report_docx(report: &Report, partnership: &str) -> Result<Vec<u8>, String> {
    use sendplan_interchange::docx::{to_docx, Block, Run};
    let mut blocks = vec![
        Block::Paragraph(vec![Run::plain(partnership)]),
        Block::Title(report.title()),
    ];
    if report.kind == ReportKind::Review {
        blocks.push(Block::Paragraph(vec![Run::bold(&report.review)]));
    }
    blocks.extend([
        Block::Paragraph(vec![Run::plain(match report.since {
            Some(since) => format!(
                "As at {}, compared with {}.",
                long_date(report.as_at),
                long_date(since)
            ),
            None => format!("As at {}.", long_date(report.as_at)),
        })]),
        Block::Table(
            vec!["Rating".into(), "Actions".into()],
            report
                .counts
                .iter()
                .map(|(label, n)| vec![label.clone(), n.to_string()])
                .collect(),
        ),
    ]);
    if report.areas.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(match report.kind {
            ReportKind::Exception => {
                "No exceptions: no action is off track, has some concerns or is overdue."
            }
            _ => "Nothing changed in the period.",
        })]));
    }
    let with_change = report.since.is_some();
    for area in &report.areas {
        blocks.push(Block::Heading(1, format!("{} {}", area.number, area.title)));
        for line in &area.progress {
            let rating = line
                .rating
                .as_ref()
                .map(|r| format!(": {}", r.label))
                .unwrap_or_default();
            blocks.push(Block::Heading(
                2,
                format!("{}{rating}", progress_heading(line)),
            ));
            blocks.push(Block::Paragraph(vec![Run::plain(line.narrative.clone())]));
        }
        if !area.counts.is_empty() {
            blocks.push(Block::Paragraph(vec![Run::plain(
                area.counts
                    .iter()
                    .map(|(l, n)| format!("{l}: {n}"))
                    .collect::<Vec<_>>()
                    .join("; "),
            )]));
        }
        if report.kind == ReportKind::Review {
            review_blocks(area, &mut blocks);
        }
        let mut head = vec!["Action".to_owned(), "Lead".to_owned(), "Rating".to_owned()];
        if with_change {
            head.push("What changed".to_owned());
        }
        head.push("Latest update".to_owned());
        let rows = area
            .actions
            .iter()
            .map(|a| {
                let mut action = format!("{} {}", a.number, a.description);
                if a.overdue {
                    action.push_str(" (overdue)");
                }
                for (name, value) in &a.extra {
                    action.push_str(&format!("\n{name}: {value}"));
                }
                for m in &a.milestones {
                    let due = if m.due.is_empty() {
                        String::new()
                    } else {
                        format!(" (due {})", m.due)
                    };
                    let state = if m.done {
                        ": done"
                    } else if m.overdue {
                        ": overdue"
                    } else {
                        ""
                    };
                    action.push_str(&format!("\n• {}{due}{state}", m.title));
                }
                let mut row = vec![
                    action,
                    a.leads.clone(),
                    a.rating
                        .as_ref()
                        .map_or("Not rated".to_owned(), |r| r.label.clone()),
                ];
                if with_change {
                    row.push(a.change.clone());
                }
                row.push(match a.updated {
                    Some(d) => format!("{}\nUpdated {}", a.narrative, long_date(d)),
                    None => "No update yet".to_owned(),
                });
                row
            })
            .collect();
        blocks.push(Block::Table(head, rows));
    }
    if report.kind != ReportKind::Changes {
        blocks.push(Block::Heading(1, "Impact measures".to_owned()));
        blocks.push(measures_table(&report.measures));
    }
    blocks.push(Block::Paragraph(vec![Run::plain(format!(
        "Produced by sendplan from the plan's records as they stood on {}.",
        long_date(report.as_at)
    ))]));
    to_docx(&report.title(), &blocks)
}

/// An area's milestones at 3, 6 and 12 months and its evidence of impact, for the review
/// pack.
fn review_blocks(
    area: &sendplan_domain::reports::AreaSection,
    blocks: &mut Vec<sendplan_interchange::docx::Block>,
) {
    use sendplan_interchange::docx::{Block, Run};
    blocks.push(Block::Heading(
        2,
        "Milestones at 3, 6 and 12 months".to_owned(),
    ));
    if area.checkpoints.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(
            "This area has no milestones.",
        )]));
    }
    for checkpoint in &area.checkpoints {
        blocks.push(Block::Paragraph(vec![Run::bold(&checkpoint.label)]));
        blocks.push(Block::Table(
            ["Action", "Milestone", "Due", "Met?"]
                .map(str::to_owned)
                .to_vec(),
            checkpoint
                .milestones
                .iter()
                .map(|m| {
                    vec![
                        m.action.clone(),
                        m.title.clone(),
                        m.due.clone(),
                        m.state.clone(),
                    ]
                })
                .collect(),
        ));
    }
    blocks.push(Block::Heading(2, "Evidence of impact".to_owned()));
    if !area.outcomes.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(format!(
            "Outcomes the area strives for:\n{}",
            area.outcomes
                .iter()
                .map(|o| format!("• {o}"))
                .collect::<Vec<_>>()
                .join("\n")
        ))]));
    }
    if area.impact.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(
            "No impact measure is linked to this area or its actions.",
        )]));
    } else {
        blocks.push(measures_table(&area.impact));
    }
    blocks.push(Block::Heading(2, "Actions".to_owned()));
}

fn measures_table(measures: &[MeasureLine]) -> sendplan_interchange::docx::Block {
    sendplan_interchange::docx::Block::Table(
        ["Measure", "Latest value", "Trajectory expected", "Status"]
            .map(str::to_owned)
            .to_vec(),
        measures
            .iter()
            .map(|m| {
                vec![
                    m.name.clone(),
                    m.latest_text.clone(),
                    m.expected_text.clone(),
                    status_label(m.status).to_owned(),
                ]
            })
            .collect(),
    )
}

fn status_label(status: Option<MeasureStatus>) -> &'static str {
    status.map_or("Not rated", MeasureStatus::label)
}
