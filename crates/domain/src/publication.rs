//! What a partnership publishes about a plan on its public progress page. Nothing is
//! public by default: the page shows only what a plan manager has chosen here (a
//! plain-language summary, and per area a summary and easy-read text, and optionally the
//! ratings as counts and the measures), "You said, we did" entries marked for
//! publication, and board papers a plan manager has published one by one. Names of
//! people, progress narratives and anything else never appear there unless they are in
//! a paper so published.

use crate::input::{FieldErrors, FormReader, RawForm, LONG_TEXT};
use crate::{ActionId, AreaId, MeasureId, PlanId, YouSaidId};
use serde::{Deserialize, Serialize};
use time::Date;

/// A plan's publication settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publication {
    pub published: bool,
    /// The plan in plain language, for families.
    pub summary: String,
    /// Show how many actions are at each rating class (never the actions' narratives).
    pub show_ratings: bool,
    /// Whether any measure is shown (`measures` is not empty).
    pub show_measures: bool,
    /// The impact measures shown with their values and charts, chosen one by one.
    #[serde(default)]
    pub measures: Vec<MeasureId>,
    /// Show who leads each area (its senior responsible officer): their job title and
    /// organisation.
    pub show_roles: bool,
    /// Show their names too. Only ever with their roles.
    pub show_names: bool,
    /// What is written for families about each area.
    pub areas: Vec<AreaText>,
    pub version: i64,
}

/// What is published about one area: a plain-language summary, and easy-read text (short
/// sentences, one idea each, for readers with a learning disability and for children).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AreaText {
    pub area: AreaId,
    pub summary: String,
    pub easy_read: String,
}

impl Publication {
    /// What is written about `area` (nothing, if it was left blank).
    pub fn area_text(&self, area: AreaId) -> AreaText {
        self.areas
            .iter()
            .find(|t| t.area == area)
            .cloned()
            .unwrap_or(AreaText {
                area,
                summary: String::new(),
                easy_read: String::new(),
            })
    }
}

/// The publication form: `published`, `summary`, `show` (ratings, roles, names),
/// `measures` (any of the plan's `measures`) and, for each of `areas`, an `area-{id}`
/// summary and `easy-{id}` easy-read text.
pub fn parse_publication(
    form: &RawForm,
    areas: &[AreaId],
    measures: &[MeasureId],
) -> Result<Publication, FieldErrors> {
    let mut f = FormReader::new(form);
    let published = form.get("published") == "yes";
    let summary = f.optional("summary", "the summary", LONG_TEXT);
    if published && summary.trim().is_empty() {
        f.error(
            "summary",
            "Write a plain-language summary of the plan before publishing it",
        );
    }
    let show = form.all("show");
    if show
        .iter()
        .any(|s| !["ratings", "roles", "names"].contains(s))
    {
        f.error("show", "Select only the things the page offers to show");
    }
    let chosen: Vec<MeasureId> = f.ids("measures", "the measures");
    if chosen.iter().any(|m| !measures.contains(m)) {
        f.error("measures", "Select only the plan's own measures");
    }
    let areas = areas
        .iter()
        .map(|a| AreaText {
            area: *a,
            summary: f.optional(&format!("area-{}", a.0), "the area's summary", LONG_TEXT),
            easy_read: f.optional(&format!("easy-{}", a.0), "the easy-read text", LONG_TEXT),
        })
        .filter(|t| !t.summary.trim().is_empty() || !t.easy_read.trim().is_empty())
        .collect();
    f.finish(Publication {
        published,
        summary,
        show_ratings: show.contains(&"ratings"),
        show_measures: !chosen.is_empty(),
        measures: chosen,
        show_roles: show.contains(&"roles") || show.contains(&"names"),
        show_names: show.contains(&"names"),
        areas,
        version: 0,
    })
}

/// Who leads an area, as the public page says it: their job title and organisation, and
/// their name only when `with_name`. Empty when nothing may be said (a person the plan
/// knows only by name, and names not chosen).
pub fn public_lead(
    person: &crate::partnership::Person,
    organisation: Option<&str>,
    with_name: bool,
) -> String {
    let role: Vec<&str> = [Some(person.job_title.as_str()), organisation]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let name = person.name.trim();
    match (with_name && !name.is_empty(), role.is_empty()) {
        (true, true) => name.to_owned(),
        (true, false) => format!("{name}, {}", role.join(", ")),
        (false, _) => role.join(", "),
    }
}

/// A comment from families, the partnership's response and the action taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YouSaid {
    pub id: YouSaidId,
    pub plan_id: PlanId,
    pub said: String,
    pub response: String,
    pub action_id: Option<ActionId>,
    pub said_on: Date,
    pub published: bool,
    pub version: i64,
}

/// A "You said, we did" entry's details, valid by construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YouSaidInput {
    pub said: String,
    pub response: String,
    pub action_id: Option<ActionId>,
    pub said_on: Date,
    pub published: bool,
}

impl YouSaidInput {
    pub fn parse(form: &RawForm) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let said = f.required("said", "what families said", LONG_TEXT);
        let response = f.required("response", "what the partnership did", LONG_TEXT);
        let action_id = f.optional_id("action", "the action");
        let said_on = f.date("said_on", "when it was said", true);
        let published = form.get("published") == "yes";
        f.finish(YouSaidInput {
            said,
            response,
            action_id,
            said_on: said_on.unwrap_or(Date::MIN),
            published,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_area_lead_is_shown_by_role_and_named_only_when_chosen() {
        let person = crate::partnership::Person {
            id: crate::PersonId(1),
            partnership_id: crate::PartnershipId(1),
            name: "Ian Budd".into(),
            job_title: "Assistant Director Education".into(),
            organisation_id: None,
            short_code: String::new(),
            email: "ian@example.org".into(),
            to_review: false,
            version: 1,
        };
        let council = Some("Warwickshire County Council");
        assert_eq!(
            public_lead(&person, council, false),
            "Assistant Director Education, Warwickshire County Council"
        );
        assert_eq!(
            public_lead(&person, council, true),
            "Ian Budd, Assistant Director Education, Warwickshire County Council"
        );
        let name_only = crate::partnership::Person {
            job_title: String::new(),
            ..person
        };
        assert_eq!(public_lead(&name_only, None, false), "", "no role: nothing");
        assert_eq!(public_lead(&name_only, None, true), "Ian Budd");
    }

    #[test]
    fn publishing_needs_a_summary_and_takes_only_what_is_ticked() {
        let refused = parse_publication(&RawForm::from_pairs(&[("published", "yes")]), &[], &[]);
        assert!(refused.is_err_and(|e| e.0[0].message.contains("plain-language summary")));
        let form = RawForm::from_pairs(&[
            ("published", "yes"),
            (
                "summary",
                "We are making it quicker to get an autism assessment.",
            ),
            ("measures", "4"),
            ("area-7", "Finding needs early"),
            ("area-8", "  "),
            ("easy-9", "We want to help you sooner."),
        ]);
        let publication = parse_publication(
            &form,
            &[AreaId(7), AreaId(8), AreaId(9)],
            &[MeasureId(4), MeasureId(5)],
        )
        .expect("valid");
        assert!(publication.published && publication.show_measures && !publication.show_ratings);
        assert_eq!(
            publication.measures,
            vec![MeasureId(4)],
            "measures are chosen one by one"
        );
        let other = RawForm::from_pairs(&[("summary", "Our plan"), ("measures", "99")]);
        assert!(
            parse_publication(&other, &[], &[MeasureId(4)]).is_err(),
            "another plan's measure is refused"
        );
        assert!(
            !publication.show_roles && !publication.show_names,
            "who leads each area is shown only when chosen"
        );
        let names = parse_publication(
            &RawForm::from_pairs(&[("summary", "Our plan"), ("show", "names")]),
            &[],
            &[],
        )
        .expect("valid");
        assert!(
            names.show_roles && names.show_names,
            "a name is never shown without its role"
        );
        assert_eq!(
            publication.areas,
            vec![
                AreaText {
                    area: AreaId(7),
                    summary: "Finding needs early".to_owned(),
                    easy_read: String::new(),
                },
                AreaText {
                    area: AreaId(9),
                    summary: String::new(),
                    easy_read: "We want to help you sooner.".to_owned(),
                }
            ]
        );
        assert_eq!(publication.area_text(AreaId(8)).summary, "");
        assert!(
            !Publication::default().published,
            "nothing is public by default"
        );
    }
}
