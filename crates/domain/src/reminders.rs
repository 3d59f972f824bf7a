//! Reminders and chasing: which emails a plan's reminders should send today.
//!
//! - Before a board's report is due (within the plan's "days before a board"), each lead
//!   of an action with no update since the board's previous report is asked for one.
//! - A lead is told when their actions have gone stale (no update for longer than the plan
//!   allows), and when a milestone of theirs falls due within the plan's "milestone days".
//! - Before each board, the plan's managers get a digest of who has not yet updated.
//!
//! Every line of every email has a key naming what it reminds of and when ("the update of
//! action 7 for the board of 5 December, to this address"). A key is sent once, ever: the
//! store records keys as it queues emails, so a reminder computed again tomorrow, or after
//! a restart, is dropped rather than sent twice.

use crate::governance::Cadence;
use crate::input::{long_date, FieldErrors, FormReader, RawForm};
use crate::{ActionId, MilestoneId, PersonId, ReportingLineId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::Date;

/// How a plan's reminders are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderSettings {
    /// Off until a plan manager turns them on: they email real people.
    pub enabled: bool,
    /// How many days before a board's report is due leads are asked for updates.
    pub days_before_board: i64,
    /// How many days before a milestone is due its leads are reminded.
    pub milestone_days: i64,
    /// Whether leads are told when their actions go stale.
    pub stale: bool,
}

impl Default for ReminderSettings {
    fn default() -> Self {
        ReminderSettings {
            enabled: false,
            days_before_board: 10,
            milestone_days: 14,
            stale: true,
        }
    }
}

impl ReminderSettings {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let mut days = |name: &str, what: &str, max: i64| -> i64 {
            let text = form.get(name).trim();
            match text.parse::<i64>() {
                Ok(n) if (0..=max).contains(&n) => n,
                Ok(_) => {
                    f.error(name, format!("{what} must be from 0 to {max} days"));
                    0
                }
                Err(_) if text.is_empty() => {
                    f.error(name, format!("Enter {}", what.to_lowercase()));
                    0
                }
                Err(_) => {
                    f.error(name, format!("{what} must be a whole number of days"));
                    0
                }
            }
        };
        let days_before_board = days(
            "days_before_board",
            "How many days before a board leads are asked",
            60,
        );
        let milestone_days = days(
            "milestone_days",
            "How many days before a milestone leads are reminded",
            90,
        );
        let settings = ReminderSettings {
            enabled: form.get("enabled") == "yes",
            days_before_board,
            milestone_days,
            stale: form.get("stale") == "yes",
        };
        f.finish(settings)
    }
}

/// Someone an email goes to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// An action as the reminders see it on the day.
#[derive(Debug, Clone)]
pub struct ChaseAction {
    pub id: ActionId,
    pub number: String,
    pub description: String,
    pub leads: Vec<PersonId>,
    pub latest_update: Option<Date>,
    pub complete: bool,
    pub stale: bool,
    pub not_yet_due: bool,
}

/// A milestone not yet done.
#[derive(Debug, Clone)]
pub struct ChaseMilestone {
    pub id: MilestoneId,
    pub action: ActionId,
    pub title: String,
    pub due: Date,
}

/// A board report of the plan's cycle that falls due.
#[derive(Debug, Clone)]
pub struct BoardDate {
    pub line: ReportingLineId,
    pub board: String,
    pub due: Date,
    /// The previous report's due date: updates since then count.
    pub since: Option<Date>,
}

impl BoardDate {
    /// The next report of a reporting line on or after `today`.
    pub fn next(
        line: ReportingLineId,
        board: &str,
        cadence: Cadence,
        first: Date,
        today: Date,
    ) -> Self {
        let due = cadence.next_due(first, today);
        BoardDate {
            line,
            board: board.to_owned(),
            due,
            since: cadence.previous_due(first, due),
        }
    }
}

/// What today's reminders are computed from.
pub struct ChaseFacts<'a> {
    pub plan_title: &'a str,
    pub settings: ReminderSettings,
    pub actions: &'a [ChaseAction],
    pub milestones: &'a [ChaseMilestone],
    pub boards: &'a [BoardDate],
    /// The people who lead actions, with an email address (those without cannot be sent
    /// to, and the digest says so).
    pub people: &'a HashMap<PersonId, Recipient>,
    /// Every lead's name, with or without an address, for the digest.
    pub names: &'a HashMap<PersonId, String>,
    pub managers: &'a [Recipient],
}

/// One line of an email, with the key that keeps it from being sent twice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub key: String,
    pub text: String,
}

/// An email to send, before the lines already sent are dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub to: Recipient,
    pub subject: String,
    pub intro: String,
    pub lines: Vec<Line>,
}

impl Reminder {
    /// The email's text, with only `lines` (those not sent before), and a link to sendplan
    /// if the service's address is known.
    pub fn body(&self, lines: &[&Line], link: Option<&str>, plan_title: &str) -> String {
        let mut body = format!("Dear {},\n\n{}\n\n", self.to.name, self.intro);
        for line in lines {
            body.push_str(&format!("- {}\n", line.text));
        }
        if let Some(link) = link {
            body.push_str(&format!("\nOpen the plan in sendplan: {link}\n"));
        }
        body.push_str(&format!(
            "\nYou get this email because of your part in {plan_title}. Its plan managers choose when sendplan sends reminders.\n"
        ));
        body
    }
}

/// The reminders due today for a plan. Lines already sent are dropped by the store.
pub fn due(facts: &ChaseFacts<'_>, today: Date) -> Vec<Reminder> {
    let settings = facts.settings;
    if !settings.enabled {
        return vec![];
    }
    let open: Vec<&ChaseAction> = facts.actions.iter().filter(|a| !a.complete).collect();
    let actions: HashMap<ActionId, &ChaseAction> = open.iter().map(|a| (a.id, *a)).collect();
    let describe = |a: &ChaseAction| {
        let updated = match a.latest_update {
            Some(d) => format!("last updated {}", long_date(d)),
            None => "no update yet".to_owned(),
        };
        format!("{} {} ({updated})", a.number, a.description)
    };
    // Lines for each lead, by the email they belong in (BTreeMap: a stable order).
    let mut to_leads: BTreeMap<(String, u8, String), Reminder> = BTreeMap::new();
    let mut add = |person: PersonId, order: u8, subject: String, intro: String, line: Line| {
        if let Some(to) = facts.people.get(&person) {
            to_leads
                .entry((to.email.clone(), order, subject.clone()))
                .or_insert_with(|| Reminder {
                    to: to.clone(),
                    subject,
                    intro,
                    lines: vec![],
                })
                .lines
                .push(line);
        }
    };
    let mut digests = Vec::new();
    // An action whose lead is asked for an update for a board is not also chased as stale
    // in the same round: one request per action is enough.
    let mut asked: std::collections::HashSet<(ActionId, PersonId)> = Default::default();
    for board in facts
        .boards
        .iter()
        .filter(|b| (b.due - today).whole_days() <= settings.days_before_board)
    {
        let waiting: Vec<&&ChaseAction> = open
            .iter()
            .filter(|a| !a.not_yet_due)
            .filter(|a| match (a.latest_update, board.since) {
                (None, _) => true,
                (Some(updated), Some(since)) => updated < since,
                (Some(_), None) => false,
            })
            .collect();
        let subject = format!(
            "Update needed for {} on {}",
            board.board,
            long_date(board.due)
        );
        let intro = format!(
            "The {} report for {} is due on {}. Please add an update to these actions you lead, with their rating and progress, before then:",
            board.board,
            facts.plan_title,
            long_date(board.due)
        );
        for action in &waiting {
            for lead in &action.leads {
                if let Some(to) = facts.people.get(lead) {
                    asked.insert((action.id, *lead));
                    add(
                        *lead,
                        0,
                        subject.clone(),
                        intro.clone(),
                        Line {
                            key: format!(
                                "board:{}:{}:{}:{}",
                                board.line.0, board.due, action.id.0, to.email
                            ),
                            text: describe(action),
                        },
                    );
                }
            }
        }
        // Who has not updated, by lead, for the managers.
        let mut by_lead: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for action in &waiting {
            let leads = if action.leads.is_empty() {
                vec!["No lead named".to_owned()]
            } else {
                action
                    .leads
                    .iter()
                    .map(|p| {
                        let name = facts.names.get(p).cloned().unwrap_or_default();
                        if facts.people.contains_key(p) {
                            name
                        } else {
                            format!("{name} (no email address, not reminded)")
                        }
                    })
                    .collect()
            };
            for lead in leads {
                by_lead.entry(lead).or_default().push(action.number.clone());
            }
        }
        for manager in facts.managers {
            let text = if by_lead.is_empty() {
                "Every action due an update has one.".to_owned()
            } else {
                by_lead
                    .iter()
                    .map(|(lead, numbers)| format!("{lead}: {}", numbers.join(", ")))
                    .collect::<Vec<_>>()
                    .join("\n- ")
            };
            digests.push(Reminder {
                to: manager.clone(),
                subject: format!(
                    "Before {} on {}: {} {} without an update",
                    board.board,
                    long_date(board.due),
                    waiting.len(),
                    if waiting.len() == 1 { "action" } else { "actions" }
                ),
                intro: format!(
                    "The {} report for {} is due on {}. These leads have not yet updated their actions (each has been reminded by email where sendplan has their address):",
                    board.board,
                    facts.plan_title,
                    long_date(board.due)
                ),
                lines: vec![Line {
                    key: format!("digest:{}:{}:{}", board.line.0, board.due, manager.email),
                    text,
                }],
            });
        }
    }
    if settings.stale {
        for action in open.iter().filter(|a| a.stale) {
            for lead in action
                .leads
                .iter()
                .filter(|l| !asked.contains(&(action.id, **l)))
            {
                if let Some(to) = facts.people.get(lead) {
                    let since = action
                        .latest_update
                        .map_or("never".to_owned(), |d| d.to_string());
                    add(
                        *lead,
                        1,
                        format!("Actions without a recent update in {}", facts.plan_title),
                        "These actions you lead have had no update for longer than the plan allows. Please add an update with their rating and progress:".to_owned(),
                        Line {
                            key: format!("stale:{}:{since}:{}", action.id.0, to.email),
                            text: describe(action),
                        },
                    );
                }
            }
        }
    }
    for milestone in facts.milestones {
        let days = (milestone.due - today).whole_days();
        let Some(action) = actions.get(&milestone.action) else {
            continue;
        };
        if !(0..=settings.milestone_days).contains(&days) {
            continue;
        }
        for lead in &action.leads {
            if let Some(to) = facts.people.get(lead) {
                add(
                    *lead,
                    2,
                    format!("Milestones due soon in {}", facts.plan_title),
                    "These milestones of actions you lead are due soon. When one is done, record it in sendplan:".to_owned(),
                    Line {
                        key: format!("milestone:{}:{}:{}", milestone.id.0, milestone.due, to.email),
                        text: format!(
                            "{} (action {}), due {}",
                            milestone.title,
                            action.number,
                            long_date(milestone.due)
                        ),
                    },
                );
            }
        }
    }
    let mut reminders: Vec<Reminder> = to_leads.into_values().collect();
    reminders.extend(digests);
    reminders
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn action(id: i64, lead: i64, latest: Option<Date>) -> ChaseAction {
        ChaseAction {
            id: ActionId(id),
            number: format!("1.{id}"),
            description: format!("Action {id}"),
            leads: vec![PersonId(lead)],
            latest_update: latest,
            complete: false,
            stale: false,
            not_yet_due: false,
        }
    }

    fn recipient(name: &str) -> Recipient {
        Recipient {
            name: name.into(),
            email: format!("{}@example.org", name.to_lowercase()),
        }
    }

    fn run(settings: ReminderSettings, boards: &[BoardDate]) -> Vec<Reminder> {
        let mut stale = action(3, 1, Some(date!(2026 - 08 - 01)));
        stale.stale = true;
        let mut done = action(4, 1, None);
        done.complete = true;
        let actions = [
            action(1, 1, Some(date!(2026 - 09 - 01))),
            action(2, 2, Some(date!(2026 - 11 - 01))),
            stale,
            done,
            action(5, 3, None),
        ];
        let milestones = [
            ChaseMilestone {
                id: MilestoneId(1),
                action: ActionId(2),
                title: "Panel in place".into(),
                due: date!(2026 - 12 - 01),
            },
            ChaseMilestone {
                id: MilestoneId(2),
                action: ActionId(2),
                title: "Far off".into(),
                due: date!(2027 - 06 - 01),
            },
        ];
        let people = HashMap::from([
            (PersonId(1), recipient("Ann")),
            (PersonId(2), recipient("Bob")),
        ]);
        let names = HashMap::from([
            (PersonId(1), "Ann".to_owned()),
            (PersonId(2), "Bob".to_owned()),
            (PersonId(3), "Cat".to_owned()),
        ]);
        let facts = ChaseFacts {
            plan_title: "Test plan",
            settings,
            actions: &actions,
            milestones: &milestones,
            boards,
            people: &people,
            names: &names,
            managers: &[recipient("Pam")],
        };
        due(&facts, TODAY)
    }

    fn on() -> ReminderSettings {
        ReminderSettings {
            enabled: true,
            ..ReminderSettings::default()
        }
    }

    #[test]
    fn nothing_is_sent_until_a_plan_manager_turns_reminders_on() {
        let board = BoardDate::next(
            ReportingLineId(1),
            "SEND Board",
            Cadence::Monthly,
            date!(2026 - 01 - 28),
            TODAY,
        );
        assert!(run(ReminderSettings::default(), &[board]).is_empty());
    }

    #[test]
    fn leads_are_asked_for_updates_before_a_board_and_managers_get_a_digest() {
        let board = BoardDate::next(
            ReportingLineId(1),
            "SEND Board",
            Cadence::Monthly,
            date!(2026 - 01 - 28),
            TODAY,
        );
        assert_eq!(board.due, date!(2026 - 11 - 28));
        assert_eq!(board.since, Some(date!(2026 - 10 - 28)));
        let sent = run(on(), &[board]);
        let summary: Vec<(&str, &str, Vec<&str>)> = sent
            .iter()
            .map(|r| {
                (
                    r.to.email.as_str(),
                    r.subject.as_str(),
                    r.lines.iter().map(|l| l.key.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    "ann@example.org",
                    "Update needed for SEND Board on 28 November 2026",
                    vec![
                        "board:1:2026-11-28:1:ann@example.org",
                        "board:1:2026-11-28:3:ann@example.org"
                    ]
                ),
                (
                    "bob@example.org",
                    "Milestones due soon in Test plan",
                    vec!["milestone:1:2026-12-01:bob@example.org"]
                ),
                (
                    "pam@example.org",
                    "Before SEND Board on 28 November 2026: 3 actions without an update",
                    vec!["digest:1:2026-11-28:pam@example.org"]
                ),
            ],
            "Bob updated on 1 November, after the last board; the complete action is left alone; \
             stale 1.3 is asked for once, for the board, not chased twice"
        );
        assert_eq!(
            sent[2].lines[0].text,
            "Ann: 1.1, 1.3\n- Cat (no email address, not reminded): 1.5"
        );
        let body = sent[0].body(
            &sent[0].lines.iter().collect::<Vec<_>>(),
            Some("https://sendplan.example.org/p/1/plans/1"),
            "Test plan",
        );
        assert!(body.starts_with("Dear Ann,"));
        assert!(body.contains("- 1.1 Action 1 (last updated 1 September 2026)"));
        assert!(
            body.contains("Open the plan in sendplan: https://sendplan.example.org/p/1/plans/1")
        );
    }

    #[test]
    fn boards_further_off_than_the_plan_asks_wait() {
        let board = BoardDate::next(
            ReportingLineId(1),
            "SEND Board",
            Cadence::Quarterly,
            date!(2026 - 03 - 31),
            TODAY,
        );
        assert_eq!(board.due, date!(2026 - 12 - 31));
        let sent = run(on(), &[board]);
        assert!(sent.iter().all(|r| !r.subject.contains("SEND Board")));
        let stale: Vec<&str> = sent
            .iter()
            .filter(|r| r.subject.starts_with("Actions without a recent update"))
            .flat_map(|r| r.lines.iter().map(|l| l.key.as_str()))
            .collect();
        assert_eq!(stale, vec!["stale:3:2026-08-01:ann@example.org"]);
        let quiet = run(
            ReminderSettings {
                stale: false,
                milestone_days: 3,
                ..on()
            },
            &[],
        );
        assert!(quiet.is_empty(), "{quiet:?}");
    }

    #[test]
    fn settings_are_checked() {
        let form = RawForm(vec![
            ("enabled".into(), "yes".into()),
            ("days_before_board".into(), "100".into()),
            ("milestone_days".into(), "two".into()),
        ]);
        let errors = ReminderSettings::parse(&form).unwrap_err();
        assert_eq!(errors.0.len(), 2);
        let form = RawForm(vec![
            ("enabled".into(), "yes".into()),
            ("days_before_board".into(), "7".into()),
            ("milestone_days".into(), "14".into()),
            ("stale".into(), "yes".into()),
        ]);
        assert_eq!(
            ReminderSettings::parse(&form).unwrap(),
            ReminderSettings {
                enabled: true,
                days_before_board: 7,
                milestone_days: 14,
                stale: true
            }
        );
    }
}
