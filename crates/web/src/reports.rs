//! Board reports written out: a self-contained HTML paper (its styles inside it, charts
//! drawn as SVG, nothing fetched), the same paper as a Word document (charts as pictures),
//! CSV and Excel. The paper is shown in the browser, printed to PDF, written by
//! `sendplan report`, and stored byte for byte when issued to a board.
//!
//! Both the HTML and the Word paper are written from one `PaperView`, so they have the same
//! cover, contents, executive summary, exceptions, areas and measures.

use crate::charts::{chart_svg, legend_words, measure_chart, Chart, Figures, Plotted};
use askama::Template;
use sendplan_domain::input::long_date;
use sendplan_domain::measures::{current_as_at, DataPoint, Measure, MeasureStatus};
use sendplan_domain::reports::{ActionLine, MeasureLine, Report, ReportKind};

/// The Content-Security-Policy a report is served with: its own styles, no scripts, and
/// nothing from anywhere else.
pub const REPORT_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The colours a rating is shown in (GOV.UK tag colours): its name, text colour and
/// background. The paper's stylesheet and the Word paper's cell shading both come from here.
const TAG_COLOURS: [(&str, &str, &str); 9] = [
    ("red", "2a0b06", "f4cdc6"),
    ("orange", "6e3619", "fcd6c3"),
    ("yellow", "594d00", "fff7bf"),
    ("green", "005a30", "cce2d8"),
    ("turquoise", "10403c", "d4ecea"),
    ("blue", "0c2d4a", "bbd4ea"),
    ("purple", "3d2375", "dbd5e9"),
    ("pink", "6b1c40", "efd4e0"),
    ("grey", "282d30", "eeefef"),
];

/// The background a rating of `colour` is shaded with in a Word table, if it has one.
fn fill_of(colour: &str) -> Option<&'static str> {
    TAG_COLOURS
        .iter()
        .find(|(name, _, _)| *name == colour)
        .map(|(_, _, background)| *background)
}

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
    /// Why it is an exception, in words ("Rated Red; overdue"); empty when it is not one.
    why: String,
    milestones: Vec<sendplan_domain::reports::MilestoneLine>,
    extra: Vec<(String, String)>,
}

impl ActionView {
    fn of(a: &ActionLine, as_at: time::Date, stale_after_days: i64) -> Self {
        let mut why = Vec::new();
        if a.off_track {
            if let Some(r) = a.rating.as_ref().filter(|r| {
                matches!(
                    r.class,
                    sendplan_domain::rating::RatingClass::OffTrack
                        | sendplan_domain::rating::RatingClass::SomeConcerns
                )
            }) {
                why.push(format!("Rated {}", r.label));
            }
            if a.overdue {
                why.push("past its completion date".to_owned());
            }
            if a.milestones.iter().any(|m| m.overdue) {
                why.push("a milestone is overdue".to_owned());
            }
        }
        let why = why.join("; ");
        ActionView {
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
                .is_some_and(|d| (as_at - d).whole_days() > stale_after_days),
            narrative: a.narrative.clone(),
            overdue: a.overdue,
            why: match why.get(..1) {
                Some(first) => format!("{}{}", first.to_uppercase(), &why[1..]),
                None => why,
            },
            milestones: a.milestones.clone(),
            extra: a.extra.clone(),
        }
    }

    /// The latest update in words, with its date or the lack of one.
    fn update_text(&self) -> String {
        if self.updated.is_empty() {
            "No update yet".to_owned()
        } else if self.stale {
            format!("{}\nNo update since {}", self.narrative, self.updated)
        } else {
            format!("{}\nUpdated {}", self.narrative, self.updated)
        }
    }
}

struct AreaView {
    /// The area's anchor in the paper ("area-3"), for the contents.
    anchor: String,
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
    /// The chart's wide drawing alone, for a picture in the Word paper.
    svg: String,
    /// The chart's legend in words, for the Word paper.
    legend: Vec<String>,
}

impl MeasureView {
    fn of(m: &MeasureLine) -> Self {
        MeasureView {
            name: m.name.clone(),
            latest: m.latest_text.clone(),
            expected: m.expected_text.clone(),
            status: status_label(m.status).to_owned(),
            chart: String::new(),
            svg: String::new(),
            legend: Vec::new(),
        }
    }
}

/// One line of the executive summary: a rating class, its count now and then, the change.
struct MovementView {
    label: String,
    colour: String,
    now: usize,
    then: String,
    change: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct PaperView {
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
    /// The paper's parts, for its contents: (anchor, heading).
    contents: Vec<(String, String)>,
    movement: Vec<MovementView>,
    /// The executive summary's sentences.
    summary: Vec<String>,
    /// Off-track actions with their leads' commentary, for papers that cover every action
    /// (the exception report is nothing but these).
    show_exceptions: bool,
    exceptions: Vec<(String, ActionView)>,
    areas: Vec<AreaView>,
    show_measures: bool,
    measures: Vec<MeasureView>,
    measures_empty: String,
    local_offer: Option<LocalOfferUse>,
    tag_colours: &'static [(&'static str, &'static str, &'static str)],
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

/// What a board paper is made from: the report, the partnership it is for, the plan's
/// measures with their values (for the charts), and the issue when it goes to a board.
#[derive(Clone, Copy)]
pub struct BoardPaper<'a> {
    pub report: &'a Report,
    pub partnership: &'a str,
    /// After how many days without an update an action is said to need one.
    pub stale_after_days: i64,
    pub measures: &'a [(Measure, Vec<DataPoint>)],
    pub issue: Option<&'a Issue<'a>>,
    /// The Local Offer's use in the last month before the paper's date, where the
    /// partnership keeps a Local Offer in sendplan.
    pub local_offer: Option<&'a LocalOfferUse>,
}

/// The Local Offer's key figures for a month, against the month before and the same
/// month a year before, as a paper shows them (the performance page's key figures).
#[derive(Debug, Clone)]
pub struct LocalOfferUse {
    pub month: String,
    pub previous: String,
    pub year_before: String,
    /// What the figures are, in a sentence.
    pub sentence: String,
    /// Figure, this month, the month before, change, a year before, change.
    pub rows: Vec<[String; 6]>,
}

/// The Local Offer's use for a paper dated `as_at`: the last whole month by then (the
/// month itself if `as_at` is its last day); `None` without a Local Offer.
pub async fn local_offer_use(
    store: &sendplan_storage::Store,
    partnership: sendplan_domain::PartnershipId,
    as_at: time::Date,
) -> Result<Option<LocalOfferUse>, sendplan_storage::StoreError> {
    use sendplan_domain::local_offer::performance::{compare, Period};
    if !store.has_local_offer(partnership).await? {
        return Ok(None);
    }
    let this = Period::month_of(as_at);
    let month = if this.to == as_at {
        this
    } else {
        this.previous()
    };
    let now = store.period_figures(partnership, month).await?;
    let previous = store.period_figures(partnership, month.previous()).await?;
    let year_before = store
        .period_figures(partnership, month.year_before())
        .await?;
    Ok(Some(LocalOfferUse {
        sentence: format!(
            "Visits to the Local Offer and families' answers in {}, counted by sendplan without cookies, against {} and {}.",
            month.describe(),
            month.previous().describe(),
            month.year_before().describe()
        ),
        month: month.describe(),
        previous: month.previous().describe(),
        year_before: month.year_before().describe(),
        rows: compare(&now, &previous, &year_before)
            .iter()
            .map(|c| {
                [
                    c.figure.label().to_owned(),
                    c.figure.show(c.now),
                    c.figure.show(c.previous),
                    c.change_from(c.previous),
                    c.figure.show(c.year_before),
                    c.change_from(c.year_before),
                ]
            })
            .collect(),
    }))
}

impl BoardPaper<'_> {
    /// The paper as self-contained HTML (to read, print, or print to PDF).
    pub fn html(&self) -> Result<String, askama::Error> {
        self.view().render()
    }

    /// The paper as a Word document.
    pub fn docx(&self) -> Result<Vec<u8>, String> {
        word_paper(&self.view())
    }

    fn view(&self) -> PaperView {
        let report = self.report;
        let scope = match report.kind {
            ReportKind::Exception => "Actions rated off track or some concerns, overdue actions and milestones, and measures off their trajectory.",
            ReportKind::Progress => "Every area and action, with milestones and impact measures.",
            ReportKind::Changes => "Ratings that moved, actions completed, and actions that fell overdue in the period.",
            ReportKind::Review => "For each area: the milestones due by 3, 6 and 12 months and whether they were met, the evidence of impact, and every action's rating and latest update.",
        };
        let action_view = |a: &ActionLine| ActionView::of(a, report.as_at, self.stale_after_days);
        let areas: Vec<AreaView> = report
            .areas
            .iter()
            .enumerate()
            .map(|(i, area)| AreaView {
                anchor: format!("area-{}", i + 1),
                number: area.number.clone(),
                title: area.title.clone(),
                counts: area.counts.clone(),
                actions: area.actions.iter().map(action_view).collect(),
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
        // The exceptions of a paper that covers every action: the exception report lists
        // only exceptions, and the changes report only what moved.
        let show_exceptions = matches!(report.kind, ReportKind::Progress | ReportKind::Review);
        let exceptions: Vec<(String, ActionView)> = if show_exceptions {
            report
                .areas
                .iter()
                .flat_map(|area| {
                    area.actions
                        .iter()
                        .filter(|a| a.off_track)
                        .map(|a| (format!("{} {}", area.number, area.title), action_view(a)))
                })
                .collect()
        } else {
            Vec::new()
        };
        // Each measure's chart beside it, titled, with its figures: in the full progress
        // report and the review pack, for the measures that have values by the as-at date.
        let with_charts = matches!(report.kind, ReportKind::Progress | ReportKind::Review);
        let measures: Vec<MeasureView> = report
            .measures
            .iter()
            .map(|line| {
                let mut view = MeasureView::of(line);
                let measure = line
                    .measure_id
                    .and_then(|id| self.measures.iter().find(|(m, _)| m.id == id));
                if let (true, Some((m, values))) = (with_charts, measure) {
                    let plotted: Vec<Plotted> = current_as_at(values, report.as_at)
                        .map(Plotted::of)
                        .collect();
                    let chart = Chart {
                        id: &format!("measure-{}", m.id),
                        title: &m.name,
                        unit: m.unit,
                        frequency: m.frequency,
                        trajectory: &m.trajectory,
                        values: &plotted,
                        comparators: &[],
                        figures: Figures::Table,
                    };
                    view.chart = measure_chart(&chart);
                    view.svg = chart_svg(&chart).unwrap_or_default();
                    view.legend = legend_words(&chart);
                }
                view
            })
            .collect();
        let show_measures = report.kind != ReportKind::Changes;
        let mut contents = vec![("summary".to_owned(), "Executive summary".to_owned())];
        if show_exceptions {
            contents.push(("exceptions".to_owned(), "Exceptions".to_owned()));
        }
        contents.extend(
            areas
                .iter()
                .map(|a| (a.anchor.clone(), format!("{} {}", a.number, a.title))),
        );
        if show_measures {
            contents.push(("measures".to_owned(), "Impact measures".to_owned()));
        }
        let local_offer = self.local_offer.filter(|_| show_measures).cloned();
        if local_offer.is_some() {
            contents.push(("local-offer".to_owned(), "The Local Offer's use".to_owned()));
        }
        PaperView {
            plan: report.plan_title.clone(),
            board: self.issue.map_or(String::new(), |i| i.board.to_owned()),
            issued_by: self.issue.map_or(String::new(), |i| i.by.to_owned()),
            issued_on: self.issue.map_or(String::new(), |i| i.on.clone()),
            partnership: self.partnership.to_owned(),
            title: report.title(),
            as_at: long_date(report.as_at),
            since: report.since.map(long_date).unwrap_or_default(),
            has_since: report.since.is_some(),
            is_review: report.kind == ReportKind::Review,
            review: report.review.clone(),
            scope: scope.to_owned(),
            empty: match report.kind {
                ReportKind::Exception => {
                    "No exceptions: no action is off track, has some concerns or is overdue."
                        .to_owned()
                }
                _ => "Nothing changed in the period.".to_owned(),
            },
            contents,
            movement: report
                .movement
                .iter()
                .map(|m| MovementView {
                    label: m.label.clone(),
                    colour: m
                        .class
                        .map_or("grey", crate::views::class_colour)
                        .to_owned(),
                    now: m.now,
                    then: m.then.map_or(String::new(), |t| t.to_string()),
                    change: m.change(),
                })
                .collect(),
            summary: summary(report),
            show_exceptions,
            exceptions,
            areas,
            show_measures,
            measures,
            measures_empty: match report.kind {
                ReportKind::Exception => "No measure is off its trajectory.".to_owned(),
                _ => "The plan has no impact measures.".to_owned(),
            },
            local_offer,
            tag_colours: &TAG_COLOURS,
        }
    }
}

/// The executive summary in sentences: how many actions, how many off track, how the
/// measures stand.
fn summary(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    let actions: usize = report.movement.iter().map(|m| m.now).sum();
    let plural = |n: usize, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    out.push(format!(
        "The plan has {} as at {}.",
        plural(actions, "action", "actions"),
        long_date(report.as_at)
    ));
    if matches!(report.kind, ReportKind::Progress | ReportKind::Review) {
        let off = report.off_track_count();
        out.push(if off == 0 {
            "No action is off track, has some concerns or is overdue.".to_owned()
        } else {
            format!(
                "{} off track, with some concerns, past its completion date or with a milestone overdue: they are listed under Exceptions with their leads' latest commentary.",
                plural(off, "action is", "actions are")
            )
        });
    }
    if report.kind != ReportKind::Changes && !report.measures.is_empty() {
        let counted = |status: MeasureStatus| {
            report
                .measures
                .iter()
                .filter(|m| m.status == Some(status))
                .count()
        };
        if report.kind == ReportKind::Exception {
            out.push(format!(
                "{} off {} trajectory.",
                plural(
                    report.measures.len(),
                    "impact measure is",
                    "impact measures are"
                ),
                if report.measures.len() == 1 {
                    "its"
                } else {
                    "their"
                }
            ));
        } else {
            out.push(format!(
                "Of {}, {} on or ahead of trajectory, {} with some concerns, {} off it, and {} with no value or trajectory to judge by.",
                plural(report.measures.len(), "impact measure", "impact measures"),
                counted(MeasureStatus::OnTrack),
                counted(MeasureStatus::SomeConcerns),
                counted(MeasureStatus::OffTrack),
                report.measures.iter().filter(|m| m.status.is_none()).count()
            ));
        }
    }
    if let Some(since) = report.since {
        out.push(format!(
            "The table compares the actions' ratings with {}.",
            long_date(since)
        ));
    }
    out
}

/// The report as a self-contained HTML paper. `measures` are the plan's measures with
/// their values, for the charts of the full progress report.
pub fn report_html(
    report: &Report,
    partnership: &str,
    stale_after_days: i64,
    measures: &[(Measure, Vec<DataPoint>)],
) -> Result<String, askama::Error> {
    BoardPaper {
        report,
        partnership,
        stale_after_days,
        measures,
        issue: None,
        local_offer: None,
    }
    .html()
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

/// The paper as a Word document: the same parts as the HTML paper, headings in Word's
/// outline, tables with set column widths and ratings shaded, charts as pictures.
fn word_paper(p: &PaperView) -> Result<Vec<u8>, String> {
    use sendplan_interchange::docx::{to_docx, Block, Cell, Picture, Run, Table};
    let shaded = |label: &str, colour: &str| Cell::shaded(label, fill_of(colour));
    let mut blocks = vec![
        Block::Paragraph(vec![Run::plain(&p.partnership)]),
        Block::Title(p.title.clone()),
    ];
    if p.is_review {
        blocks.push(Block::Paragraph(vec![Run::bold(&p.review)]));
    }
    // The cover: the same facts as the HTML paper's.
    let mut cover = vec![
        ("Partnership", p.partnership.clone()),
        ("Plan", p.plan.clone()),
    ];
    if !p.board.is_empty() {
        cover.push(("Board", p.board.clone()));
    }
    cover.push((
        "As at",
        if p.since.is_empty() {
            p.as_at.clone()
        } else {
            format!("{}, compared with {}", p.as_at, p.since)
        },
    ));
    if p.board.is_empty() {
        cover.push(("Status", "Not issued: produced for reading".to_owned()));
    } else {
        cover.push(("Issued by", p.issued_by.clone()));
        cover.push(("Issued", p.issued_on.clone()));
    }
    blocks.push(Block::Table(Table {
        head: vec![],
        widths: vec![1, 4],
        rows: cover
            .into_iter()
            .map(|(k, v)| vec![Cell::shaded(k, Some("F3F2F1")), Cell::text(v)])
            .collect(),
    }));
    blocks.push(Block::Paragraph(vec![Run::plain(&p.scope)]));
    blocks.push(Block::Heading(1, "Contents".to_owned()));
    blocks.push(Block::Bullets(
        p.contents.iter().map(|(_, h)| h.clone()).collect(),
    ));
    blocks.push(Block::PageBreak);

    blocks.push(Block::Heading(1, "Executive summary".to_owned()));
    blocks.push(Block::Paragraph(vec![Run::plain(p.summary.join(" "))]));
    let mut head = vec!["Rating".to_owned(), format!("Actions at {}", p.as_at)];
    if p.has_since {
        head.push(format!("At {}", p.since));
        head.push("Change".to_owned());
    }
    blocks.push(Block::Table(Table {
        widths: if p.has_since {
            vec![3, 2, 2, 2]
        } else {
            vec![3, 2]
        },
        head,
        rows: p
            .movement
            .iter()
            .map(|m| {
                let mut row = vec![shaded(&m.label, &m.colour), Cell::text(m.now.to_string())];
                if p.has_since {
                    row.push(Cell::text(&m.then));
                    row.push(Cell::text(&m.change));
                }
                row
            })
            .collect(),
    }));

    if p.show_exceptions {
        blocks.push(Block::Heading(1, "Exceptions".to_owned()));
        if p.exceptions.is_empty() {
            blocks.push(Block::Paragraph(vec![Run::plain(
                "No action is off track, has some concerns or is overdue.",
            )]));
        } else {
            blocks.push(Block::Table(Table {
                head: [
                    "Action",
                    "Lead",
                    "Rating",
                    "Why it is an exception",
                    "The lead's latest commentary",
                ]
                .map(str::to_owned)
                .to_vec(),
                widths: vec![5, 2, 2, 3, 6],
                rows: p
                    .exceptions
                    .iter()
                    .map(|(area, a)| {
                        vec![
                            Cell::text(format!("{} {}\n({area})", a.number, a.description)),
                            Cell::text(&a.leads),
                            rating_cell(a),
                            Cell::text(&a.why),
                            Cell::text(a.update_text()),
                        ]
                    })
                    .collect(),
            }));
        }
    }

    if p.areas.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(&p.empty)]));
    }
    for area in &p.areas {
        blocks.push(Block::Heading(1, format!("{} {}", area.number, area.title)));
        for (heading, rating, _, narrative) in &area.progress {
            let rating = if rating.is_empty() {
                String::new()
            } else {
                format!(": {rating}")
            };
            blocks.push(Block::Heading(2, format!("{heading}{rating}")));
            blocks.push(Block::Paragraph(vec![Run::plain(narrative)]));
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
        if p.is_review {
            review_blocks(area, &mut blocks);
        }
        if area.actions.is_empty() {
            blocks.push(Block::Paragraph(vec![Run::plain(
                "No actions in this area.",
            )]));
            continue;
        }
        let mut head = vec!["Action".to_owned(), "Lead".to_owned(), "Rating".to_owned()];
        let mut widths = vec![6, 2, 2];
        if p.has_since {
            head.push("What changed".to_owned());
            widths.push(3);
        }
        head.push("Latest update".to_owned());
        widths.push(7);
        let rows = area
            .actions
            .iter()
            .map(|a| {
                let mut row = vec![
                    Cell::text(action_text(a)),
                    Cell::text(&a.leads),
                    rating_cell(a),
                ];
                if p.has_since {
                    row.push(Cell::text(&a.change));
                }
                row.push(Cell::text(a.update_text()));
                row
            })
            .collect();
        blocks.push(Block::Table(Table { head, widths, rows }));
    }

    if p.show_measures {
        blocks.push(Block::Heading(1, "Impact measures".to_owned()));
        if p.measures.is_empty() {
            blocks.push(Block::Paragraph(vec![Run::plain(&p.measures_empty)]));
        } else {
            blocks.push(measures_table(&p.measures));
        }
        for m in p.measures.iter().filter(|m| !m.svg.is_empty()) {
            blocks.push(Block::Heading(2, m.name.clone()));
            blocks.push(Block::KeptWithNext(vec![Run::plain(measure_sentence(m))]));
            // Drawn at twice its size, so it stays sharp printed.
            let png = sendplan_interchange::raster::svg_to_png(&m.svg, 2.0)?;
            blocks.push(Block::KeptWithNext(vec![Run::bold(format!(
                "Chart: {}",
                m.name
            ))]));
            blocks.push(Block::Picture(Picture {
                width: png.width / 2,
                height: png.height / 2,
                png: png.bytes,
            }));
            blocks.push(Block::Bullets(m.legend.clone()));
        }
    }
    if let Some(lo) = &p.local_offer {
        blocks.push(Block::Heading(1, "The Local Offer's use".to_owned()));
        blocks.push(Block::Paragraph(vec![Run::plain(&lo.sentence)]));
        blocks.push(Block::Table(Table {
            head: vec![
                "Figure".to_owned(),
                lo.month.clone(),
                lo.previous.clone(),
                "Change".to_owned(),
                lo.year_before.clone(),
                "Change on a year before".to_owned(),
            ],
            widths: vec![3, 2, 2, 2, 2, 2],
            rows: lo
                .rows
                .iter()
                .map(|r| r.iter().map(Cell::text).collect())
                .collect(),
        }));
    }
    blocks.push(Block::Paragraph(vec![Run::plain(format!(
        "Produced by sendplan from the plan's records as they stood on {}.",
        p.as_at
    ))]));
    to_docx(&blocks)
}

fn rating_cell(a: &ActionView) -> sendplan_interchange::docx::Cell {
    if a.rating.is_empty() {
        sendplan_interchange::docx::Cell::text("Not rated")
    } else {
        sendplan_interchange::docx::Cell::shaded(&a.rating, fill_of(&a.colour))
    }
}

/// An action's cell: number, description, whether overdue, extra fields and milestones.
fn action_text(a: &ActionView) -> String {
    let mut text = format!("{} {}", a.number, a.description);
    if a.overdue {
        text.push_str(" (overdue)");
    }
    for (name, value) in &a.extra {
        text.push_str(&format!("\n{name}: {value}"));
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
        text.push_str(&format!("\n• {}{due}{state}", m.title));
    }
    text
}

/// "Latest value: 21.3% (31 December 2024). Trajectory expected 40%. Off trajectory."
fn measure_sentence(m: &MeasureView) -> String {
    let mut text = format!("Latest value: {}.", m.latest);
    if !m.expected.is_empty() {
        text.push_str(&format!(" Trajectory expected {}.", m.expected));
    }
    if !m.status.is_empty() {
        text.push_str(&format!(" {}.", m.status));
    }
    text
}

/// An area's milestones at 3, 6 and 12 months and its evidence of impact, for the review
/// pack.
fn review_blocks(area: &AreaView, blocks: &mut Vec<sendplan_interchange::docx::Block>) {
    use sendplan_interchange::docx::{Block, Cell, Run, Table};
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
        blocks.push(Block::Heading(3, checkpoint.label.clone()));
        blocks.push(Block::Table(Table {
            head: ["Action", "Milestone", "Due", "Met?"]
                .map(str::to_owned)
                .to_vec(),
            widths: vec![2, 6, 2, 2],
            rows: checkpoint
                .milestones
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(&m.action),
                        Cell::text(&m.title),
                        Cell::text(&m.due),
                        Cell::shaded(&m.state, fill_of(if m.met { "green" } else { "red" })),
                    ]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Heading(2, "Evidence of impact".to_owned()));
    if !area.outcomes.is_empty() {
        blocks.push(Block::Paragraph(vec![Run::plain(
            "Outcomes the area strives for:",
        )]));
        blocks.push(Block::Bullets(area.outcomes.clone()));
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

fn measures_table(measures: &[MeasureView]) -> sendplan_interchange::docx::Block {
    use sendplan_interchange::docx::{Block, Cell, Table};
    Block::Table(Table {
        head: ["Measure", "Latest value", "Trajectory expected", "Status"]
            .map(str::to_owned)
            .to_vec(),
        widths: vec![6, 3, 2, 2],
        rows: measures
            .iter()
            .map(|m| {
                vec![
                    Cell::text(&m.name),
                    Cell::text(&m.latest),
                    Cell::text(&m.expected),
                    Cell::shaded(
                        &m.status,
                        fill_of(match m.status.as_str() {
                            s if s == MeasureStatus::OffTrack.label() => "red",
                            s if s == MeasureStatus::OnTrack.label() => "green",
                            s if s == MeasureStatus::SomeConcerns.label() => "orange",
                            _ => "",
                        }),
                    ),
                ]
            })
            .collect(),
    })
}

fn status_label(status: Option<MeasureStatus>) -> &'static str {
    status.map_or("Not rated", MeasureStatus::label)
}
