//! Server-rendered pages: one typed struct per template, rendered by [`html`].

use crate::errors::AppResult;
use crate::forms::Field;
use crate::views::{Cell, Chrome, LinkButton, PostButton, SummaryRow, Tag};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sendplan_domain::input::{FieldError, FieldErrors, RawForm};

/// Renders a page with status 200.
pub fn html<T: Template>(page: &T) -> AppResult {
    Ok(Html(page.render()?).into_response())
}

/// Renders a page with another status.
pub fn html_with_status<T: Template>(status: StatusCode, page: &T) -> AppResult {
    Ok((status, Html(page.render()?)).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub body: String,
}

impl ErrorPage {
    pub fn render(status: StatusCode, heading: &str, body: &str) -> Response {
        let page = ErrorPage {
            chrome: Chrome::plain(heading, None),
            heading: heading.to_owned(),
            body: body.to_owned(),
        };
        match page.render() {
            Ok(text) => (status, Html(text)).into_response(),
            Err(_) => (status, heading.to_owned()).into_response(),
        }
    }
}

/// Any form page: create, edit, sign in, post an update.
#[derive(Template)]
#[template(path = "form.html")]
pub struct FormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub intro: String,
    pub action: String,
    pub submit: String,
    pub cancel: String,
    pub fields: Vec<Field>,
    pub errors: Vec<FieldError>,
    /// The form uploads a file.
    pub multipart: bool,
    /// Links shown under the introduction: (text, address).
    pub links: Vec<(String, String)>,
    /// A link under the form to delete the record it edits: (text, address).
    pub delete: Option<(String, String)>,
    /// Sections after the form, each a heading with a table (the Reports page's cycle
    /// and issued papers).
    pub sections: Vec<PageSection>,
}

/// A titled table after a form.
#[derive(Debug, Clone, Default)]
pub struct PageSection {
    pub heading: String,
    pub intro: String,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    /// Said instead of the table when there are no rows.
    pub empty: String,
    /// Links under the table: (text, address).
    pub links: Vec<(String, String)>,
}

impl FormPage {
    pub fn new(
        chrome: Chrome,
        heading: impl Into<String>,
        action: impl Into<String>,
        fields: Vec<Field>,
    ) -> Self {
        FormPage {
            chrome,
            heading: heading.into(),
            caption: String::new(),
            intro: String::new(),
            action: action.into(),
            submit: "Save".to_owned(),
            cancel: String::new(),
            fields,
            errors: Vec::new(),
            multipart: false,
            links: Vec::new(),
            delete: None,
            sections: Vec::new(),
        }
    }
    pub fn with_section(mut self, section: PageSection) -> Self {
        self.sections.push(section);
        self
    }
    /// Offers deleting the record, through its confirmation page, under the form.
    pub fn delete_link(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.delete = Some((text.into(), href.into()));
        self
    }
    pub fn caption(mut self, caption: impl Into<String>) -> Self {
        self.caption = caption.into();
        self
    }
    pub fn intro(mut self, intro: impl Into<String>) -> Self {
        self.intro = intro.into();
        self
    }
    pub fn submit(mut self, label: &str) -> Self {
        self.submit = label.to_owned();
        self
    }
    pub fn with_link(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.links.push((text.into(), href.into()));
        self
    }
    pub fn cancel(mut self, href: impl Into<String>) -> Self {
        self.cancel = href.into();
        self
    }
    /// Fills in the field called `name`, for a form built before its value was known.
    pub fn set_value(&mut self, name: &str, value: impl ToString) {
        for field in self.fields.iter_mut().filter(|f| f.name == name) {
            field.set_value(value.to_string());
        }
    }

    /// Shows the form again with what was typed and every problem (status 422).
    pub fn with_errors(mut self, form: &RawForm, errors: FieldErrors) -> AppResult {
        crate::forms::refill(&mut self.fields, form, &errors);
        self.errors = errors.0;
        self.chrome.has_errors = true;
        html_with_status(StatusCode::UNPROCESSABLE_ENTITY, &self)
    }

    /// Shows the form again after someone else saved first: what was typed is kept, and
    /// `version` is moved on so that saving again, having looked, is a deliberate choice.
    pub fn with_conflict(
        mut self,
        form: &RawForm,
        current_version: i64,
        look_at: &str,
    ) -> AppResult {
        self.set_value("version", current_version);
        let message = format!(
            "Someone else saved a change to this while you were editing it, so your changes have not been saved yet. \
             Open the current version ({look_at}) in a new tab to compare, then save again to replace it with what is below."
        );
        let anchor = self
            .fields
            .iter()
            .find(|f| f.component() != "hidden")
            .map(Field::anchor)
            .unwrap_or_default();
        self.with_errors(form, FieldErrors::single(anchor, message))
    }
}

/// A plan's dashboard (ratings per area, measures off track, delivery against impact,
/// recent changes): the content, cached like the plan page's body.
#[derive(Template)]
#[template(path = "dashboard_body.html")]
pub struct DashboardBody {
    pub caption: String,
    pub plan_href: String,
    pub as_at: String,
    pub class_head: Vec<String>,
    /// Each cell's text and the list it counts (empty for a zero or the area's name).
    pub class_rows: Vec<Vec<(String, String)>>,
    /// (measure name and status, link)
    pub off_track: Vec<(String, String)>,
    /// Areas and actions on track for delivery, off track for impact: (what, link, the
    /// measures off track).
    pub impact_gaps: Vec<(String, String, String)>,
    /// (date, action, link, rating)
    pub changes: Vec<(String, String, String, Tag)>,
}

/// One measure: its status, chart, values and details.
#[derive(Template)]
#[template(path = "measure.html")]
pub struct MeasurePage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub back_href: String,
    pub status: Vec<Tag>,
    pub summary_text: String,
    pub buttons: Vec<LinkButton>,
    /// Server-drawn SVG (escaped where it holds text).
    pub chart: String,
    pub rows: Vec<Vec<String>>,
    /// Comparator series names, and a row per period: the period, then each series' figure.
    pub series_names: Vec<String>,
    pub comparator_rows: Vec<Vec<String>>,
    pub summary: Vec<SummaryRow>,
    pub delete_href: String,
}

/// The spreadsheet import's check page: every sheet, every column and what it maps to,
/// every rating value and what it means, and every problem by sheet and cell.
#[derive(Template)]
#[template(path = "import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub file_name: String,
    pub action: String,
    pub errors: Vec<FieldError>,
    /// (where, message) for every problem found.
    pub problems: Vec<(String, String)>,
    /// What the import would create, once there are no problems.
    pub ready: Vec<String>,
    /// Said when the choices are the ones remembered for this layout.
    pub remembered: Option<String>,
    pub sheets: Vec<ImportSheet>,
    pub columns: Vec<ImportColumn>,
    pub values: Vec<ImportValue>,
    pub rating_options: Vec<(String, String)>,
    pub details: Vec<Field>,
    pub cancel: String,
}

pub struct ImportSheet {
    pub name: String,
    pub hidden: bool,
    pub take: bool,
    pub header_row: usize,
    /// "12 actions below row 3", or why it is left out.
    pub note: String,
}

pub struct ImportColumn {
    pub header: String,
    /// Where it is ("Area 1, C").
    pub found: String,
    pub chosen: String,
    pub options: Vec<(String, String)>,
    /// For a rating column: the date (ISO) its ratings are at, as read or given.
    pub date: Option<String>,
    pub date_note: String,
    pub sample: String,
}

pub struct ImportValue {
    pub key: String,
    pub shown: String,
    /// RRGGBB of a fill-only value, to show a swatch.
    pub swatch: Option<String>,
    pub chosen: String,
}

/// A heading, some buttons and a table: the list pages.
#[derive(Template)]
#[template(path = "table.html")]
pub struct TablePage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub intro: String,
    pub buttons: Vec<LinkButton>,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
    pub more_href: String,
}

/// The list of partnerships an account can open.
#[derive(Template)]
#[template(path = "partnerships.html")]
pub struct PartnershipsPage {
    pub chrome: Chrome,
    pub partnerships: Vec<Cell>,
    pub can_create: bool,
}

/// One plan on the partnership home.
#[derive(Debug, Clone)]
pub struct PlanCard {
    pub title: String,
    pub href: String,
    pub kind: String,
    pub status: String,
    pub counts: Vec<RatingTile>,
    pub total: usize,
    pub attention: Vec<crate::views::CountLink>,
}

/// A count of actions at a rating, linking to the list of them.
#[derive(Debug, Clone)]
pub struct RatingTile {
    pub label: String,
    pub count: usize,
    pub colour: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "partnership.html")]
pub struct PartnershipPage {
    /// Archived plans: (title, address, when and why).
    pub archived: Vec<(String, String, String)>,
    /// "Recently deleted", for those who can delete.
    pub deleted_href: String,
    pub chrome: Chrome,
    pub la_code: String,
    pub plans: Vec<PlanCard>,
    pub buttons: Vec<LinkButton>,
}

/// One action line of the plan page.
#[derive(Debug, Clone)]
pub struct ActionLine {
    pub number: String,
    pub href: String,
    pub description: String,
    pub leads: String,
    pub due: String,
    pub rating: Tag,
    pub flags: Vec<Tag>,
}

/// Actions under one objective (or directly under the area when `heading` is empty).
#[derive(Debug, Clone)]
pub struct ActionGroup {
    pub heading: String,
    pub i_statement: String,
    pub edit_href: String,
    pub lines: Vec<ActionLine>,
}

#[derive(Debug, Clone)]
pub struct AreaView {
    pub id: String,
    pub heading: String,
    pub details: Vec<SummaryRow>,
    pub edit_href: String,
    pub add_objective_href: String,
    pub add_action_href: String,
    pub groups: Vec<ActionGroup>,
    pub shown: usize,
    /// Its progress updates (and its objectives'), newest first.
    pub progress: Vec<AreaProgressView>,
    pub add_progress_href: String,
}

/// A progress update of an area or objective, as the plan page shows it.
#[derive(Debug, Clone)]
pub struct AreaProgressView {
    pub date: String,
    /// "Objective 1.1", or empty for the whole area.
    pub about: String,
    pub rating: Option<crate::views::Tag>,
    pub narrative: String,
    pub author: String,
}

/// The plan page: the layout around a body that may come from the fragment cache.
#[derive(Template)]
#[template(path = "plan.html")]
pub struct PlanPage {
    pub chrome: Chrome,
    pub body: std::sync::Arc<String>,
    /// When the plan is archived: when, by whom and why.
    pub archived: String,
    /// Where to post to bring it back, for those who may.
    pub unarchive_href: String,
}

/// The plan page's content: the same for everyone with the same rights, so it is cached.
#[derive(Template)]
#[template(path = "plan_body.html")]
pub struct PlanBody {
    pub plan_id: i64,
    pub heading: String,
    pub caption: String,
    pub summary: Vec<SummaryRow>,
    pub counts: Vec<RatingTile>,
    pub attention: Vec<crate::views::CountLink>,
    /// The plan as a file: (format, address).
    pub downloads: Vec<(String, String)>,
    pub filters: Vec<Field>,
    pub filtered: bool,
    pub shown: usize,
    pub total: usize,
    pub areas: Vec<AreaView>,
    pub buttons: Vec<LinkButton>,
    pub clear_href: String,
    /// The confirmation page for archiving the plan, for those who may.
    pub archive_href: String,
    /// The confirmation page for deleting it outright, while it is new enough.
    pub delete_href: String,
}

#[derive(Debug, Clone)]
pub struct MilestoneView {
    pub title: String,
    pub due: String,
    pub criteria: String,
    pub status: Tag,
    /// What shows it was done, once it is.
    pub evidence: String,
    pub edit_href: String,
    /// For the action's leads: mark it done with the date and evidence.
    pub done_href: String,
}

#[derive(Debug, Clone)]
pub struct UpdateView {
    pub date: String,
    pub author: String,
    pub rating: Tag,
    pub narrative: String,
    pub links: Vec<String>,
    /// Whether it still counts; a corrected or withdrawn update is shown as history.
    pub counts: bool,
    /// "Corrected by ... on ...: why" or "Withdrawn by ...", or "Corrects the update of ...".
    pub notes: Vec<String>,
    pub correct_href: String,
    pub withdraw_href: String,
}

#[derive(Template)]
#[template(path = "action.html")]
pub struct ActionPage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub plan_href: String,
    pub rating: Tag,
    pub flags: Vec<Tag>,
    pub summary: Vec<SummaryRow>,
    pub milestones: Vec<MilestoneView>,
    pub updates: Vec<UpdateView>,
    pub update_href: String,
    pub edit_href: String,
    pub add_milestone_href: String,
    pub delete_href: String,
}

#[derive(Debug, Clone)]
pub struct FindingView {
    pub text: String,
    pub edit_href: String,
    pub judgement: Option<Tag>,
}

#[derive(Debug, Clone)]
pub struct FindingGroup {
    pub heading: String,
    pub findings: Vec<FindingView>,
}

#[derive(Template)]
#[template(path = "inspection.html")]
pub struct InspectionPage {
    pub chrome: Chrome,
    pub heading: String,
    pub summary: Vec<SummaryRow>,
    pub main_findings: String,
    pub groups: Vec<FindingGroup>,
    pub revisits: Vec<(String, String, Vec<SummaryRow>)>,
    pub buttons: Vec<LinkButton>,
}

/// A survey's results: each question as a table of answers with a bar for each share.
#[derive(Template)]
#[template(path = "survey.html")]
pub struct SurveyPage {
    pub chrome: Chrome,
    pub heading: String,
    pub caption: String,
    pub back_href: String,
    pub summary: Vec<SummaryRow>,
    pub quotes: Vec<String>,
    /// "the 2020 survey", or empty when there is no earlier survey of the series.
    pub compared_with: String,
    pub compared_label: String,
    pub has_counts: bool,
    pub questions: Vec<SurveyQuestionView>,
    pub edit_href: String,
    pub delete_href: String,
}

pub struct SurveyQuestionView {
    pub number: String,
    pub topic: String,
    /// The topic differs from the question before's, so it gets a heading.
    pub new_topic: bool,
    pub text: String,
    pub multiple: bool,
    pub notes: String,
    pub options: Vec<SurveyOptionView>,
    pub measure_href: String,
}

pub struct SurveyOptionView {
    pub label: String,
    pub share: String,
    pub count: String,
    pub earlier: String,
    /// The bar's length, 0 to 100.
    pub width: String,
}

/// The partnership's boards, in structure order.
#[derive(Template)]
#[template(path = "boards.html")]
pub struct BoardsPage {
    pub chrome: Chrome,
    pub buttons: Vec<LinkButton>,
    /// The structure as an SVG diagram (the list of boards says the same in words).
    pub diagram: String,
    pub boards: Vec<BoardView>,
}

pub struct BoardView {
    pub depth: usize,
    pub name: String,
    /// Where to change it; empty for those who cannot.
    pub edit_href: String,
    pub reports_to: String,
    pub chair: String,
    pub purpose: String,
    pub members: String,
}

/// A plan's public progress page: only what the partnership chose to publish.
#[derive(Template)]
#[template(path = "public_plan.html")]
pub struct PublicPlanBody {
    pub chrome: Chrome,
    pub partnership: String,
    pub heading: String,
    pub summary: String,
    pub as_at: String,
    pub counts: Vec<(String, usize)>,
    pub areas: Vec<PublicArea>,
    pub measures: Vec<PublicMeasure>,
    /// (when, what families said, what the partnership did)
    /// (when, you said, we did, the plan's action that answers it).
    pub you_said: Vec<(String, String, String, String)>,
    /// Papers issued to boards and published: (title, board, address)
    pub papers: Vec<(String, String, String)>,
    /// The partnership's list of published plans.
    pub index_href: String,
}

pub struct PublicArea {
    pub number: String,
    pub title: String,
    pub text: sendplan_domain::publication::AreaText,
    /// Who leads it, as far as the partnership chose to show; empty otherwise.
    pub lead: String,
    pub counts: Vec<(String, usize)>,
}

pub struct PublicMeasure {
    pub name: String,
    pub sentence: String,
    pub chart: String,
}

/// A plan's board meetings.
#[derive(Template)]
#[template(path = "meetings.html")]
pub struct MeetingsPage {
    pub chrome: Chrome,
    pub caption: String,
    pub back_href: String,
    pub buttons: Vec<LinkButton>,
    pub meetings: Vec<MeetingView>,
    /// The plan's areas (id, label), for choosing where an action arising goes.
    pub areas: Vec<(String, String)>,
}

pub struct MeetingView {
    /// Where to correct the record; empty for those who cannot.
    pub edit_href: String,
    pub board: String,
    pub held_on: String,
    pub attendees: String,
    /// (item, link to the action it is about, or empty)
    pub agenda: Vec<(String, String)>,
    pub decisions: Vec<String>,
    pub actions: Vec<ArisingView>,
}

/// An action arising from a meeting, and the plan action it became.
pub struct ArisingView {
    pub text: String,
    /// The plan action it became (number, address), if it did.
    pub plan_action: Option<(String, String)>,
    /// Where the "add it to the plan" form goes; empty for those who cannot add actions.
    pub add_href: String,
    pub id: i64,
}

/// One entry of the partnership's timeline.
#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub date: String,
    pub tag: Tag,
    pub title: String,
    pub detail: String,
    pub href: String,
}

/// The partnership's timeline: the story a new director or an inspector asks for first.
#[derive(Template)]
#[template(path = "timeline.html")]
pub struct TimelinePage {
    pub chrome: Chrome,
    pub caption: String,
    pub entries: Vec<TimelineEntry>,
    pub buttons: Vec<LinkButton>,
}

/// A table within a [`NoticePage`].
#[derive(Debug, Clone, Default)]
pub struct TableBlock {
    pub heading: String,
    pub head: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
    pub empty: String,
}

/// A page that tells and offers: what happened or what is asked, facts, tables, buttons
/// that post (confirm, resend, sign out) and links. Accounts, invitations and links use it.
#[derive(Template, Default)]
#[template(path = "notice.html")]
pub struct NoticePage {
    pub chrome: Chrome,
    pub back: String,
    pub caption: String,
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub warning: String,
    /// A link to copy, shown in a read-only box, with its label.
    pub copy: String,
    pub copy_label: String,
    pub summary: Vec<SummaryRow>,
    pub tables: Vec<TableBlock>,
    pub posts: Vec<PostButton>,
    pub buttons: Vec<LinkButton>,
    pub links: Vec<(String, String)>,
    /// Use the full width (for tables).
    pub wide: bool,
    /// Problems with what was sent, shown in an error summary at the top.
    pub errors: Vec<FieldError>,
}

impl NoticePage {
    pub fn new(chrome: Chrome, heading: impl Into<String>) -> Self {
        NoticePage {
            chrome,
            heading: heading.into(),
            ..NoticePage::default()
        }
    }
    pub fn say(mut self, paragraph: impl Into<String>) -> Self {
        self.paragraphs.push(paragraph.into());
        self
    }
    pub fn post(mut self, button: PostButton) -> Self {
        self.posts.push(button);
        self
    }
    pub fn link(mut self, text: impl Into<String>, href: impl Into<String>) -> Self {
        self.links.push((text.into(), href.into()));
        self
    }
    pub fn back(mut self, href: impl Into<String>) -> Self {
        self.back = href.into();
        self
    }
}
