//! Governance: the partnership's boards and their structure, each plan's reporting
//! cycle, and its board meetings, whose actions arising can become plan actions.

use super::{refused, saved, FormPairs};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{with_none, Choice, Field};
use crate::pages::{html, ArisingView, BoardView, BoardsPage, FormPage, MeetingView, MeetingsPage};
use crate::views::{Chrome, LinkButton};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use sendplan_domain::access::Capability;
use sendplan_domain::governance::*;
use sendplan_domain::input::RawForm;
use sendplan_domain::reports::ReportKind;
use sendplan_domain::{BoardId, PlanId};

pub async fn list_boards(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    let boards = state.store.list_boards(ctx.pid()).await?;
    let name_of = |id| {
        boards
            .iter()
            .find(|b| b.id == id)
            .map_or(String::new(), |b| b.name.clone())
    };
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Add a board",
            format!("{}/boards/new", ctx.base()),
        ));
    }
    let (placed, columns) = layout(&boards);
    html(&BoardsPage {
        chrome: Chrome::for_ctx(&ctx, "Boards and groups", "boards"),
        buttons,
        diagram: crate::charts::structure_diagram(&boards, &placed, columns),
        boards: structure(&boards)
            .into_iter()
            .map(|(depth, b)| BoardView {
                depth: depth.min(6),
                name: b.name.clone(),
                edit_href: if ctx.can(Capability::EditPlans) {
                    format!("{}/boards/{}/edit", ctx.base(), b.id)
                } else {
                    String::new()
                },
                reports_to: b.reports_to.map(name_of).unwrap_or_default(),
                chair: b.chair.clone(),
                purpose: b.purpose.clone(),
                members: b.members.clone(),
            })
            .collect(),
    })
}

async fn board_form(
    state: &AppState,
    ctx: &Ctx,
    board: Option<&Board>,
) -> Result<FormPage, crate::errors::AppError> {
    let boards = state.store.list_boards(ctx.pid()).await?;
    let (title, path) = match board {
        Some(b) => (
            format!("Change {}", b.name),
            format!("{}/boards/{}/edit", ctx.base(), b.id),
        ),
        None => (
            "Add a board or group".to_owned(),
            format!("{}/boards/new", ctx.base()),
        ),
    };
    let mut fields = vec![
        Field::text("name", "Name")
            .hint("For example, SEND Improvement Board")
            .value(board.map_or("", |b| b.name.as_str())),
        Field::textarea("purpose", "Purpose (optional)")
            .rows(3)
            .value(board.map_or("", |b| b.purpose.as_str())),
        Field::text("chair", "Chair (optional)")
            .hint("A role, or a name if the partnership chooses to show it")
            .value(board.map_or("", |b| b.chair.as_str())),
        Field::textarea("members", "Members (optional)")
            .rows(4)
            .hint("Roles or names, one per line")
            .value(board.map_or("", |b| b.members.as_str())),
        Field::select(
            "reports_to",
            "Reports to (optional)",
            with_none(
                "Reports to no other board",
                boards
                    .iter()
                    .filter(|other| {
                        board.is_none_or(|b| !reporting_loop(&boards, b.id, Some(other.id)))
                    })
                    .map(|b| Choice::new(b.id, b.name.clone()))
                    .collect(),
            ),
        )
        .value(
            board
                .and_then(|b| b.reports_to)
                .map(|b| b.to_string())
                .unwrap_or_default(),
        ),
    ];
    if let Some(b) = board {
        fields.push(Field::hidden("version", b.version));
    }
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, title.clone(), "boards"),
        title,
        path,
        fields,
    )
    .cancel(format!("{}/boards", ctx.base())))
}

pub async fn new_board(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&board_form(&state, &ctx, None).await?)
}

pub async fn create_board(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = board_form(&state, &ctx, None).await?;
    let input = match BoardInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_board(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/boards", ctx.base()),
            &format!("{} added", input.name),
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn edit_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let board = state.store.get_board(ctx.pid(), BoardId(id)).await?;
    html(&board_form(&state, &ctx, Some(&board)).await?.delete_link(
        "Delete this board",
        crate::handlers::lifecycle::delete_href(
            &ctx,
            sendplan_domain::lifecycle::RecordKind::Board,
            board.id,
        ),
    ))
}

pub async fn update_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, id)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let board = state.store.get_board(ctx.pid(), BoardId(id)).await?;
    let page = board_form(&state, &ctx, Some(&board)).await?;
    let input = match BoardInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let version = form.get("version").parse().unwrap_or(-1);
    match state
        .store
        .update_board(ctx.actor(), ctx.pid(), board.id, version, &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/boards", ctx.base()),
            &format!("{} saved", input.name),
        )),
        Err(sendplan_storage::StoreError::Conflict) => {
            let current = state.store.get_board(ctx.pid(), board.id).await?;
            page.with_conflict(&form, current.version, "the Boards page")
        }
        Err(error) => refused(page, &form, error),
    }
}

/// A form of `plan` that begins with a choice of the partnership's boards: the board
/// field, then `fields`; it says to add boards first when there are none.
async fn plan_board_form(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    (title, path, back): (&str, &str, &str),
    fields: Vec<Field>,
) -> Result<FormPage, crate::errors::AppError> {
    let plan = state.store.get_plan(ctx.pid(), plan).await?;
    let boards = state.store.list_boards(ctx.pid()).await?;
    let board = Field::select(
        "board",
        "Board",
        boards
            .iter()
            .map(|b| Choice::new(b.id, b.name.clone()))
            .collect(),
    );
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, title, "overview"),
        title,
        format!("{}/plans/{}/{path}", ctx.base(), plan.id),
        std::iter::once(board).chain(fields).collect(),
    )
    .caption(plan.title.clone())
    .cancel(format!("{}/plans/{}/{back}", ctx.base(), plan.id));
    if boards.is_empty() {
        page = page.intro("Add the partnership's boards first, on the Boards page.");
    }
    Ok(page)
}

async fn line_form(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
) -> Result<FormPage, crate::errors::AppError> {
    let fields = vec![
        Field::radios(
            "kind",
            "Which report?",
            ReportKind::ALL
                .iter()
                .map(|k| Choice::new(k.code(), k.label()))
                .collect(),
        ),
        Field::radios(
            "cadence",
            "How often?",
            Cadence::ALL
                .iter()
                .map(|c| Choice::new(c.code(), c.label()))
                .collect(),
        ),
        Field::date("first_due", "When is the first one due?"),
    ];
    plan_board_form(
        state,
        ctx,
        plan,
        ("Add to the reporting cycle", "cycle/new", "reports"),
        fields,
    )
    .await
}

pub async fn new_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&line_form(&state, &ctx, PlanId(plan)).await?)
}

pub async fn create_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = line_form(&state, &ctx, PlanId(plan)).await?;
    let input = match ReportingLineInput::parse(&form) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_reporting_line(ctx.actor(), ctx.pid(), PlanId(plan), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/reports", ctx.base()),
            "Added to the reporting cycle",
        )),
        Err(error) => refused(page, &form, error),
    }
}

pub async fn list_meetings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    let plan = state.store.get_plan(ctx.pid(), PlanId(plan)).await?;
    let boards = state.store.list_boards(ctx.pid()).await?;
    let overview = state
        .store
        .plan_overview(ctx.pid(), plan.id, ctx.today)
        .await?;
    let numbers: std::collections::HashMap<sendplan_domain::ActionId, String> = overview
        .actions
        .iter()
        .map(|a| (a.id, a.number.to_string()))
        .collect();
    let can_edit = ctx.can(Capability::EditPlans);
    let meetings = state
        .store
        .list_meetings(ctx.pid(), plan.id)
        .await?
        .into_iter()
        .map(|m| MeetingView {
            edit_href: if can_edit {
                format!("{}/plans/{}/meetings/{}/edit", ctx.base(), plan.id, m.id)
            } else {
                String::new()
            },
            board: boards
                .iter()
                .find(|b| b.id == m.board_id)
                .map_or(String::new(), |b| b.name.clone()),
            held_on: sendplan_domain::input::long_date(m.held_on),
            attendees: m.attendees,
            agenda: m
                .agenda
                .into_iter()
                .map(|item| {
                    let href = item
                        .action
                        .map_or(String::new(), |a| format!("{}/actions/{a}", ctx.base()));
                    (item.title, href)
                })
                .collect(),
            decisions: m
                .outcomes
                .iter()
                .filter(|o| !o.is_action)
                .map(|o| o.text.clone())
                .collect(),
            actions: m
                .outcomes
                .iter()
                .filter(|o| o.is_action)
                .map(|o| {
                    let id = o.id.map_or(0, |i| i.0);
                    ArisingView {
                        text: o.text.clone(),
                        plan_action: o.plan_action.and_then(|a| {
                            let number = numbers.get(&a)?;
                            Some((number.clone(), format!("{}/actions/{a}", ctx.base())))
                        }),
                        add_href: if can_edit {
                            format!("{}/meeting-actions/{id}/add", ctx.base())
                        } else {
                            String::new()
                        },
                        id,
                    }
                })
                .collect(),
        })
        .collect();
    let mut buttons = Vec::new();
    if ctx.can(Capability::EditPlans) {
        buttons.push(LinkButton::primary(
            "Record a meeting",
            format!("{}/plans/{}/meetings/new", ctx.base(), plan.id),
        ));
    }
    html(&MeetingsPage {
        chrome: Chrome::for_ctx(&ctx, "Meetings", "overview"),
        caption: plan.title.clone(),
        back_href: format!("{}/plans/{}", ctx.base(), plan.id),
        buttons,
        meetings,
        areas: overview
            .areas
            .iter()
            .map(|a| (a.id.to_string(), format!("{} {}", a.number, a.title)))
            .collect(),
    })
}

/// "Add it to the plan as an action", from a meeting's action arising: on to the new
/// action form of the chosen area, filled in from what the meeting wrote.
pub async fn add_action_arising(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, outcome)): Path<(i64, i64)>,
    axum::extract::Query(query): axum::extract::Query<Vec<(String, String)>>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let arising = state
        .store
        .get_action_arising(ctx.pid(), sendplan_domain::OutcomeId(outcome))
        .await?;
    if let Some(action) = arising.plan_action {
        return Ok(
            axum::response::Redirect::to(&format!("{}/actions/{action}", ctx.base()))
                .into_response(),
        );
    }
    let area = query
        .iter()
        .find(|(k, _)| k == "area")
        .and_then(|(_, v)| v.parse::<i64>().ok())
        .ok_or(AppError::NotFound)?;
    let area = state
        .store
        .get_area(ctx.pid(), sendplan_domain::AreaId(area))
        .await?;
    if area.plan_id != arising.plan_id {
        return Err(AppError::NotFound);
    }
    Ok(axum::response::Redirect::to(&format!(
        "{}/areas/{}/actions/new?arising={outcome}",
        ctx.base(),
        area.id
    ))
    .into_response())
}

async fn meeting_form(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    meeting: Option<&Meeting>,
) -> Result<FormPage, crate::errors::AppError> {
    let mut fields = vec![
        Field::date("held_on", "Date of the meeting").date_value(meeting.map(|m| m.held_on)),
        Field::textarea("attendees", "Who attended (optional)").rows(3).hint("Roles or names, as the partnership records them").value(meeting.map_or("", |m| m.attendees.as_str())),
        Field::textarea("agenda", "Agenda").rows(6).hint("One item per line. Start an item with an action's number, such as 2.3.1, to link it to that action.").value(meeting.map(Meeting::agenda_text).unwrap_or_default()),
        Field::textarea("outcomes", "Decisions and actions arising (optional)").rows(6).hint("One per line. Start a line with \"Action:\" for an action arising.").value(meeting.map(Meeting::outcomes_text).unwrap_or_default()),
    ];
    let path = match meeting {
        Some(m) => {
            fields.push(Field::hidden("version", m.version));
            format!("meetings/{}/edit", m.id)
        }
        None => "meetings/new".to_owned(),
    };
    let title = if meeting.is_some() {
        "Correct the record of a meeting"
    } else {
        "Record a meeting"
    };
    let mut page = plan_board_form(state, ctx, plan, (title, &path, "meetings"), fields).await?;
    if let Some(m) = meeting {
        page.set_value("board", m.board_id);
    }
    Ok(page)
}

/// Asks before a report is taken out of a plan's reporting cycle.
async fn remove_line_page(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
    line: sendplan_domain::ReportingLineId,
) -> Result<FormPage, crate::errors::AppError> {
    let plan = state.store.get_plan(ctx.pid(), plan).await?;
    let line = state
        .store
        .get_reporting_line(ctx.pid(), plan.id, line)
        .await?;
    let board = state.store.get_board(ctx.pid(), line.board_id).await?;
    let heading = format!(
        "Take the {} to {} out of the reporting cycle?",
        line.kind.label().to_lowercase(),
        board.name
    );
    Ok(FormPage::new(
        Chrome::for_ctx(ctx, heading.clone(), "overview"),
        heading,
        format!("{}/plans/{}/cycle/{}/remove", ctx.base(), plan.id, line.id),
        vec![Field::radios(
            "remove",
            "Take it out?",
            vec![
                Choice::new("yes", "Yes, take it out of the cycle"),
                Choice::new("no", "No, keep it"),
            ],
        )],
    )
    .caption(plan.title.clone())
    .intro(format!(
        "It will no longer be listed with its next due date, and leads will not be reminded before it. It is due {}, from {}. Papers already issued to {} are kept.",
        line.cadence.label().to_lowercase(),
        sendplan_domain::input::long_date(line.first_due),
        board.name
    ))
    .submit("Continue")
    .cancel(format!("{}/plans/{}/reports", ctx.base(), plan.id)))
}

pub async fn confirm_remove_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, line)): Path<(i64, i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(
        &remove_line_page(
            &state,
            &ctx,
            PlanId(plan),
            sendplan_domain::ReportingLineId(line),
        )
        .await?,
    )
}

pub async fn remove_line(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, line)): Path<(i64, i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let line = sendplan_domain::ReportingLineId(line);
    // Built first, so an unknown line answers 404 like every other unknown record.
    let page = remove_line_page(&state, &ctx, PlanId(plan), line).await?;
    let reports = format!("{}/plans/{plan}/reports", ctx.base());
    match form.get("remove") {
        "yes" => {
            state
                .store
                .remove_reporting_line(ctx.actor(), ctx.pid(), PlanId(plan), line)
                .await?;
            Ok(saved(&state, &reports, "Taken out of the reporting cycle"))
        }
        "no" => Ok(axum::response::Redirect::to(&reports).into_response()),
        _ => page.with_errors(
            &form,
            sendplan_domain::input::FieldErrors::single(
                "remove",
                "Choose whether to take it out of the reporting cycle",
            ),
        ),
    }
}

/// The plan's action numbers, for linking agenda items to the actions they name.
async fn action_numbers(
    state: &AppState,
    ctx: &Ctx,
    plan: PlanId,
) -> Result<Vec<(String, sendplan_domain::ActionId)>, crate::errors::AppError> {
    Ok(state
        .store
        .plan_overview(ctx.pid(), plan, ctx.today)
        .await?
        .actions
        .iter()
        .map(|a| (a.number.to_string(), a.id))
        .collect())
}

pub async fn edit_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, id)): Path<(i64, i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let meeting = state
        .store
        .get_meeting(ctx.pid(), PlanId(plan), sendplan_domain::MeetingId(id))
        .await?;
    html(
        &meeting_form(&state, &ctx, PlanId(plan), Some(&meeting))
            .await?
            .delete_link(
                "Delete this meeting",
                crate::handlers::lifecycle::delete_href(
                    &ctx,
                    sendplan_domain::lifecycle::RecordKind::Meeting,
                    meeting.id,
                ),
            ),
    )
}

pub async fn update_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan, id)): Path<(i64, i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let (plan, id) = (PlanId(plan), sendplan_domain::MeetingId(id));
    let meeting = state.store.get_meeting(ctx.pid(), plan, id).await?;
    let page = meeting_form(&state, &ctx, plan, Some(&meeting)).await?;
    let input = match MeetingInput::parse(&form, &action_numbers(&state, &ctx, plan).await?) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    let version = form.get("version").parse().unwrap_or(-1);
    match state
        .store
        .update_meeting(ctx.actor(), ctx.pid(), plan, id, version, &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/meetings", ctx.base()),
            "Meeting record corrected",
        )),
        Err(sendplan_storage::StoreError::Conflict) => {
            let current = state.store.get_meeting(ctx.pid(), plan, id).await?;
            page.with_conflict(&form, current.version, "the Meetings page")
        }
        Err(error) => refused(page, &form, error),
    }
}

pub async fn new_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    html(&meeting_form(&state, &ctx, PlanId(plan), None).await?)
}

pub async fn create_meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((_, plan)): Path<(i64, i64)>,
    axum::Form(pairs): FormPairs,
) -> AppResult {
    ctx.require(Capability::EditPlans)?;
    let form = RawForm(pairs);
    let page = meeting_form(&state, &ctx, PlanId(plan), None).await?;
    let input = match MeetingInput::parse(&form, &action_numbers(&state, &ctx, PlanId(plan)).await?)
    {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .create_meeting(ctx.actor(), ctx.pid(), PlanId(plan), &input)
        .await
    {
        Ok(_) => Ok(saved(
            &state,
            &format!("{}/plans/{plan}/meetings", ctx.base()),
            "Meeting recorded",
        )),
        Err(error) => refused(page, &form, error),
    }
}
