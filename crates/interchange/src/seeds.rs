//! What the seed plans publish beyond their actions: the impact measures they state with
//! numbers (`fixtures/measures/`) and the surveys they report (`fixtures/surveys/`), each
//! attached to its plan's document before it is imported.
//!
//! Measures keep each one's words as published. Plans write measures loosely, so two rules turn them into trajectories:
//! - a baseline without a date is taken as at the start of the plan (the plan was written
//!   from it), and the measure's definition says so;
//! - a target without a date cannot be placed on a trajectory: it is kept in the
//!   definition in the plan's words, not guessed, and a measure left with neither is held
//!   but not rated.

use crate::document::{DatedValue, Document, Measure};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    la_code: String,
    plan_title: String,
    measures: Vec<SeedMeasure>,
}

#[derive(Deserialize)]
struct SeedMeasure {
    name: String,
    source_text: String,
    action: Option<String>,
    #[serde(default)]
    area: Option<String>,
    unit: String,
    polarity: String,
    frequency: String,
    baseline: Option<SeedValue>,
    targets: Vec<SeedValue>,
}

#[derive(Deserialize)]
struct SeedValue {
    value: f64,
    date_text: Option<String>,
    date: Option<String>,
}

/// What attaching a fixture did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Attached {
    pub measures: usize,
    /// Measures with neither a baseline nor a dated target, which are not rated until a
    /// plan manager sets one.
    pub unrated: usize,
}

/// Adds the fixture's measures to the plan it names in `document`.
pub fn attach(document: &mut Document, fixture_json: &str) -> Result<Attached, String> {
    crate::read::check_shape(fixture_json)
        .map_err(|e| format!("the measures fixture is too big to read: {e}"))?;
    let fixture: Fixture = serde_json::from_str(fixture_json)
        .map_err(|e| format!("the measures fixture is not valid: {e}"))?;
    if fixture.la_code != document.partnership.la_code {
        return Err(format!(
            "the measures are for {}, the plan for {}",
            fixture.la_code, document.partnership.la_code
        ));
    }
    let plan = document
        .plans
        .iter_mut()
        .find(|p| p.title == fixture.plan_title)
        .ok_or_else(|| format!("the document has no plan called \"{}\"", fixture.plan_title))?;
    let plan_start = plan
        .period_start
        .as_deref()
        .and_then(|t| sendplan_domain::dates::PlanDate::parse(t).start())
        .map(|d| d.to_string());
    let mut attached = Attached::default();
    for seed in fixture.measures {
        let mut definition = seed.source_text.clone();
        let baseline = match (&seed.baseline, &plan_start) {
            (
                Some(SeedValue {
                    value,
                    date: Some(date),
                    ..
                }),
                _,
            ) => Some(DatedValue {
                date: date.clone(),
                value: *value,
            }),
            (
                Some(SeedValue {
                    value, date: None, ..
                }),
                Some(start),
            ) => {
                definition.push_str(&format!(
                    "\n\nThe plan gives the baseline without a date; it is taken as at the plan's start, {start}."
                ));
                Some(DatedValue {
                    date: start.clone(),
                    value: *value,
                })
            }
            _ => None,
        };
        let mut targets = Vec::new();
        for target in &seed.targets {
            match &target.date {
                Some(date) => targets.push(DatedValue {
                    date: date.clone(),
                    value: target.value,
                }),
                None => definition.push_str(&format!(
                    "\n\nTarget {} {}: the plan gives no date, so it is not on the trajectory.",
                    target.value,
                    target.date_text.as_deref().unwrap_or("(no date)")
                )),
            }
        }
        attached.unrated += usize::from(baseline.is_none() && targets.is_empty());
        let mut name = seed.name.clone();
        if plan.measures.iter().any(|m| m.name == name) {
            name = format!("{name} (action {})", seed.action.as_deref().unwrap_or("-"));
        }
        plan.measures.push(Measure {
            name,
            definition: Some(definition),
            unit: seed.unit,
            polarity: seed.polarity,
            frequency: seed.frequency,
            baseline,
            targets,
            tolerance: 0.0,
            owner: None,
            source: "entered".to_owned(),
            areas: seed.area.into_iter().collect(),
            actions: seed.action.into_iter().collect(),
            values: vec![],
            comparators: vec![],
        });
        attached.measures += 1;
    }
    Ok(attached)
}

/// A seed survey fixture: the survey, and the partnership and plan it belongs to.
#[derive(Deserialize)]
struct SurveyFixture {
    la_code: String,
    plan_title: String,
    survey: crate::document::Survey,
}

/// Adds a survey fixture (`fixtures/surveys/`) to the plan it names in `document`.
pub fn attach_survey(document: &mut Document, fixture_json: &str) -> Result<(), String> {
    crate::read::check_shape(fixture_json)
        .map_err(|e| format!("the survey fixture is too big to read: {e}"))?;
    let fixture: SurveyFixture = serde_json::from_str(fixture_json)
        .map_err(|e| format!("the survey fixture is not valid: {e}"))?;
    if fixture.la_code != document.partnership.la_code {
        return Err(format!(
            "the survey is for {}, the plan for {}",
            fixture.la_code, document.partnership.la_code
        ));
    }
    document
        .plans
        .iter_mut()
        .find(|p| p.title == fixture.plan_title)
        .ok_or_else(|| format!("the document has no plan called \"{}\"", fixture.plan_title))?
        .surveys
        .push(fixture.survey);
    Ok(())
}
