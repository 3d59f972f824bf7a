//! The rolling review programme (Worcestershire 1.1.4; ORUK's guidance to check each entry
//! every three months): each service is due for review a set time after it was last
//! checked; its contact is invited to confirm it or update it a little before then,
//! chased if they do not, and the Local Offer officer is told when the chasing has not
//! worked. An overdue service is marked on its page and, if the partnership chooses,
//! hidden from families until it is checked. The rules are here, one function each; the
//! scheduler and the pages only act on what they say.

use super::model::{Organization, Service};
use crate::input::{FieldErrors, FormReader, RawForm};
use crate::reports::months_after;
use time::{Date, Duration};

/// How a partnership runs its review programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewPolicy {
    /// How long an entry stays current after it was checked.
    pub months: i32,
    /// How many days before it falls due its contact is invited to check it.
    pub invite_days_before: i64,
    /// How many days after each unanswered email the next is sent.
    pub chase_after_days: i64,
    /// How many reminders follow the invitation before the officer is told.
    pub reminders: u32,
    /// Hide a service from families once it has been overdue this many days; `None` to
    /// keep showing it, marked as not checked recently.
    pub hide_after_days: Option<i64>,
}

impl Default for ReviewPolicy {
    /// Three months, as the ORUK guidance recommends; invited two weeks before, chased
    /// weekly twice; never hidden unless the partnership chooses.
    fn default() -> Self {
        ReviewPolicy {
            months: super::coverage::REVIEW_MONTHS,
            invite_days_before: 14,
            chase_after_days: 7,
            reminders: 2,
            hide_after_days: None,
        }
    }
}

impl ReviewPolicy {
    /// The policy an officer set on the form: `months` an entry stays current, and
    /// `overdue` "show" or "hide" (then `hide_after_days`).
    pub fn parse(form: &RawForm) -> Result<ReviewPolicy, FieldErrors> {
        let mut f = FormReader::new(form);
        let months = f.whole_number("months", "how many months an entry stays current", 1, 24);
        let hide = f.choice(
            "overdue",
            "what families see of an overdue entry",
            |v| match v {
                "show" => Some(false),
                "hide" => Some(true),
                _ => None,
            },
        );
        let days = match hide {
            Some(true) => f.whole_number(
                "hide_after_days",
                "how many days after it falls due an entry is hidden",
                0,
                365,
            ),
            _ => None,
        };
        let (months, days) = f.finish((months, days))?;
        Ok(ReviewPolicy {
            months: months.unwrap_or(3) as i32,
            hide_after_days: days,
            ..ReviewPolicy::default()
        })
    }
}

/// Where a service stands in the programme on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Checked, and not yet due: due on this day.
    Current { due: Date },
    /// Due on this day, within the invitation period.
    DueSoon { due: Date },
    /// Was due on `due`; `days` days ago.
    Overdue { due: Date, days: i64 },
    /// Never checked: due now.
    NeverChecked,
}

/// When `service` is next due for review.
pub fn due_date(service: &Service, policy: &ReviewPolicy) -> Option<Date> {
    service
        .assured_date
        .map(|checked| months_after(checked, policy.months))
}

/// Where `service` stands on `today`.
pub fn standing(service: &Service, today: Date, policy: &ReviewPolicy) -> Standing {
    let Some(due) = due_date(service, policy) else {
        return Standing::NeverChecked;
    };
    if today >= due {
        Standing::Overdue {
            due,
            days: (today - due).whole_days(),
        }
    } else if today >= due - Duration::days(policy.invite_days_before) {
        Standing::DueSoon { due }
    } else {
        Standing::Current { due }
    }
}

/// Whether a service's page should tell families it may be out of date: it is past due,
/// or was never checked.
pub fn is_overdue(service: &Service, today: Date, policy: &ReviewPolicy) -> bool {
    matches!(
        standing(service, today, policy),
        Standing::Overdue { .. } | Standing::NeverChecked
    )
}

/// Who is asked to check a service: the address it gives, else its first contact's,
/// else its organisation's.
pub fn review_contact<'a>(
    service: &'a Service,
    organisation: Option<&'a Organization>,
) -> Option<&'a str> {
    std::iter::once(service.email.as_str())
        .chain(service.contacts.iter().map(|c| c.email.as_str()))
        .chain(organisation.map(|o| o.email.as_str()))
        .map(str::trim)
        .find(|e| e.contains('@'))
}

/// How many days a link to confirm an entry works.
pub const LINK_VALID_DAYS: i64 = 30;

crate::coded_enum! {
    /// An email the programme sends about a service.
    ReviewEmail {
        /// The first, inviting its contact to check it.
        Invitation => ("invitation", "Invited to check it"),
        /// A later one, when the first was not answered.
        Reminder => ("reminder", "Reminded"),
        /// To the Local Offer officers, when reminders were not answered either.
        OfficerTold => ("officer", "Officer told"),
    }
}

/// Whether families are shown the service on `today`: always, unless the partnership
/// hides services overdue for longer than its policy allows.
pub fn shown_to_families(service: &Service, today: Date, policy: &ReviewPolicy) -> bool {
    let Some(limit) = policy.hide_after_days else {
        return true;
    };
    match standing(service, today, policy) {
        Standing::Overdue { days, .. } => days <= limit,
        Standing::NeverChecked => false,
        Standing::Current { .. } | Standing::DueSoon { .. } => true,
    }
}

/// What the programme should do next about one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Nothing today.
    Wait,
    /// Email its contact the link to confirm or update it.
    Invite,
    /// Email its contact again: the `n`th reminder (from 1).
    Remind(u32),
    /// Tell the Local Offer officer that its contact has not answered.
    TellOfficer,
}

/// The next step on `today`, given the emails already sent about this round of review
/// (`sent`, oldest first: the invitation, then each reminder) and whether the officer
/// has been told. A check ends the round: the caller starts a new one with `sent` empty.
pub fn next_step(
    service: &Service,
    sent: &[Date],
    officer_told: bool,
    today: Date,
    policy: &ReviewPolicy,
) -> NextStep {
    if matches!(standing(service, today, policy), Standing::Current { .. }) {
        return NextStep::Wait;
    }
    let Some(last) = sent.last() else {
        return NextStep::Invite;
    };
    if (today - *last).whole_days() < policy.chase_after_days {
        return NextStep::Wait;
    }
    let reminders_sent = sent.len() as u32 - 1;
    if reminders_sent < policy.reminders {
        NextStep::Remind(reminders_sent + 1)
    } else if !officer_told {
        NextStep::TellOfficer
    } else {
        NextStep::Wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn checked(on: Date) -> Service {
        Service {
            assured_date: Some(on),
            ..Service::default()
        }
    }

    #[test]
    fn a_service_is_due_three_months_after_it_was_checked() {
        let policy = ReviewPolicy::default();
        let s = checked(date!(2026 - 03 - 15));
        assert_eq!(due_date(&s, &policy), Some(date!(2026 - 06 - 15)));
        assert_eq!(
            standing(&s, date!(2026 - 05 - 31), &policy),
            Standing::Current {
                due: date!(2026 - 06 - 15)
            }
        );
        assert_eq!(
            standing(&s, date!(2026 - 06 - 01), &policy),
            Standing::DueSoon {
                due: date!(2026 - 06 - 15)
            },
            "invited two weeks before"
        );
        assert_eq!(
            standing(&s, date!(2026 - 06 - 15), &policy),
            Standing::Overdue {
                due: date!(2026 - 06 - 15),
                days: 0
            }
        );
        assert_eq!(
            standing(&Service::default(), date!(2026 - 06 - 15), &policy),
            Standing::NeverChecked
        );
        // The end of a longer month falls on the end of a shorter one.
        let end = checked(date!(2026 - 11 - 30));
        assert_eq!(due_date(&end, &policy), Some(date!(2027 - 02 - 28)));
    }

    #[test]
    fn the_contact_asked_is_the_services_then_its_contacts_then_its_organisations() {
        let organisation = Organization {
            email: "office@example.org".into(),
            ..Organization::default()
        };
        let mut s = Service::default();
        assert_eq!(
            review_contact(&s, Some(&organisation)),
            Some("office@example.org")
        );
        s.contacts.push(super::super::Contact {
            email: " sam@example.org ".into(),
            ..Default::default()
        });
        assert_eq!(
            review_contact(&s, Some(&organisation)),
            Some("sam@example.org")
        );
        s.email = "club@example.org".into();
        assert_eq!(review_contact(&s, None), Some("club@example.org"));
        assert_eq!(review_contact(&Service::default(), None), None);
    }

    #[test]
    fn the_policy_form_says_what_is_wrong() {
        let form = |pairs: &[(&str, &str)]| RawForm::from_pairs(pairs);
        assert_eq!(
            ReviewPolicy::parse(&form(&[
                ("months", "6"),
                ("overdue", "hide"),
                ("hide_after_days", "28")
            ])),
            Ok(ReviewPolicy {
                months: 6,
                hide_after_days: Some(28),
                ..ReviewPolicy::default()
            })
        );
        assert_eq!(
            ReviewPolicy::parse(&form(&[
                ("months", "3"),
                ("overdue", "show"),
                ("hide_after_days", "x")
            ]))
            .unwrap()
            .hide_after_days,
            None,
            "days are read only when hiding"
        );
        let errors =
            ReviewPolicy::parse(&form(&[("months", "0"), ("overdue", "hide")])).unwrap_err();
        assert!(errors.message_for("months").is_some());
        assert!(errors.message_for("hide_after_days").is_some());
    }

    #[test]
    fn overdue_services_are_hidden_only_if_the_partnership_says_so() {
        let s = checked(date!(2026 - 01 - 01));
        let late = date!(2026 - 05 - 01);
        assert!(shown_to_families(&s, late, &ReviewPolicy::default()));
        let strict = ReviewPolicy {
            hide_after_days: Some(28),
            ..ReviewPolicy::default()
        };
        assert!(
            shown_to_families(&s, date!(2026 - 04 - 29), &strict),
            "28 days over"
        );
        assert!(
            !shown_to_families(&s, date!(2026 - 04 - 30), &strict),
            "29 days over"
        );
        assert!(!shown_to_families(&Service::default(), late, &strict));
    }

    #[test]
    fn the_contact_is_invited_reminded_twice_a_week_apart_then_the_officer_is_told() {
        let policy = ReviewPolicy::default();
        let s = checked(date!(2026 - 03 - 15));
        let step =
            |sent: &[Date], told: bool, today: Date| next_step(&s, sent, told, today, &policy);
        assert_eq!(step(&[], false, date!(2026 - 05 - 31)), NextStep::Wait);
        let invited = date!(2026 - 06 - 01);
        assert_eq!(step(&[], false, invited), NextStep::Invite);
        assert_eq!(
            step(&[invited], false, date!(2026 - 06 - 07)),
            NextStep::Wait
        );
        assert_eq!(
            step(&[invited], false, date!(2026 - 06 - 08)),
            NextStep::Remind(1)
        );
        let first = date!(2026 - 06 - 08);
        assert_eq!(
            step(&[invited, first], false, date!(2026 - 06 - 15)),
            NextStep::Remind(2)
        );
        let second = date!(2026 - 06 - 15);
        assert_eq!(
            step(&[invited, first, second], false, date!(2026 - 06 - 22)),
            NextStep::TellOfficer
        );
        assert_eq!(
            step(&[invited, first, second], true, date!(2026 - 07 - 22)),
            NextStep::Wait,
            "told once"
        );
    }
}
