//! Governance: the boards and groups a plan reports to, which reports to which (the
//! structure), and the reporting cycle: which report goes to which board how often, and
//! when each is next due.

use crate::input::{FieldErrors, FormReader, RawForm, LONG_TEXT, SHORT_TEXT};
use crate::reports::ReportKind;
use crate::{BoardId, PartnershipId, PlanId, ReportingLineId};
use serde::{Deserialize, Serialize};
use time::{Date, Duration};

crate::coded_enum! {
    /// How often a report goes to a board.
    Cadence {
        Monthly => ("monthly", "Monthly"),
        SixWeekly => ("six_weekly", "Every 6 weeks"),
        TwoMonthly => ("two_monthly", "Every 2 months"),
        Quarterly => ("quarterly", "Quarterly"),
        SixMonthly => ("six_monthly", "Every 6 months"),
        Annually => ("annually", "Once a year"),
    }
}

impl Cadence {
    /// The date a cycle that first fell due on `first` is due after `due`.
    fn after(self, due: Date, first: Date) -> Date {
        // Months are counted from the first due day, so a cycle starting on the 31st
        // keeps to the month's end.
        let months = |n: i32| {
            let elapsed = (due.year() - first.year()) * 12 + i32::from(u8::from(due.month()))
                - i32::from(u8::from(first.month()));
            crate::reports::months_after(first, elapsed + n)
        };
        match self {
            Cadence::Monthly => months(1),
            Cadence::SixWeekly => due + Duration::weeks(6),
            Cadence::TwoMonthly => months(2),
            Cadence::Quarterly => months(3),
            Cadence::SixMonthly => months(6),
            Cadence::Annually => months(12),
        }
    }

    /// The due date before `due` in a cycle first due on `first`, if there was one.
    pub fn previous_due(self, first: Date, due: Date) -> Option<Date> {
        let mut previous = None;
        let mut date = first;
        while date < due {
            previous = Some(date);
            date = self.after(date, first);
        }
        previous
    }

    /// The first due date on or after `today`, for a cycle first due on `first`.
    pub fn next_due(self, first: Date, today: Date) -> Date {
        let mut due = first;
        while due < today {
            due = self.after(due, first);
        }
        due
    }
}

/// A board or group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Board {
    pub id: BoardId,
    pub partnership_id: PartnershipId,
    pub name: String,
    pub purpose: String,
    pub chair: String,
    /// Who sits on it, as the partnership writes it (roles or names), one per line.
    pub members: String,
    pub reports_to: Option<BoardId>,
    pub version: i64,
}

/// A board's details, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardInput {
    pub name: String,
    pub purpose: String,
    pub chair: String,
    pub members: String,
    pub reports_to: Option<BoardId>,
}

impl BoardInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let input = BoardInput {
            name: f.required("name", "the board's name", SHORT_TEXT),
            purpose: f.optional("purpose", "its purpose", LONG_TEXT),
            chair: f.optional("chair", "its chair", SHORT_TEXT),
            members: f.optional("members", "its members", LONG_TEXT),
            reports_to: f.optional_id("reports_to", "the board it reports to"),
        };
        f.finish(input)
    }
}

/// The boards in structure order: each top board, then those reporting to it beneath it,
/// with their depth (0 for the top).
pub fn structure(boards: &[Board]) -> Vec<(usize, &Board)> {
    fn add<'a>(
        boards: &'a [Board],
        parent: Option<BoardId>,
        depth: usize,
        out: &mut Vec<(usize, &'a Board)>,
    ) {
        let mut children: Vec<&Board> = boards.iter().filter(|b| b.reports_to == parent).collect();
        children.sort_by(|a, b| a.name.cmp(&b.name));
        for child in children {
            if out.iter().any(|(_, b)| b.id == child.id) {
                continue;
            }
            out.push((depth, child));
            add(boards, Some(child.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    add(boards, None, 0, &mut out);
    // A board whose parent is missing still appears, at the top.
    for board in boards {
        if !out.iter().any(|(_, b)| b.id == board.id) {
            out.push((0, board));
        }
    }
    out
}

/// Whether `board` reporting to `parent` would make a loop: a board reporting to itself,
/// or to a board that reports, however indirectly, to it.
pub fn reporting_loop(boards: &[Board], board: BoardId, parent: Option<BoardId>) -> bool {
    let mut next = parent;
    let mut steps = 0;
    while let Some(id) = next {
        if id == board || steps > boards.len() {
            return true;
        }
        next = boards
            .iter()
            .find(|b| b.id == id)
            .and_then(|b| b.reports_to);
        steps += 1;
    }
    false
}

/// A board's place in the structure diagram, in grid units: `column` across (a board sits
/// centred over the boards that report to it) and `row` down (its depth).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub board: BoardId,
    pub column: f64,
    pub row: usize,
    pub parent: Option<BoardId>,
}

/// Lays the structure out as a tree, top-down: boards with nobody reporting to them take
/// one column each, left to right in structure order, and every other board is centred
/// over those reporting to it. Returns the boards placed and the number of columns.
pub fn layout(boards: &[Board]) -> (Vec<Placed>, usize) {
    let ordered = structure(boards);
    let mut placed: Vec<Placed> = Vec::with_capacity(ordered.len());
    // Leaves are numbered in structure order, which keeps siblings together.
    let mut next_leaf = 0usize;
    let mut leaf_column = std::collections::HashMap::new();
    for (depth, board) in &ordered {
        let has_children = ordered
            .iter()
            .any(|(d, b)| *d == depth + 1 && b.reports_to == Some(board.id));
        if !has_children {
            leaf_column.insert(board.id, next_leaf as f64);
            next_leaf += 1;
        }
    }
    // `structure` lists each board before those reporting to it, so going through it
    // backwards places every board's children before the board itself.
    let mut column_of: std::collections::HashMap<BoardId, f64> = std::collections::HashMap::new();
    for &(depth, board) in ordered.iter().rev() {
        let column = match leaf_column.get(&board.id) {
            Some(c) => *c,
            None => {
                let children: Vec<f64> = ordered
                    .iter()
                    .filter(|(d, b)| *d == depth + 1 && b.reports_to == Some(board.id))
                    .filter_map(|(_, b)| column_of.get(&b.id).copied())
                    .collect();
                let low = children.iter().copied().fold(f64::MAX, f64::min);
                let high = children.iter().copied().fold(f64::MIN, f64::max);
                (low + high) / 2.0
            }
        };
        column_of.insert(board.id, column);
        placed.push(Placed {
            board: board.id,
            column,
            row: depth,
            parent: if depth == 0 { None } else { board.reports_to },
        });
    }
    placed.sort_by(|a, b| a.row.cmp(&b.row).then(a.column.total_cmp(&b.column)));
    (placed, next_leaf.max(1))
}

/// One line of a plan's reporting cycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportingLine {
    pub id: ReportingLineId,
    pub plan_id: PlanId,
    pub board_id: BoardId,
    pub kind: ReportKind,
    pub cadence: Cadence,
    pub first_due: Date,
    /// The last day the line runs, when its frequency changed (a new line takes over the
    /// next day) or it ended.
    #[serde(default)]
    pub until: Option<Date>,
}

impl ReportingLine {
    /// The next report due on or after `today`, unless the line has ended by then.
    pub fn next_due(&self, today: Date) -> Option<Date> {
        let due = self.cadence.next_due(self.first_due, today);
        match self.until {
            Some(until) if due > until => None,
            _ => Some(due),
        }
    }
}

/// A reporting line's details, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportingLineInput {
    pub board_id: BoardId,
    pub kind: ReportKind,
    pub cadence: Cadence,
    pub first_due: Date,
}

impl ReportingLineInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let board = f.optional_id("board", "the board");
        if board.is_none() && !f.has_error("board") {
            f.error("board", "Choose the board the report goes to");
        }
        let kind = f.choice("kind", "which report", ReportKind::from_code);
        let cadence = f.choice("cadence", "how often", Cadence::from_code);
        let first_due = f.date("first_due", "the date the first report is due", true);
        let fallback = ReportingLineInput {
            board_id: BoardId(0),
            kind: ReportKind::Progress,
            cadence: Cadence::Monthly,
            first_due: Date::MIN,
        };
        let input = match (board, kind, cadence, first_due) {
            (Some(board_id), Some(kind), Some(cadence), Some(first_due)) => ReportingLineInput {
                board_id,
                kind,
                cadence,
                first_due,
            },
            _ => fallback,
        };
        f.finish(input)
    }
}

/// One agenda item, linked to the plan action it is about when it starts with the
/// action's number ("2.3.1 Review of annual reviews").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub title: String,
    pub action: Option<crate::ActionId>,
}

/// What a meeting decided, or an action it gave someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// None until stored.
    #[serde(default)]
    pub id: Option<crate::OutcomeId>,
    /// An action arising ("Action: ..."), rather than a decision.
    pub is_action: bool,
    pub text: String,
    /// The plan action it became, if a plan manager added it to the plan.
    #[serde(default)]
    pub plan_action: Option<crate::ActionId>,
}

/// A meeting of a board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: crate::MeetingId,
    pub board_id: BoardId,
    pub plan_id: PlanId,
    pub held_on: Date,
    pub attendees: String,
    pub agenda: Vec<AgendaItem>,
    pub outcomes: Vec<Outcome>,
    pub version: i64,
}

impl Meeting {
    /// The agenda as the meeting form takes it: one item a line.
    pub fn agenda_text(&self) -> String {
        self.agenda
            .iter()
            .map(|item| item.title.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The decisions and actions arising as the meeting form takes them: one a line,
    /// actions marked "Action:".
    pub fn outcomes_text(&self) -> String {
        self.outcomes
            .iter()
            .map(|o| {
                if o.is_action {
                    format!("Action: {}", o.text)
                } else {
                    o.text.clone()
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Carries the plan actions that actions arising became over to the minutes as corrected:
/// each stays with the action arising of the same words. One whose words are gone is
/// refused, since the plan action came from it.
pub fn keep_plan_actions(before: &[Outcome], after: &mut [Outcome]) -> Result<(), String> {
    for old in before.iter().filter(|o| o.is_action) {
        let Some(action) = old.plan_action else {
            continue;
        };
        match after
            .iter_mut()
            .find(|o| o.is_action && o.plan_action.is_none() && o.text == old.text)
        {
            Some(new) => new.plan_action = Some(action),
            None => {
                return Err(format!(
                    "\"{}\" was added to the plan as an action, so it stays in the minutes as an action arising, in the same words",
                    old.text
                ))
            }
        }
    }
    Ok(())
}

/// A meeting's details, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingInput {
    pub board_id: BoardId,
    pub held_on: Date,
    pub attendees: String,
    pub agenda: Vec<AgendaItem>,
    pub outcomes: Vec<Outcome>,
}

impl MeetingInput {
    /// Reads the meeting form. The agenda is one item per line; an item that starts with
    /// an action number of the plan (`actions`: number and id) is linked to that action,
    /// and a number the plan does not have is refused. Decisions and actions arising are
    /// one per line; "Action:" at the start marks an action.
    pub fn parse(
        form: &RawForm,
        actions: &[(String, crate::ActionId)],
    ) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let board = f.optional_id("board", "the board");
        if board.is_none() && !f.has_error("board") {
            f.error("board", "Choose the board that met");
        }
        let held_on = f.date("held_on", "the date of the meeting", true);
        let attendees = f.optional("attendees", "who attended", LONG_TEXT);
        let agenda_text = f.required("agenda", "the agenda", LONG_TEXT);
        let mut agenda = Vec::new();
        for line in agenda_text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let first = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .trim_end_matches([':', '.', ')']);
            let looks_numbered =
                first.chars().next().is_some_and(|c| c.is_ascii_digit()) && first.contains('.');
            let action = if looks_numbered {
                match actions.iter().find(|(n, _)| n == first) {
                    Some((_, id)) => Some(*id),
                    None => {
                        f.error("agenda", format!("The plan has no action {first}: check the number at the start of \"{line}\""));
                        None
                    }
                }
            } else {
                None
            };
            agenda.push(AgendaItem {
                title: line.to_owned(),
                action,
            });
        }
        let outcomes_text = f.optional("outcomes", "the decisions and actions", LONG_TEXT);
        let outcomes = outcomes_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|line| {
                match line
                    .strip_prefix("Action:")
                    .or_else(|| line.strip_prefix("action:"))
                {
                    Some(rest) => Outcome {
                        id: None,
                        is_action: true,
                        text: rest.trim().to_owned(),
                        plan_action: None,
                    },
                    None => Outcome {
                        id: None,
                        is_action: false,
                        text: line.to_owned(),
                        plan_action: None,
                    },
                }
            })
            .collect();
        let input = MeetingInput {
            board_id: board.unwrap_or(BoardId(0)),
            held_on: held_on.unwrap_or(Date::MIN),
            attendees,
            agenda,
            outcomes,
        };
        f.finish(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn corrected_minutes_keep_the_plan_actions_their_actions_arising_became() {
        let outcome = |is_action: bool, text: &str, plan_action: Option<i64>| Outcome {
            id: None,
            is_action,
            text: text.to_owned(),
            plan_action: plan_action.map(crate::ActionId),
        };
        let before = [
            outcome(false, "The report was noted", None),
            outcome(true, "Commission a second provider", Some(9)),
            outcome(true, "Write to schools", None),
        ];
        let mut after = vec![
            outcome(true, "Write to all schools", None),
            outcome(true, "Commission a second provider", None),
        ];
        keep_plan_actions(&before, &mut after).expect("kept");
        assert_eq!(after[1].plan_action, Some(crate::ActionId(9)));
        assert_eq!(after[0].plan_action, None);
        let mut reworded = vec![outcome(true, "Commission another provider", None)];
        let refused = keep_plan_actions(&before, &mut reworded).unwrap_err();
        assert!(refused.contains("\"Commission a second provider\" was added to the plan"));
        let meeting = Meeting {
            id: crate::MeetingId(1),
            board_id: BoardId(1),
            plan_id: PlanId(1),
            held_on: date!(2022 - 10 - 12),
            attendees: String::new(),
            agenda: vec![AgendaItem {
                title: "Apologies".into(),
                action: None,
            }],
            outcomes: before.to_vec(),
            version: 1,
        };
        assert_eq!(
            meeting.outcomes_text(),
            "The report was noted\nAction: Commission a second provider\nAction: Write to schools"
        );
        assert_eq!(meeting.agenda_text(), "Apologies");
    }

    #[test]
    fn a_board_cannot_report_to_itself_or_to_those_reporting_to_it() {
        let boards = [
            board(1, "Health and Wellbeing Board", None),
            board(2, "SEND Partnership Board", Some(1)),
            board(3, "Steering group", Some(2)),
        ];
        assert!(reporting_loop(&boards, BoardId(1), Some(BoardId(1))));
        assert!(reporting_loop(&boards, BoardId(1), Some(BoardId(3))));
        assert!(!reporting_loop(&boards, BoardId(3), Some(BoardId(1))));
        assert!(!reporting_loop(&boards, BoardId(2), None));
    }

    #[test]
    fn the_diagram_centres_each_board_over_those_reporting_to_it() {
        let boards = [
            board(1, "Health and Wellbeing Board", None),
            board(2, "SEND Partnership Board", Some(1)),
            board(3, "Education workstream", Some(2)),
            board(4, "Health workstream", Some(2)),
            board(5, "Scrutiny", None),
        ];
        let (placed, columns) = layout(&boards);
        let at: Vec<(i64, f64, usize)> = placed
            .iter()
            .map(|p| (p.board.0, p.column, p.row))
            .collect();
        assert_eq!(columns, 3);
        assert_eq!(
            at,
            vec![
                (1, 0.5, 0),
                (5, 2.0, 0),
                (2, 0.5, 1),
                (3, 0.0, 2),
                (4, 1.0, 2)
            ]
        );
        assert_eq!(placed[2].parent, Some(BoardId(1)));
        assert_eq!(layout(&[]).0, vec![]);
    }

    #[test]
    fn the_next_report_is_due_on_the_cycle_from_its_first_date() {
        let first = date!(2022 - 01 - 31);
        assert_eq!(
            Cadence::Monthly.next_due(first, date!(2022 - 01 - 15)),
            first
        );
        assert_eq!(
            Cadence::Monthly.next_due(first, date!(2022 - 02 - 01)),
            date!(2022 - 02 - 28)
        );
        assert_eq!(
            Cadence::Monthly.next_due(first, date!(2022 - 03 - 01)),
            date!(2022 - 03 - 31),
            "back to the 31st after a short month"
        );
        assert_eq!(
            Cadence::SixWeekly.next_due(first, date!(2022 - 02 - 01)),
            date!(2022 - 03 - 14)
        );
        assert_eq!(
            Cadence::Quarterly.next_due(first, date!(2022 - 05 - 01)),
            date!(2022 - 07 - 31)
        );
        assert_eq!(
            Cadence::SixMonthly.next_due(first, date!(2022 - 08 - 01)),
            date!(2023 - 01 - 31)
        );
        assert_eq!(
            Cadence::Annually.next_due(first, date!(2022 - 02 - 01)),
            date!(2023 - 01 - 31)
        );
    }

    #[test]
    fn agenda_items_link_to_the_actions_they_name_and_actions_arising_are_marked() {
        use crate::ActionId;
        let actions = vec![("2.3.1".to_owned(), ActionId(9))];
        let form = RawForm::from_pairs(&[
            ("board", "4"),
            ("held_on-day", "12"),
            ("held_on-month", "10"),
            ("held_on-year", "2022"),
            ("agenda", "Apologies\n2.3.1 Annual reviews: progress\n"),
            ("outcomes", "The exception report was noted\nAction: the SEND lead to bring the recovery plan in November"),
        ]);
        let meeting = MeetingInput::parse(&form, &actions).expect("valid");
        assert_eq!(meeting.agenda[0].action, None);
        assert_eq!(meeting.agenda[1].action, Some(ActionId(9)));
        assert!(!meeting.outcomes[0].is_action && meeting.outcomes[1].is_action);
        assert_eq!(
            meeting.outcomes[1].text,
            "the SEND lead to bring the recovery plan in November"
        );
        let unknown = RawForm::from_pairs(&[
            ("board", "4"),
            ("held_on-day", "12"),
            ("held_on-month", "10"),
            ("held_on-year", "2022"),
            ("agenda", "9.9 Something else"),
        ]);
        assert!(MeetingInput::parse(&unknown, &actions)
            .is_err_and(|e| e.0[0].message.contains("no action 9.9")));
    }

    fn board(id: i64, name: &str, reports_to: Option<i64>) -> Board {
        Board {
            id: BoardId(id),
            partnership_id: PartnershipId(1),
            name: name.into(),
            purpose: String::new(),
            chair: String::new(),
            members: String::new(),
            reports_to: reports_to.map(BoardId),
            version: 1,
        }
    }

    #[test]
    fn the_structure_puts_each_board_under_the_one_it_reports_to() {
        // Seed 003: senior managers and the steering group report to the SEND board,
        // which reports to scrutiny.
        let boards = [
            board(1, "SEND and Inclusion Board", Some(4)),
            board(2, "Steering group", Some(1)),
            board(3, "Senior managers", Some(1)),
            board(4, "Overview and scrutiny", None),
        ];
        let order: Vec<(usize, &str)> = structure(&boards)
            .iter()
            .map(|(d, b)| (*d, b.name.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                (0, "Overview and scrutiny"),
                (1, "SEND and Inclusion Board"),
                (2, "Senior managers"),
                (2, "Steering group"),
            ]
        );
    }
}
