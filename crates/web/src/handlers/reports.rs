//! Board reports: choose a report and its "as at" date, read it as a paper (HTML, to print
//! or save), or download its rows (CSV, Excel); issue it to a board, which keeps the paper
//! exactly as it was issued.

use super::FormPairs;
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::{FormPage, PageSection};
use crate::reports::{report_csv, report_xlsx, BoardPaper, Issue, REPORT_CSP};
use crate::views::{Cell, Chrome, Tag};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use sendplan_domain::access::Capability;
use sendplan_domain::input::{long_date, uk_date_time, FormReader, RawForm};
use sendplan_domain::reports::{build, ReportKind};
use sendplan_domain::PlanId;
use time::Date;

const FORMATS: [(&str, &str); 5] = [
    ("html", "A paper to read, print or save (HTML)"),
    ("pdf", "A PDF"),
    ("docx", "A Word document"),
    ("xlsx", "Its rows as an Excel workbook"),
    ("csv", "Its rows as CSV"),
];

/// The formats this server can write: PDF only where it has Chromium to print with.
fn formats(state: &AppState) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    let pdf = state.config.pdf.is_some();
    FORMATS
        .iter()
        .filter(move |(code, _)| pdf || *code != "pdf")
}

/// The Reports page. `boards` are the partnership's boards (read once by the caller,
/// which also checks a chosen board against them).
async fn reports_page(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    boards: &[sendplan_domain::governance::Board],
) -> Result<FormPage, AppError> {
    let plan = state.store.get_plan(ctx.pid(), plan).await?;
    let mut fields = vec![
        Field::radios("kind", "Which report?", ReportKind::ALL.iter().map(|k| Choice::new(k.code(), k.label())).collect())
            .hint("The exception report lists actions off track, with some concerns or overdue, and measures off their trajectory. The full progress report covers every action. The changes report lists what moved between two dates. The review pack is for the DfE and NHS England reviews at 6, 12 and 18 months: milestones at 3, 6 and 12 months and evidence of impact."),
        Field::date("as_at", "As at (optional)").hint("The day the report describes: ratings, milestones and measures as they stood then. Leave blank for today."),
        Field::date("since", "Compared with (optional)").hint("The date of the previous report, to show what changed since. Leave blank to compare with the last paper issued to a board. The changes report needs a date."),
        Field::radios("format", "Format", formats(state).map(|(code, label)| Choice::new(code, *label)).collect()).value("html"),
    ];
    if ctx.can(Capability::EditPlans) {
        // Chosen from the Boards page, never typed: a typing slip would become the
        // permanent, public name of the board on an issued paper.
        let mut choices = vec![Choice::new("", "Do not issue it: just produce it")];
        choices.extend(boards.iter().map(|b| Choice::new(b.id, b.name.clone())));
        fields.push(
            Field::select("board", "Issue it to a board (optional)", choices).hint(
                "An issued paper is kept exactly as issued (as HTML, and as the PDF or Word document byte for byte when you choose one of those), says on its cover to which board, by whom and when, and is listed on this page. Boards are added on the Boards page.",
            ),
        );
    }
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Reports", "overview"),
        "Reports",
        format!("{}/plans/{}/reports", ctx.base(), plan.id),
        fields,
    )
    .caption(plan.title.clone())
    .submit("Produce the report")
    .cancel(format!("{}/plans/{}", ctx.base(), plan.id))
    .intro("Reports are produced from the plan's records as they stood on the chosen day, so a report for last month's board says what was known then.");
    let editable = ctx.can(Capability::EditPlans);
    let plan_base = format!("{}/plans/{}", ctx.base(), plan.id);
    // The reporting cycle: which report goes to which board, how often, when next.
    let mut cycle = PageSection {
        heading: "The reporting cycle".to_owned(),
        intro: "Which report goes to which board and how often, and when each is next due."
            .to_owned(),
        head: vec!["Report", "Board", "How often", "Next due", ""],
        empty: "No reports are in the reporting cycle yet.".to_owned(),
        ..PageSection::default()
    };
    for line in state.store.list_reporting_lines(ctx.pid(), plan.id).await? {
        let board = boards
            .iter()
            .find(|b| b.id == line.board_id)
            .map_or(String::new(), |b| b.name.clone());
        let kind = line.kind.label();
        let mut actions = Cell::default().with_link(
            "Read it now",
            format!("(the {} for {board})", kind.to_lowercase()),
            format!(
                "{plan_base}/reports/view?kind={}&format=html",
                line.kind.code()
            ),
        );
        if editable {
            if line.until.is_none() {
                actions = actions.with_link(
                    "Change how often",
                    format!("the {} goes to {board}", kind.to_lowercase()),
                    format!("{plan_base}/cycle/{}/change", line.id),
                );
            }
            actions = actions.with_link(
                "Take out",
                format!(
                    "the {} to {board} from the reporting cycle",
                    kind.to_lowercase()
                ),
                format!("{plan_base}/cycle/{}/remove", line.id),
            );
        }
        cycle.rows.push(vec![
            Cell::text(kind),
            Cell::text(board),
            Cell::text(line.cadence.label()),
            Cell::text(match (line.next_due(ctx.today), line.until) {
                (Some(due), _) => long_date(due),
                (None, Some(until)) => format!("Ended {}", long_date(until)),
                (None, None) => "Ended".to_owned(),
            }),
            actions,
        ]);
    }
    if editable {
        cycle.links.push((
            "Add a report to the reporting cycle".to_owned(),
            format!("{plan_base}/cycle/new"),
        ));
    }
    // Papers issued to boards, kept as issued; which are on the public page.
    let mut issued_section = PageSection {
        heading: "Papers issued to boards".to_owned(),
        intro: "Each paper is kept exactly as it was issued. A paper is public only once a plan manager publishes it on the plan's public page.".to_owned(),
        head: vec!["Paper", "Board", "As at", "Issued", "Public page", ""],
        empty: "No paper has been issued to a board yet. Choose a board above to issue one.".to_owned(),
        ..PageSection::default()
    };
    let published = state.store.published_report_ids(ctx.pid(), plan.id).await?;
    let corrections = state.store.paper_corrections(ctx.pid(), plan.id).await?;
    for issued in state.store.list_issued_reports(ctx.pid(), plan.id).await? {
        let is_public = published.contains(&issued.id);
        let corrected = corrections.iter().find(|c| c.report_id == issued.id);
        let mut paper = Cell::link(
            issued.title.clone(),
            format!("{}/reports/{}", ctx.base(), issued.id),
        );
        if issued.format != "html" {
            let name = sendplan_storage::format_name(&issued.format);
            paper = paper.with_link(
                format!("Download the {name} document as issued"),
                format!("({}, as at {})", issued.title, long_date(issued.as_at)),
                format!("{}/reports/{}/document", ctx.base(), issued.id),
            );
        }
        if let Some(c) = corrected {
            paper = paper.with_tag(Tag::new("Superseded", "grey"));
            paper.text = format!(
                "{} (superseded by a correction{}: {})",
                issued.title,
                if c.by_name.is_empty() {
                    String::new()
                } else {
                    format!(" by {}", c.by_name)
                },
                c.reason
            );
        }
        let when = time::OffsetDateTime::parse(
            &issued.issued_at,
            &time::format_description::well_known::Rfc3339,
        )
        .map_or(issued.issued_at.clone(), uk_date_time);
        let mut actions = Cell::default();
        if editable && corrected.is_none() {
            let of = format!(
                "of the {} paper of {}",
                issued.board,
                long_date(issued.as_at)
            );
            actions = actions
                .with_link(
                    "Issue a correction",
                    of.clone(),
                    format!("{}/reports/{}/correct", ctx.base(), issued.id),
                )
                .with_link(
                    if is_public { "Withdraw" } else { "Publish" },
                    format!(
                        "the {} paper of {} {} the public progress page",
                        issued.board,
                        long_date(issued.as_at),
                        if is_public { "from" } else { "on" }
                    ),
                    format!("{}/reports/{}/publish", ctx.base(), issued.id),
                );
        }
        issued_section.rows.push(vec![
            paper,
            Cell::text(issued.board.clone()),
            Cell::text(long_date(issued.as_at)),
            Cell::text(if issued.issued_by_name.is_empty() {
                when
            } else {
                format!("{when} by {}", issued.issued_by_name)
            }),
            if is_public {
                Cell::tags(vec![Tag::new("Published", "green")])
            } else {
                Cell::text("Not published")
            },
            actions,
        ]);
    }
    page = page.with_section(cycle).with_section(issued_section);
    Ok(page)
}

pub async fn show_reports(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    let boards = state.store.list_boards(ctx.pid()).await?;
    crate::pages::html(&reports_page(&state, &ctx, PlanId(plan), &boards).await?)
}

pub async fn produce_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    let boards = state.store.list_boards(ctx.pid()).await?;
    let page = reports_page(&state, &ctx, PlanId(plan), &boards).await?;
    let form = RawForm(pairs);
    let mut f = FormReader::new(&form);
    let kind = f.choice("kind", "which report", ReportKind::from_code);
    let as_at = f
        .date("as_at", "the as-at date", false)
        .unwrap_or(ctx.today);
    let mut since = f.date("since", "the date to compare with", false);
    let format = f.choice("format", "the format", |c| {
        formats(&state)
            .find(|(code, _)| *code == c)
            .map(|(code, _)| *code)
    });
    let board_id: Option<i64> = f.optional_id("board", "the board");
    let board = match board_id {
        None => String::new(),
        Some(id) => match boards.iter().find(|b| b.id.0 == id) {
            Some(b) => b.name.clone(),
            None => {
                f.error("board", "Choose a board from the list, or not to issue it");
                String::new()
            }
        },
    };
    if kind == Some(ReportKind::Changes) && since.is_none() && !f.has_error("since") {
        f.error(
            "since",
            "Enter the date to compare with: the changes report lists what moved since then",
        );
    }
    if since.is_some_and(|s| s >= as_at) {
        f.error(
            "since",
            "The date to compare with must be before the as-at date",
        );
    }
    if !board.is_empty() {
        if !ctx.can(Capability::EditPlans) {
            f.error("board", "Only plan managers can issue papers to boards");
        } else if !matches!(format, Some("html" | "pdf" | "docx")) {
            f.error(
                "format",
                "Papers are issued as HTML, PDF or Word: choose one of those, or do not issue it",
            );
        }
    }
    let (kind, format) = match f.finish((kind, format)) {
        Ok((Some(kind), Some(format))) => (kind, format),
        Ok(_) => return Err(AppError::NotFound),
        Err(errors) => return page.with_errors(&form, errors),
    };
    // The executive summary's movement is since the last paper, unless a date is given.
    if since.is_none() && kind != ReportKind::Changes {
        since = state
            .store
            .list_issued_reports(ctx.pid(), PlanId(plan))
            .await?
            .iter()
            .map(|r| r.as_at)
            .filter(|d| *d < as_at)
            .max();
    }
    if board.is_empty() {
        let mut href = format!(
            "{}/plans/{plan}/reports/view?kind={}&as_at={as_at}&format={format}",
            ctx.base(),
            kind.code()
        );
        if let Some(since) = since {
            href.push_str(&format!("&since={since}"));
        }
        return Ok((StatusCode::SEE_OTHER, [(header::LOCATION, href)]).into_response());
    }
    let issue = Issue {
        board: &board,
        by: &ctx.signed_in.user.display_name,
        on: uk_date_time(time::OffsetDateTime::now_utc()),
    };
    let (title, html, document) = paper_from_records(
        &state,
        &ctx,
        PlanId(plan),
        kind,
        as_at,
        since,
        &issue,
        format,
    )
    .await?;
    let id = state
        .store
        .issue_report(
            ctx.actor(),
            ctx.pid(),
            PlanId(plan),
            kind,
            as_at,
            since,
            &board,
            sendplan_storage::PaperContent {
                title: &title,
                html: &html,
                document: document.as_ref(),
            },
        )
        .await?;
    Ok(super::saved(
        &state,
        &format!("{}/reports/{id}", ctx.base()),
        &format!("Issued to {board}"),
    ))
}

/// A paper for a board, built from the plan's records as they stood on `as_at`: its title,
/// its HTML and, issued as PDF or Word (`format`), that document, as issuing and
/// correcting both store them.
#[allow(clippy::too_many_arguments)]
async fn paper_from_records(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    kind: ReportKind,
    as_at: Date,
    since: Option<Date>,
    issue: &Issue<'_>,
    format: &str,
) -> Result<(String, String, Option<sendplan_storage::IssuedDocument>), AppError> {
    let data = state.store.report_data(ctx.pid(), plan).await?;
    let report = build(kind, &data.facts(), as_at, since);
    let local_offer = crate::reports::local_offer_use(&state.store, ctx.pid(), as_at).await?;
    let paper = BoardPaper {
        report: &report,
        partnership: &ctx.partnership.name,
        stale_after_days: data.plan.stale_after_days,
        measures: &data.measures,
        issue: Some(issue),
        local_offer: local_offer.as_ref(),
    };
    let html = paper.html()?;
    let bytes = match format {
        "pdf" => Some(print_pdf(state, &html).await?),
        "docx" => Some(word(&paper)?),
        _ => None,
    };
    let document = bytes.map(|bytes| sendplan_storage::IssuedDocument {
        format: format.to_owned(),
        bytes,
    });
    Ok((report.title(), html, document))
}

/// The paper printed to PDF by the server's Chromium.
async fn print_pdf(state: &AppState, html: &str) -> Result<Vec<u8>, AppError> {
    let printer = state.config.pdf.as_ref().ok_or(AppError::NotFound)?;
    printer.print(html).await.map_err(|e| {
        tracing::error!(error = %e, "a report could not be printed to PDF");
        AppError::Unavailable(e.to_string())
    })
}

/// The paper as a Word document.
fn word(paper: &BoardPaper<'_>) -> Result<Vec<u8>, AppError> {
    paper.docx().map_err(|e| {
        tracing::error!(error = %e, "a report could not be written as Word");
        AppError::Unavailable(e)
    })
}

fn correction_page(ctx: &Ctx, issued: &sendplan_storage::IssuedReport) -> crate::pages::FormPage {
    crate::pages::FormPage::new(
        Chrome::for_ctx(ctx, "Issue a correction", "overview"),
        "Issue a correction",
        format!("{}/reports/{}/correct", ctx.base(), issued.id),
        vec![crate::forms::Field::text("reason", "What was wrong with it?")
            .hint("For example, \"An update was posted on the wrong action\". It is shown beside both papers.")],
    )
    .caption(format!(
        "{} to {}, as at {}",
        issued.title,
        issued.board,
        long_date(issued.as_at)
    ))
    .intro("The paper is issued again from the plan's records as they are now, for the same day. The paper already issued is never changed: it stays, marked as superseded by the correction, and if it is on the public page the correction takes its place.")
    .submit("Issue the correction")
    .cancel(format!("{}/plans/{}/reports", ctx.base(), issued.plan_id))
}

pub async fn new_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let issued = state.store.get_issued_report(ctx.pid(), id).await?;
    crate::pages::html(&correction_page(&ctx, &issued))
}

pub async fn issue_correction(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let issued = state.store.get_issued_report(ctx.pid(), id).await?;
    let page = correction_page(&ctx, &issued);
    let reason =
        match sendplan_domain::input::ReasonInput::parse(&form, "what was wrong with the paper") {
            Ok(input) => input.reason,
            Err(errors) => return page.with_errors(&form, errors),
        };
    let issue = Issue {
        board: &issued.board,
        by: &ctx.signed_in.user.display_name,
        on: uk_date_time(time::OffsetDateTime::now_utc()),
    };
    // Corrected in the form it was issued in.
    let (title, html, document) = paper_from_records(
        &state,
        &ctx,
        issued.plan_id,
        issued.kind,
        issued.as_at,
        issued.since,
        &issue,
        &issued.format,
    )
    .await?;
    let list = format!("{}/plans/{}/reports", ctx.base(), issued.plan_id);
    match state
        .store
        .correct_report(
            ctx.actor(),
            ctx.pid(),
            issued.id,
            sendplan_storage::PaperContent {
                title: &title,
                html: &html,
                document: document.as_ref(),
            },
            &reason,
        )
        .await
    {
        Ok(new) => Ok(super::saved(
            &state,
            &format!("{}/reports/{new}", ctx.base()),
            "Correction issued",
        )),
        // Corrected by someone else first: the list shows their correction.
        Err(sendplan_storage::StoreError::Conflict) => Ok(super::redirect_with(
            &state,
            &list,
            &crate::auth::Flash {
                text: "Someone issued a correction of this paper first. It is listed below."
                    .to_owned(),
                important: true,
            },
        )),
        Err(error) => super::refused(page, &form, error),
    }
}

/// A date in a report's address (YYYY-MM-DD), within the years sendplan takes; anything
/// else is a 400 that says how to write it, not a "page not found".
fn iso(form: &RawForm, name: &str) -> Result<Option<Date>, AppError> {
    match form.get(name) {
        "" => Ok(None),
        text => Date::parse(
            text,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .ok()
        .filter(|d| sendplan_domain::periods::PERIOD_YEARS.contains(&d.year()))
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(format!(
                "\"{text}\" is not a date a report can be produced for: write it as YYYY-MM-DD, between 1990 and 2100, or choose the report again from the Reports page"
            ))
        }),
    }
}

/// The report itself, as the form chose it.
pub async fn view_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    Query(query): Query<Vec<(String, String)>>,
) -> AppResult {
    let query = RawForm(query);
    let kind = ReportKind::from_code(query.get("kind")).ok_or(AppError::NotFound)?;
    let as_at = iso(&query, "as_at")?.unwrap_or(ctx.today);
    let since = iso(&query, "since")?;
    let data = state.store.report_data(ctx.pid(), PlanId(plan)).await?;
    let report = build(kind, &data.facts(), as_at, since);
    let stem = format!("{}-as-at-{as_at}", kind.code());
    let local_offer = crate::reports::local_offer_use(&state.store, ctx.pid(), as_at).await?;
    let board_paper = BoardPaper {
        report: &report,
        partnership: &ctx.partnership.name,
        stale_after_days: data.plan.stale_after_days,
        measures: &data.measures,
        issue: None,
        local_offer: local_offer.as_ref(),
    };
    match query.get("format") {
        "html" | "" => Ok(paper(board_paper.html()?)),
        "docx" => Ok(attachment(
            DOCX_TYPE,
            &format!("{stem}.docx"),
            word(&board_paper)?,
        )),
        "pdf" => {
            let pdf = print_pdf(&state, &board_paper.html()?).await?;
            Ok(attachment("application/pdf", &format!("{stem}.pdf"), pdf))
        }
        "csv" => Ok(attachment(
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
            report_csv(&report),
        )),
        "xlsx" => Ok(attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
            report_xlsx(&report)
                .map_err(|e| AppError::Store(sendplan_storage::StoreError::Corrupt(e)))?,
        )),
        _ => Err(AppError::NotFound),
    }
}

/// A paper issued to a board, exactly as it was issued.
pub async fn show_issued_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let issued = state.store.get_issued_report(ctx.pid(), id).await?;
    Ok(paper(issued.html))
}

/// The PDF or Word document a paper was issued as, byte for byte.
pub async fn issued_document(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    let issued = state.store.get_issued_report(ctx.pid(), id).await?;
    document_response(&state, ctx.pid(), &issued).await
}

/// An issued paper's document as a download named after the paper.
pub(super) async fn document_response(
    state: &AppState,
    partnership: sendplan_domain::PartnershipId,
    issued: &sendplan_storage::IssuedReport,
) -> AppResult {
    let document = state
        .store
        .get_issued_document(partnership, issued.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let content_type = match document.format.as_str() {
        "pdf" => "application/pdf",
        _ => DOCX_TYPE,
    };
    let name = format!(
        "{}-as-at-{}-issued-{}.{}",
        issued.kind.code(),
        issued.as_at,
        issued.id,
        document.format
    );
    Ok(attachment(content_type, &name, document.bytes))
}

const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

pub(super) fn paper(html: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, REPORT_CSP),
        ],
        html,
    )
        .into_response()
}

fn attachment(content_type: &str, name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// The form that publishes an issued paper on the plan's public progress page, or
/// withdraws it: whichever it is not now.
/// Returns the form, whether the paper is public now, and its plan.
async fn publication_page(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
) -> Result<(FormPage, bool, PlanId), AppError> {
    let issued = state.store.get_issued_report(ctx.pid(), id).await?;
    let is_public = state
        .store
        .published_report_ids(ctx.pid(), issued.plan_id)
        .await?
        .contains(&id);
    let heading = if is_public {
        "Withdraw this paper from the public page"
    } else {
        "Publish this paper on the public page"
    };
    // The form says which state it asks for, so sending it twice (or again from the
    // browser's history) can never undo what it did.
    let mut fields = vec![Field::hidden(
        "publish",
        if is_public { "no" } else { "yes" },
    )];
    if !is_public {
        fields.push(Field::checkboxes(
            "confirm",
            "Before you publish",
            vec![Choice::new("yes", "I have read this paper and everything in it can be public")
                .hint("A paper holds the names of the people who lead actions and their progress notes, exactly as the board saw them.")],
        ));
    }
    let page = FormPage::new(
        Chrome::for_ctx(ctx, heading, "overview"),
        heading,
        format!("{}/reports/{id}/publish", ctx.base()),
        fields,
    )
    .caption(format!(
        "{}, as at {}, issued to {}",
        issued.title,
        long_date(issued.as_at),
        issued.board
    ))
    .intro(if is_public {
        "The paper will no longer be listed on the plan's public progress page or open at its public address. It stays issued, unchanged, here."
    } else {
        "Published papers are listed on the plan's public progress page, for anyone to read without signing in, while the plan's page is published. The paper is shown exactly as issued."
    })
    .with_link("Read the paper", format!("{}/reports/{id}", ctx.base()))
    .submit(if is_public {
        "Withdraw the paper"
    } else {
        "Publish the paper"
    })
    .cancel(format!("{}/plans/{}/reports", ctx.base(), issued.plan_id));
    Ok((page, is_public, issued.plan_id))
}

pub async fn edit_report_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    crate::pages::html(&publication_page(&state, &ctx, id).await?.0)
}

pub async fn save_report_publication(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (page, is_public, plan) = publication_page(&state, &ctx, id).await?;
    let publish = match form.get("publish") {
        "yes" => true,
        "no" => false,
        _ => {
            return page.with_errors(
                &form,
                sendplan_domain::input::FieldErrors::single(
                    "confirm",
                    "Open this page again from the Reports page: it did not say whether to publish or withdraw",
                ),
            )
        }
    };
    if publish == is_public {
        return Ok(super::saved(
            &state,
            &format!("{}/plans/{plan}/reports", ctx.base()),
            if publish {
                "The paper is published on the public page"
            } else {
                "The paper is withdrawn from the public page"
            },
        ));
    }
    if publish && form.get("confirm") != "yes" {
        return page.with_errors(
            &form,
            sendplan_domain::input::FieldErrors::single(
                "confirm",
                "Confirm that you have read the paper and everything in it can be public",
            ),
        );
    }
    match state
        .store
        .set_report_published(ctx.actor(), ctx.pid(), id, publish)
        .await
    {
        Ok(()) => Ok(super::saved(
            &state,
            &format!("{}/plans/{plan}/reports", ctx.base()),
            if is_public {
                "The paper is withdrawn from the public page"
            } else {
                "The paper is published on the public page"
            },
        )),
        // Someone published or withdrew it meanwhile: show the form as it now stands.
        Err(sendplan_storage::StoreError::Conflict) => Ok(super::saved(
            &state,
            &format!("{}/reports/{id}/publish", ctx.base()),
            "Someone else changed this paper's publication first: here it is as it stands now",
        )),
        Err(error) => super::refused(page, &form, error),
    }
}
