//! Changing a service's entry: the form a provider or a Local Offer officer edits it with,
//! and the differences, field by field and in words, that an officer reads before
//! approving a provider's change or restoring an earlier version.

use super::{is_web_address, Contact, Day, Schedule, Service};
use crate::input::{parse_email, FieldErrors, FormReader, RawForm};

crate::coded_enum! {
    /// Where a provider's proposed change stands.
    ProposalState {
        /// Sent, and not yet approved or returned.
        Waiting => ("waiting", "Waiting for approval"),
        /// Approved: the entry families see is now this.
        Approved => ("approved", "Approved"),
        /// Sent back to the provider with a reason.
        Returned => ("returned", "Returned"),
    }
}

/// The opening times as the edit form shows them: each day's opening and closing times
/// ("09:30", or empty when closed) and a note in words ("Term time only").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpeningTimes {
    pub days: [(String, String); 7],
    pub note: String,
}

impl OpeningTimes {
    /// The times a service's schedules give each day (the first schedule naming a day
    /// wins), and their descriptions as one note.
    pub fn of(schedules: &[Schedule]) -> Self {
        let mut times = OpeningTimes::default();
        for (i, day) in Day::ALL.iter().enumerate() {
            if let Some(s) = schedules
                .iter()
                .find(|s| s.days.contains(day) && !s.opens_at.is_empty())
            {
                times.days[i] = (s.opens_at.clone(), s.closes_at.clone());
            }
        }
        let mut notes: Vec<&str> = Vec::new();
        for s in schedules {
            let note = s.description.trim();
            if !note.is_empty() && !notes.contains(&note) {
                notes.push(note);
            }
        }
        times.note = notes.join(". ");
        times
    }

    /// The schedules these times make: days with the same hours together, in week order,
    /// and the note on the first (or alone, when no day has hours).
    pub fn to_schedules(&self) -> Vec<Schedule> {
        let mut schedules: Vec<Schedule> = Vec::new();
        for (day, (opens, closes)) in Day::ALL.iter().zip(&self.days) {
            if opens.is_empty() {
                continue;
            }
            match schedules
                .iter_mut()
                .find(|s| &s.opens_at == opens && &s.closes_at == closes)
            {
                Some(s) => s.days.push(*day),
                None => schedules.push(Schedule {
                    days: vec![*day],
                    opens_at: opens.clone(),
                    closes_at: closes.clone(),
                    description: String::new(),
                }),
            }
        }
        let note = self.note.trim();
        if !note.is_empty() {
            match schedules.first_mut() {
                Some(first) => first.description = note.to_owned(),
                None => schedules.push(Schedule {
                    description: note.to_owned(),
                    ..Schedule::default()
                }),
            }
        }
        schedules
    }
}

/// The form field names for a day's opening and closing times: `MO_opens`, `MO_closes`.
pub fn time_fields(day: Day) -> (String, String) {
    (
        format!("{}_opens", day.code()),
        format!("{}_closes", day.code()),
    )
}

/// A time of day as typed ("9:30", "09:30", "17.00"), as ORUK writes it ("09:30").
fn time_of_day(text: &str) -> Option<String> {
    let (hours, minutes) = text.trim().split_once([':', '.'])?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    let (h, m): (u8, u8) = (hours.parse().ok()?, minutes.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

fn age_text(age: Option<f32>) -> String {
    age.map(|a| {
        if a.fract() == 0.0 {
            format!("{a:.0}")
        } else {
            format!("{a}")
        }
    })
    .unwrap_or_default()
}

/// The first contact's first phone number, which the form edits.
fn phone(service: &Service) -> String {
    service
        .contacts
        .iter()
        .flat_map(|c| &c.phones)
        .next()
        .cloned()
        .unwrap_or_default()
}

/// The edit form's fields filled from a service, by name.
pub fn form_values(service: &Service) -> Vec<(String, String)> {
    let mut values = vec![
        ("name".to_owned(), service.name.clone()),
        ("description".to_owned(), service.description.clone()),
        ("easy_read".to_owned(), service.send.easy_read.clone()),
        (
            "how_to_access".to_owned(),
            service.send.how_to_access.clone(),
        ),
        ("fees".to_owned(), service.fees.clone()),
        ("minimum_age".to_owned(), age_text(service.minimum_age)),
        ("maximum_age".to_owned(), age_text(service.maximum_age)),
        ("url".to_owned(), service.url.clone()),
        ("email".to_owned(), service.email.clone()),
        ("phone".to_owned(), phone(service)),
    ];
    let times = OpeningTimes::of(&service.schedules);
    for (day, (opens, closes)) in Day::ALL.iter().zip(times.days) {
        let (o, c) = time_fields(*day);
        values.push((o, opens));
        values.push((c, closes));
    }
    values.push(("times_note".to_owned(), times.note));
    values
}

fn age(f: &mut FormReader<'_>, form: &RawForm, field: &str, what: &str) -> Option<f32> {
    let text = form.get(field).trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f32>() {
        Ok(a) if (0.0..=30.0).contains(&a) => Some(a),
        _ => {
            f.error(
                field,
                format!("Enter the {what} as a number of years from 0 to 30, like 5 or 1.5"),
            );
            None
        }
    }
}

/// The service as the edit form says it should be: `base` with the form's fields put in.
/// Everything the form does not show (locations, needs, categories) is kept as it was;
/// opening times the form left as they were keep their schedules exactly.
pub fn apply_edit(form: &RawForm, base: &Service) -> Result<Service, FieldErrors> {
    let mut f = FormReader::new(form);
    let mut service = base.clone();
    service.name = f
        .required("name", "the service's name", 200)
        .trim()
        .to_owned();
    service.description = f
        .optional("description", "the description", 5000)
        .trim()
        .to_owned();
    service.send.easy_read = f
        .optional("easy_read", "the Easy Read description", 3000)
        .trim()
        .to_owned();
    service.send.how_to_access = f
        .optional("how_to_access", "how to get a place or a referral", 2000)
        .trim()
        .to_owned();
    service.fees = f.optional("fees", "the cost", 300).trim().to_owned();
    service.minimum_age = age(&mut f, form, "minimum_age", "youngest age");
    service.maximum_age = age(&mut f, form, "maximum_age", "oldest age");
    if let (Some(a), Some(b)) = (service.minimum_age, service.maximum_age) {
        if a > b {
            f.error(
                "maximum_age",
                "The oldest age must be the same as or more than the youngest",
            );
        }
    }
    let url = f.optional("url", "the web address", 500).trim().to_owned();
    if !url.is_empty() && !is_web_address(&url) {
        f.error(
            "url",
            "Enter a web address starting https:// or http://, like https://example.org/service",
        );
    }
    service.url = url;
    service.email = parse_email(&mut f, "email", false);
    let new_phone = f
        .optional("phone", "the phone number", 40)
        .trim()
        .to_owned();
    if !new_phone.is_empty()
        && !new_phone
            .chars()
            .all(|c| c.is_ascii_digit() || " +()-".contains(c))
    {
        f.error(
            "phone",
            "Enter a phone number using digits, spaces, brackets and + only, like 01902 551155",
        );
    }
    if new_phone != phone(base) {
        match service.contacts.iter_mut().find(|c| !c.phones.is_empty()) {
            Some(contact) if new_phone.is_empty() => {
                contact.phones.remove(0);
            }
            Some(contact) => contact.phones[0] = new_phone,
            None => service.contacts.push(Contact {
                phones: vec![new_phone],
                ..Contact::default()
            }),
        }
    }
    let mut times = OpeningTimes {
        note: f
            .optional("times_note", "the note about opening times", 300)
            .trim()
            .to_owned(),
        ..OpeningTimes::default()
    };
    for (i, day) in Day::ALL.iter().enumerate() {
        let (o, c) = time_fields(*day);
        let (opens, closes) = (form.get(&o).trim(), form.get(&c).trim());
        let name = day.label();
        match (opens.is_empty(), closes.is_empty()) {
            (true, true) => {}
            (false, true) => f.error(
                &c,
                format!("Enter the time it closes on {name}, or clear the time it opens"),
            ),
            (true, false) => f.error(
                &o,
                format!("Enter the time it opens on {name}, or clear the time it closes"),
            ),
            (false, false) => match (time_of_day(opens), time_of_day(closes)) {
                (Some(a), Some(b)) if a < b => times.days[i] = (a, b),
                (Some(_), Some(_)) => f.error(
                    &c,
                    format!("The time it closes on {name} must be after the time it opens"),
                ),
                (None, _) => f.error(
                    &o,
                    format!("Enter the time it opens on {name} in hours and minutes, like 09:30"),
                ),
                (_, None) => f.error(
                    &c,
                    format!("Enter the time it closes on {name} in hours and minutes, like 17:00"),
                ),
            },
        }
    }
    if times != OpeningTimes::of(&base.schedules) {
        service.schedules = times.to_schedules();
    }
    f.finish(service)
}

/// One field that differs between two versions of a service, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

fn lines<T>(items: &[T], each: impl Fn(&T) -> String) -> String {
    items
        .iter()
        .map(each)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The names of a directory's organisations and taxonomy terms by key, so that a service's
/// references read as names ("Short breaks", not an id).
pub type Names = std::collections::HashMap<String, String>;

fn named(names: &Names, key: &str) -> String {
    names.get(key).cloned().unwrap_or_else(|| key.to_owned())
}

/// Every field of a service in words, in the order an officer reads them (empty where the
/// entry says nothing).
pub fn in_words(s: &Service, names: &Names) -> Vec<(&'static str, String)> {
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "Yes".to_owned(),
        Some(false) => "No".to_owned(),
        None => String::new(),
    };
    vec![
        ("Name", s.name.clone()),
        ("Organisation", named(names, &s.organization_key)),
        ("Description", s.description.clone()),
        ("Easy Read description", s.send.easy_read.clone()),
        (
            "How to get a place or referral",
            s.send.how_to_access.clone(),
        ),
        (
            "Status",
            s.status.map(|x| x.label().to_owned()).unwrap_or_default(),
        ),
        ("Cost", s.fees.clone()),
        (
            "Cost options",
            lines(&s.cost_options, |c| match c.amount {
                Some(a) => format!("£{a:.2} {}", c.option).trim().to_owned(),
                None => c.option.clone(),
            }),
        ),
        ("Youngest age", age_text(s.minimum_age)),
        ("Oldest age", age_text(s.maximum_age)),
        ("Website", s.url.clone()),
        ("Email", s.email.clone()),
        (
            "Contacts",
            lines(&s.contacts, |c| {
                [
                    c.name.as_str(),
                    c.title.as_str(),
                    c.email.as_str(),
                    &c.phones.join(", "),
                ]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join(", ")
            }),
        ),
        ("Opening times", lines(&s.schedules, Schedule::describe)),
        (
            "Places",
            lines(&s.locations, |l| {
                [l.name.as_str(), &l.address, &l.city, &l.postcode]
                    .into_iter()
                    .filter(|x| !x.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            }),
        ),
        (
            "Accessibility",
            lines(&s.locations, |l| l.accessibility.join(", ")),
        ),
        (
            "How to get there",
            lines(&s.locations, |l| l.transportation.clone()),
        ),
        ("Languages", s.languages.join(", ")),
        ("Areas served", s.service_areas.join(", ")),
        (
            "Categories",
            s.terms
                .iter()
                .map(|t| named(names, t))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        (
            "Who it is for",
            s.send
                .suitability
                .map(|x| x.label().to_owned())
                .unwrap_or_default(),
        ),
        (
            "Needs served",
            s.send
                .needs
                .iter()
                .map(|n| n.label())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("EHC plan needed", yes_no(s.send.ehc_plan_required)),
        ("Families' words for it", s.send.family_words.join(", ")),
        (
            "Last checked",
            s.assured_date
                .map(crate::input::long_date)
                .unwrap_or_default(),
        ),
        ("Checked by", s.assurer_email.clone()),
    ]
}

/// The fields that differ between two versions, each before and after in words.
pub fn differences(before: &Service, after: &Service, names: &Names) -> Vec<FieldChange> {
    in_words(before, names)
        .into_iter()
        .zip(in_words(after, names))
        .filter(|((_, b), (_, a))| a != b)
        .map(|((field, before), (_, after))| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm::from_pairs(pairs)
    }

    fn service() -> Service {
        Service {
            key: "s1".into(),
            organization_key: "o1".into(),
            name: "Saturday club".into(),
            schedules: vec![Schedule {
                days: vec![Day::Saturday],
                opens_at: "10:00".into(),
                closes_at: "12:00".into(),
                description: "Term time only".into(),
            }],
            contacts: vec![Contact {
                name: "Sam".into(),
                phones: vec!["01902 000000".into()],
                ..Contact::default()
            }],
            ..Service::default()
        }
    }

    fn submitted(service: &Service, changes: &[(&str, &str)]) -> RawForm {
        let mut values = form_values(service);
        for (name, value) in changes {
            values.iter_mut().find(|(n, _)| n == name).unwrap().1 = (*value).to_owned();
        }
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        form(&pairs)
    }

    #[test]
    fn an_unchanged_form_changes_nothing() {
        let s = service();
        assert_eq!(apply_edit(&submitted(&s, &[]), &s).unwrap(), s);
    }

    #[test]
    fn opening_times_become_schedules_with_like_days_together() {
        let s = service();
        let edited = apply_edit(
            &submitted(
                &s,
                &[
                    ("SA_opens", "9:30"),
                    ("SA_closes", "13.00"),
                    ("SU_opens", "09:30"),
                    ("SU_closes", "13:00"),
                ],
            ),
            &s,
        )
        .unwrap();
        assert_eq!(
            edited.schedules,
            vec![Schedule {
                days: vec![Day::Saturday, Day::Sunday],
                opens_at: "09:30".into(),
                closes_at: "13:00".into(),
                description: "Term time only".into(),
            }]
        );
        let diff = differences(&s, &edited, &Names::new());
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].field, "Opening times");
        assert_eq!(diff[0].before, "Saturday, 10:00 to 12:00. Term time only");
        assert_eq!(
            diff[0].after,
            "Saturday, Sunday, 09:30 to 13:00. Term time only"
        );
    }

    #[test]
    fn bad_times_and_ages_are_named_by_their_field() {
        let s = service();
        let errors = apply_edit(
            &submitted(
                &s,
                &[
                    ("MO_opens", "9"),
                    ("MO_closes", "17:00"),
                    ("TU_opens", "17:00"),
                    ("TU_closes", "09:00"),
                    ("WE_opens", "10:00"),
                    ("minimum_age", "12"),
                    ("maximum_age", "5"),
                    ("url", "javascript:alert(1)"),
                    ("phone", "call me"),
                ],
            ),
            &s,
        )
        .unwrap_err();
        assert!(errors.message_for("MO_opens").unwrap().contains("Monday"));
        assert!(errors.message_for("TU_closes").unwrap().contains("after"));
        assert!(errors.message_for("WE_closes").is_some());
        assert!(errors.message_for("maximum_age").is_some());
        assert!(errors.message_for("url").is_some());
        assert!(errors.message_for("phone").is_some());
    }

    #[test]
    fn a_new_phone_number_replaces_the_first_and_keeps_the_contact() {
        let s = service();
        let edited = apply_edit(&submitted(&s, &[("phone", "01902 551155")]), &s).unwrap();
        assert_eq!(edited.contacts[0].name, "Sam");
        assert_eq!(edited.contacts[0].phones, vec!["01902 551155"]);
        let diff = differences(&s, &edited, &Names::new());
        assert_eq!(diff[0].field, "Contacts");
    }

    #[test]
    fn a_note_alone_is_kept_as_a_schedule() {
        let times = OpeningTimes {
            note: "By appointment".into(),
            ..OpeningTimes::default()
        };
        let schedules = times.to_schedules();
        assert_eq!(schedules.len(), 1);
        assert_eq!(OpeningTimes::of(&schedules), times);
    }
}
