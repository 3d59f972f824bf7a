//! Reading a plan's measures: units, periods and values are checked exactly as the forms
//! check them, so a file cannot hold what a person could not type.

use super::{allowed, Problems};
use crate::document::{Comparator as ComparatorDoc, Measure};
use sendplan_domain::import::MeasureImport;
use sendplan_domain::measures::*;
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::periods::{Frequency, PERIOD_YEARS};
use std::collections::HashMap;

/// Every measure of a plan, or problems at `{at}.measures[i]`.
pub(super) fn read_measures(
    p: &mut Problems,
    at: &str,
    measures: &[Measure],
    area_numbers: &HashMap<String, (usize, ItemNumber)>,
    action_numbers: &HashMap<&str, usize>,
    person_keys: &HashMap<&str, usize>,
) -> Vec<MeasureImport> {
    let mut names = HashMap::new();
    measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let at = format!("{at}.measures[{i}]");
            if names.insert(m.name.trim(), i).is_some() {
                p.add(
                    format!("{at}.name"),
                    format!("the measure \"{}\" is listed twice", m.name),
                );
            }
            read_measure(p, &at, m, area_numbers, action_numbers, person_keys)
        })
        .collect()
}

fn read_measure(
    p: &mut Problems,
    at: &str,
    m: &Measure,
    area_numbers: &HashMap<String, (usize, ItemNumber)>,
    action_numbers: &HashMap<&str, usize>,
    person_keys: &HashMap<&str, usize>,
) -> MeasureImport {
    use sendplan_domain::input::{LONG_TEXT, SHORT_TEXT};
    let name = p.text(&format!("{at}.name"), m.name.trim(), SHORT_TEXT);
    if name.is_empty() {
        p.add(format!("{at}.name"), "a measure needs a name");
    }
    let unit = p.code(
        &format!("{at}.unit"),
        &m.unit,
        Unit::from_code,
        &allowed(Unit::ALL, Unit::code),
    );
    let polarity = p.code(
        &format!("{at}.polarity"),
        &m.polarity,
        Polarity::from_code,
        &allowed(Polarity::ALL, Polarity::code),
    );
    let frequency = p.code(
        &format!("{at}.frequency"),
        &m.frequency,
        Frequency::from_code,
        &allowed(Frequency::ALL, Frequency::code),
    );
    let source = p
        .code(
            &format!("{at}.source"),
            &m.source,
            MeasureSource::from_code,
            &allowed(MeasureSource::ALL, MeasureSource::code),
        )
        .unwrap_or(MeasureSource::Imported);
    let point = |p: &mut Problems, at: String, date: &str, value: f64| {
        let date = p.iso_date(&format!("{at}.date"), date);
        let value = checked(p, &format!("{at}.value"), unit, value);
        date.zip(value).map(|(date, value)| Point { date, value })
    };
    let baseline = m
        .baseline
        .as_ref()
        .map(|b| point(p, format!("{at}.baseline"), &b.date, b.value));
    let targets: Vec<Option<Point>> = m
        .targets
        .iter()
        .enumerate()
        .map(|(t, v)| point(p, format!("{at}.targets[{t}]"), &v.date, v.value))
        .collect();
    let points_read =
        baseline.as_ref().is_none_or(Option::is_some) && targets.iter().all(Option::is_some);
    let trajectory = match polarity {
        Some(polarity) if points_read => {
            match Trajectory::new(
                baseline.flatten(),
                targets.into_iter().flatten().collect(),
                polarity,
                m.tolerance,
            ) {
                Ok(t) => Some(t),
                Err(message) => {
                    p.add(format!("{at}.targets"), message);
                    None
                }
            }
        }
        _ => None,
    };
    let owner = m
        .owner
        .as_ref()
        .and_then(|k| p.key(&format!("{at}.owner"), person_keys, k, "person"));
    let areas = m
        .areas
        .iter()
        .enumerate()
        .filter_map(|(n, number)| {
            let found = area_numbers.get(number.trim()).map(|(a, _)| *a);
            if found.is_none() {
                p.add(
                    format!("{at}.areas[{n}]"),
                    format!("there is no area {number} in this plan"),
                );
            }
            found
        })
        .collect();
    let actions = m
        .actions
        .iter()
        .enumerate()
        .filter_map(|(n, number)| {
            let found = action_numbers.get(number.trim()).copied();
            if found.is_none() {
                p.add(
                    format!("{at}.actions[{n}]"),
                    format!("there is no action {number} in this plan"),
                );
            }
            found
        })
        .collect();
    let values = m
        .values
        .iter()
        .enumerate()
        .filter_map(|(n, v)| {
            let at = format!("{at}.values[{n}]");
            let period = frequency.and_then(|f| match f.parse_period(&v.period) {
                Ok(period) => Some(period),
                Err(message) => {
                    p.add(format!("{at}.period"), message);
                    None
                }
            });
            let value = checked(p, &format!("{at}.value"), unit, v.value);
            let status = p.code(
                &format!("{at}.status"),
                &v.status,
                DataStatus::from_code,
                &allowed(DataStatus::ALL, DataStatus::code),
            );
            let note = p.text(
                &format!("{at}.note"),
                v.note.as_deref().unwrap_or(""),
                LONG_TEXT,
            );
            if let Some(when) = &v.recorded_at {
                match time::OffsetDateTime::parse(
                    when,
                    &time::format_description::well_known::Rfc3339,
                ) {
                    Err(_) => p.add(
                        format!("{at}.recorded_at"),
                        format!("\"{when}\" is not a time written as 2023-06-30T09:00:00Z"),
                    ),
                    Ok(time) if !PERIOD_YEARS.contains(&time.year()) => {
                        p.add(format!("{at}.recorded_at"), super::outside_years(when))
                    }
                    Ok(_) => {}
                }
            }
            let (period, value, status) = (period?, value?, status?);
            Some((
                DataPointInput {
                    period,
                    value,
                    status,
                    note,
                },
                v.recorded_at.clone(),
            ))
        })
        .collect();
    let comparators = m
        .comparators
        .iter()
        .enumerate()
        .filter_map(|(n, c)| read_comparator(p, &format!("{at}.comparators[{n}]"), c, unit))
        .collect();
    MeasureImport {
        measure: MeasureInput {
            name,
            definition: p.text(
                &format!("{at}.definition"),
                m.definition.as_deref().unwrap_or(""),
                LONG_TEXT,
            ),
            unit: unit.unwrap_or(Unit::Count),
            frequency: frequency.unwrap_or(Frequency::Monthly),
            trajectory: trajectory.unwrap_or(Trajectory {
                baseline: None,
                targets: vec![],
                polarity: Polarity::HigherIsBetter,
                tolerance: 0.0,
            }),
            owner: None,
            source,
            areas: vec![],
            actions: vec![],
        },
        owner,
        areas,
        actions,
        values,
        comparators,
    }
}

/// A value checked against the measure's unit (percentages 0 to 100, whole counts).
fn checked(p: &mut Problems, at: &str, unit: Option<Unit>, value: f64) -> Option<f64> {
    let unit = unit?;
    match unit.check(value) {
        Ok(v) => Some(v),
        Err(e) => {
            p.add(at, e.to_string());
            None
        }
    }
}

fn read_comparator(
    p: &mut Problems,
    at: &str,
    c: &ComparatorDoc,
    unit: Option<Unit>,
) -> Option<Comparator> {
    if c.series.trim().is_empty() {
        p.add(
            format!("{at}.series"),
            "a comparator needs a series, such as \"england\"",
        );
    }
    if c.period.trim().is_empty() {
        p.add(format!("{at}.period"), "a comparator needs a period");
    }
    let period_end = p.iso_date(&format!("{at}.period_end"), &c.period_end);
    let value = match c.value {
        Some(v) => Some(checked(p, &format!("{at}.value"), unit, v)?),
        None => None,
    };
    Some(Comparator {
        series: c.series.trim().to_owned(),
        period: c.period.trim().to_owned(),
        period_end: period_end?,
        value,
        source: c.source.clone(),
    })
}

/// Every survey of a plan, checked as the survey pages check them.
pub(super) fn read_surveys(
    p: &mut Problems,
    at: &str,
    surveys: &[crate::document::Survey],
) -> Vec<sendplan_domain::surveys::SurveyInput> {
    use sendplan_domain::surveys::*;
    surveys
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let input = SurveyInput {
                title: s.title.trim().to_owned(),
                series: s
                    .series
                    .clone()
                    .unwrap_or_else(|| s.title.trim().to_owned()),
                run_by: s.run_by.clone(),
                audience: s.audience.clone(),
                period: s.period.trim().to_owned(),
                respondents: s.respondents,
                quotes: s.quotes.clone(),
                questions: s
                    .questions
                    .iter()
                    .map(|q| Question {
                        number: q.number.clone(),
                        topic: q.topic.clone().unwrap_or_default(),
                        text: q.text.clone(),
                        multiple: q.multiple,
                        answered: q.answered,
                        notes: q.notes.clone().unwrap_or_default(),
                        options: q
                            .options
                            .iter()
                            .map(|o| OptionResult {
                                label: o.label.clone(),
                                percent: o.percent,
                                count: o.count,
                            })
                            .collect(),
                    })
                    .collect(),
            };
            for (place, message) in input.problems() {
                p.add(format!("{at}.surveys[{i}].{place}"), message);
            }
            input
        })
        .collect()
}
