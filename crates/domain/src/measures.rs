//! Impact measures: KPIs with a baseline, targets and an interim trajectory, rated by
//! where the latest value stands against the trajectory at its date, and trended over
//! recent periods. (Issue 4's rules; storage and pages build on these.)

use serde::{Deserialize, Serialize};
use time::Date;

crate::coded_enum! {
    /// What a measure's values count.
    Unit {
        Percentage => ("percentage", "Percentage"),
        Count => ("count", "Count"),
        Weeks => ("weeks", "Weeks"),
        Days => ("days", "Days"),
        Money => ("money", "Money (pounds)"),
        Ratio => ("ratio", "Ratio"),
        YesNo => ("yes_no", "Yes or no"),
    }
}

crate::coded_enum! {
    /// Which way is better.
    Polarity {
        HigherIsBetter => ("higher", "Higher is better"),
        LowerIsBetter => ("lower", "Lower is better"),
    }
}

crate::coded_enum! {
    /// Where the latest value stands against the trajectory.
    MeasureStatus {
        OffTrack => ("off_track", "Off track"),
        SomeConcerns => ("some_concerns", "Some concerns"),
        OnTrack => ("on_track", "On track"),
    }
}

crate::coded_enum! {
    /// Which way the recent values are moving, judged by the measure's polarity.
    Trend {
        Worsening => ("worsening", "Worsening"),
        Stable => ("stable", "Stable"),
        Improving => ("improving", "Improving"),
    }
}

/// A dated value: a baseline, a target, a trajectory point or a data point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub date: Date,
    pub value: f64,
}

/// Why a value was refused, worded for the person who entered it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("Enter a number, like 52.9")]
    NotANumber,
    #[error("A percentage must be between 0 and 100")]
    PercentageOutOfRange,
    #[error("A count must be a whole number of 0 or more")]
    NotACount,
    #[error("Enter 1 for yes or 0 for no")]
    NotYesNo,
    #[error("The value must not be negative")]
    Negative,
}

impl Unit {
    /// Reads a value as people write it ("52.9%", "1,250", "£45,000", "242 weeks").
    pub fn parse_value(self, text: &str) -> Result<f64, ValueError> {
        let cleaned: String = text
            .trim()
            .trim_start_matches('£')
            .trim_end_matches('%')
            .trim_end_matches("weeks")
            .trim_end_matches("days")
            .trim()
            .chars()
            .filter(|c| *c != ',')
            .collect();
        if self == Unit::YesNo {
            return match cleaned.to_lowercase().as_str() {
                "1" | "yes" | "y" | "true" => Ok(1.0),
                "0" | "no" | "n" | "false" => Ok(0.0),
                _ => Err(ValueError::NotYesNo),
            };
        }
        let value: f64 = cleaned.parse().map_err(|_| ValueError::NotANumber)?;
        self.check(value)
    }

    /// Checks a value already read as a number against the unit (files carry numbers).
    pub fn check(self, value: f64) -> Result<f64, ValueError> {
        if self == Unit::YesNo && value != 0.0 && value != 1.0 {
            return Err(ValueError::NotYesNo);
        }
        if !value.is_finite() {
            return Err(ValueError::NotANumber);
        }
        match self {
            Unit::Percentage if !(0.0..=100.0).contains(&value) => {
                Err(ValueError::PercentageOutOfRange)
            }
            Unit::Count if value < 0.0 || value.fract() != 0.0 => Err(ValueError::NotACount),
            Unit::Weeks | Unit::Days | Unit::Money | Unit::Ratio if value < 0.0 => {
                Err(ValueError::Negative)
            }
            _ => Ok(value),
        }
    }

    /// A value as people read it: "52.9%", "1,250", "£45,000", "13 weeks".
    pub fn format(self, value: f64) -> String {
        let number = if value.fract().abs() < 1e-9 {
            group(value.round() as i64)
        } else {
            format!("{value:.1}")
        };
        match self {
            Unit::Percentage => format!("{number}%"),
            Unit::Weeks => format!("{number} weeks"),
            Unit::Days => format!("{number} days"),
            Unit::Money => format!("£{number}"),
            Unit::YesNo => {
                if value >= 0.5 {
                    "Yes".to_owned()
                } else {
                    "No".to_owned()
                }
            }
            Unit::Count | Unit::Ratio => number,
        }
    }
}

fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The path a measure is meant to follow: from its baseline through its targets (interim
/// trajectory points and the final target), in date order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// Plans often set a target before the baseline is known ("70% of users can find what
    /// they are looking for"); such a measure's path starts at its first target.
    pub baseline: Option<Point>,
    pub targets: Vec<Point>,
    pub polarity: Polarity,
    /// How far worse than the trajectory still counts as "some concerns", in the
    /// measure's unit.
    pub tolerance: f64,
}

impl Trajectory {
    /// A trajectory, refusing targets dated on or before the baseline. One with neither a
    /// baseline nor a dated target is allowed (plans state such indicators) and rates nothing.
    pub fn new(
        baseline: Option<Point>,
        mut targets: Vec<Point>,
        polarity: Polarity,
        tolerance: f64,
    ) -> Result<Self, String> {
        targets.sort_by_key(|p| p.date);
        if let Some(baseline) = baseline {
            if let Some(early) = targets.iter().find(|t| t.date <= baseline.date) {
                return Err(format!(
                    "A target is dated {} but the baseline is {}: targets must come after the baseline",
                    early.date, baseline.date
                ));
            }
        }
        if targets.windows(2).any(|w| w[0].date == w[1].date) {
            return Err("Two targets have the same date".to_owned());
        }
        if tolerance < 0.0 || !tolerance.is_finite() {
            return Err("The tolerance must be 0 or more".to_owned());
        }
        Ok(Trajectory {
            baseline,
            targets,
            polarity,
            tolerance,
        })
    }

    /// The baseline and the targets, in date order.
    pub fn points(&self) -> impl Iterator<Item = Point> + '_ {
        self.baseline
            .into_iter()
            .chain(self.targets.iter().copied())
    }

    /// The value the trajectory expects on `date`: straight lines between its points, the
    /// last point after it, and nothing before the first point.
    pub fn expected_at(&self, date: Date) -> Option<f64> {
        let mut points = self.points();
        let mut previous = points.next()?;
        if date < previous.date {
            return None;
        }
        for point in points {
            if date <= point.date {
                let span = (point.date - previous.date).whole_days() as f64;
                let into = (date - previous.date).whole_days() as f64;
                return Some(previous.value + (point.value - previous.value) * into / span);
            }
            previous = point;
        }
        Some(previous.value)
    }

    /// Rates a value against the trajectory at its date.
    pub fn rate(&self, latest: Point) -> Option<MeasureStatus> {
        let expected = self.expected_at(latest.date)?;
        let shortfall = match self.polarity {
            Polarity::HigherIsBetter => expected - latest.value,
            Polarity::LowerIsBetter => latest.value - expected,
        };
        Some(if shortfall <= 1e-9 {
            MeasureStatus::OnTrack
        } else if shortfall <= self.tolerance + 1e-9 {
            MeasureStatus::SomeConcerns
        } else {
            MeasureStatus::OffTrack
        })
    }
}

/// The direction of the latest change, against the average of up to three values before
/// it; changes no bigger than `stable_band` are stable. `None` with fewer than two values.
pub fn trend(values: &[Point], polarity: Polarity, stable_band: f64) -> Option<Trend> {
    let mut sorted: Vec<Point> = values.to_vec();
    sorted.sort_by_key(|p| p.date);
    let (last, before) = sorted.split_last()?;
    let recent: Vec<f64> = before.iter().rev().take(3).map(|p| p.value).collect();
    if recent.is_empty() {
        return None;
    }
    let average = recent.iter().sum::<f64>() / recent.len() as f64;
    let change = last.value - average;
    if change.abs() <= stable_band {
        return Some(Trend::Stable);
    }
    let better = match polarity {
        Polarity::HigherIsBetter => change > 0.0,
        Polarity::LowerIsBetter => change < 0.0,
    };
    Some(if better {
        Trend::Improving
    } else {
        Trend::Worsening
    })
}

crate::coded_enum! {
    /// Where a measure's values come from.
    MeasureSource {
        Entered => ("entered", "Entered by people"),
        Imported => ("imported", "Imported from a file"),
        Computed => ("computed", "Computed by sendplan"),
    }
}

crate::coded_enum! {
    /// How settled a value is.
    DataStatus {
        Provisional => ("provisional", "Provisional"),
        Final => ("final", "Final"),
        Revised => ("revised", "Revised"),
    }
}

/// A measure as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub id: crate::MeasureId,
    pub plan_id: crate::PlanId,
    pub name: String,
    pub definition: String,
    pub unit: Unit,
    pub frequency: crate::periods::Frequency,
    pub trajectory: Trajectory,
    pub owner: Option<crate::PersonId>,
    pub source: MeasureSource,
    /// The areas and actions meant to move it.
    pub areas: Vec<crate::AreaId>,
    pub actions: Vec<crate::ActionId>,
    pub version: i64,
}

/// A measure's details, valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureInput {
    pub name: String,
    pub definition: String,
    pub unit: Unit,
    pub frequency: crate::periods::Frequency,
    pub trajectory: Trajectory,
    pub owner: Option<crate::PersonId>,
    pub source: MeasureSource,
    pub areas: Vec<crate::AreaId>,
    pub actions: Vec<crate::ActionId>,
}

/// A value to record for a period.
#[derive(Debug, Clone, PartialEq)]
pub struct DataPointInput {
    pub period: crate::periods::Period,
    pub value: f64,
    pub status: DataStatus,
    pub note: String,
}

/// One value of a measure for one period. Revisions keep the value they replace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataPoint {
    pub id: crate::DataPointId,
    pub measure_id: crate::MeasureId,
    pub period: crate::periods::Period,
    pub value: f64,
    pub status: DataStatus,
    pub note: String,
    /// The value that replaced this one, if it was revised.
    pub replaced_by: Option<crate::DataPointId>,
    /// Who recorded it (no one for imported values) and when (RFC 3339, UTC).
    pub recorded_by: Option<crate::UserId>,
    pub recorded_at: String,
}

impl DataPoint {
    /// The value as a dated point: dated at the end of its period.
    pub fn point(&self) -> Point {
        Point {
            date: self.period.span.end,
            value: self.value,
        }
    }
}

/// The current values of periods that had ended by `as_at`, as dated points: what was
/// known of a measure on that day.
pub fn values_as_at(values: &[DataPoint], as_at: Date) -> Vec<Point> {
    current_as_at(values, as_at).map(DataPoint::point).collect()
}

/// The current (not revised) values of periods that had ended by `as_at`.
pub fn current_as_at(values: &[DataPoint], as_at: Date) -> impl Iterator<Item = &DataPoint> {
    values
        .iter()
        .filter(move |v| v.replaced_by.is_none() && v.period.span.end <= as_at)
}

/// Whether a delivery rating counts as on track: on track or complete.
pub fn delivery_on_track(class: Option<crate::rating::RatingClass>) -> bool {
    use crate::rating::RatingClass;
    matches!(class, Some(RatingClass::OnTrack | RatingClass::Complete))
}

/// An action or area that is on track for delivery while a measure meant to move it is
/// off its trajectory: the positions of those measures in the list given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactGap<T> {
    pub subject: T,
    pub measures: Vec<usize>,
}

/// Delivery against impact across a plan. `actions` are (id, area, delivery rating
/// class); `measures` are (areas, actions, status). An action is flagged when it is on
/// track and a measure linked to it, or to its area, is off track. An area is flagged
/// when every rated action in it is on track (and at least one is rated) and a measure
/// linked to the area is off track.
pub fn delivery_without_impact(
    actions: &[(
        crate::ActionId,
        crate::AreaId,
        Option<crate::rating::RatingClass>,
    )],
    measures: &[(&[crate::AreaId], &[crate::ActionId], Option<MeasureStatus>)],
) -> (
    Vec<ImpactGap<crate::ActionId>>,
    Vec<ImpactGap<crate::AreaId>>,
) {
    let off: Vec<usize> = measures
        .iter()
        .enumerate()
        .filter(|(_, m)| m.2 == Some(MeasureStatus::OffTrack))
        .map(|(i, _)| i)
        .collect();
    let action_gaps = actions
        .iter()
        .filter(|(_, _, class)| delivery_on_track(*class))
        .filter_map(|(id, area, _)| {
            let linked: Vec<usize> = off
                .iter()
                .copied()
                .filter(|i| measures[*i].1.contains(id) || measures[*i].0.contains(area))
                .collect();
            (!linked.is_empty()).then_some(ImpactGap {
                subject: *id,
                measures: linked,
            })
        })
        .collect();
    let mut areas: Vec<crate::AreaId> = actions.iter().map(|a| a.1).collect();
    areas.dedup();
    let area_gaps = areas
        .into_iter()
        .filter(|area| {
            let rated: Vec<_> = actions
                .iter()
                .filter(|a| a.1 == *area && a.2.is_some())
                .collect();
            !rated.is_empty() && rated.iter().all(|a| delivery_on_track(a.2))
        })
        .filter_map(|area| {
            let linked: Vec<usize> = off
                .iter()
                .copied()
                .filter(|i| measures[*i].0.contains(&area))
                .collect();
            (!linked.is_empty()).then_some(ImpactGap {
                subject: area,
                measures: linked,
            })
        })
        .collect();
    (action_gaps, area_gaps)
}

/// One row of a values file, as its cells are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueRow {
    /// The row number people see in their spreadsheet.
    pub line: usize,
    pub period: String,
    pub value: String,
    pub status: String,
    pub note: String,
}

/// Reads the rows of a values file for a measure of `unit` reported at `frequency`: all
/// of them, or every problem as (row number, message). A blank status is final.
pub fn parse_value_rows(
    rows: &[ValueRow],
    unit: Unit,
    frequency: crate::periods::Frequency,
) -> Result<Vec<DataPointInput>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut inputs = Vec::new();
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for row in rows {
        let period = match frequency.parse_period(&row.period) {
            Ok(period) => Some(period),
            Err(message) => {
                problems.push((row.line, format!("Period: {message}")));
                None
            }
        };
        if let Some(period) = &period {
            if let Some(first) = seen.insert(period.label.clone(), row.line) {
                problems.push((
                    row.line,
                    format!(
                        "Period {} is also on row {first}: give each period once",
                        period.label
                    ),
                ));
            }
        }
        let value = match unit.parse_value(&row.value) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push((row.line, format!("Value \"{}\": {e}", row.value)));
                None
            }
        };
        let status = if row.status.trim().is_empty() {
            Some(DataStatus::Final)
        } else {
            let found = DataStatus::ALL.iter().copied().find(|s| {
                s.code().eq_ignore_ascii_case(row.status.trim())
                    || s.label().eq_ignore_ascii_case(row.status.trim())
            });
            if found.is_none() {
                problems.push((
                    row.line,
                    format!(
                        "Status \"{}\" is not provisional, final or revised",
                        row.status
                    ),
                ));
            }
            found
        };
        if row.note.chars().count() > crate::input::LONG_TEXT {
            problems.push((row.line, "Note: too long".to_owned()));
        }
        if let (Some(period), Some(value), Some(status)) = (period, value, status) {
            inputs.push(DataPointInput {
                period,
                value,
                status,
                note: row.note.trim().to_owned(),
            });
        }
    }
    if problems.is_empty() {
        Ok(inputs)
    } else {
        Err(problems)
    }
}

/// One row of a targets file: a date as plans write it ("June 2023", "2023-06-30") and
/// a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRow {
    pub line: usize,
    pub date: String,
    pub value: String,
}

/// Reads the rows of a targets file: every target, or every problem as (row, message).
/// Whether they fit the baseline is the trajectory's to check.
pub fn parse_target_rows(
    rows: &[TargetRow],
    unit: Unit,
) -> Result<Vec<Point>, Vec<(usize, String)>> {
    let mut problems = Vec::new();
    let mut targets: Vec<(usize, Point)> = Vec::new();
    for row in rows {
        let parsed = crate::dates::PlanDate::parse(row.date.trim());
        let date = match (parsed.deadline(), parsed.needs_review) {
            (Some(date), false) => Some(date),
            _ => {
                problems.push((
                    row.line,
                    format!(
                        "Date \"{}\" is not a date sendplan can read, like June 2023 or 2023-06-30",
                        row.date
                    ),
                ));
                None
            }
        };
        let value = match unit.parse_value(&row.value) {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push((row.line, format!("Value \"{}\": {e}", row.value)));
                None
            }
        };
        if let (Some(date), Some(value)) = (date, value) {
            if let Some((first, _)) = targets.iter().find(|(_, t)| t.date == date) {
                problems.push((
                    row.line,
                    format!("The target for {date} is also on row {first}"),
                ));
            }
            targets.push((row.line, Point { date, value }));
        }
    }
    if problems.is_empty() {
        Ok(targets.into_iter().map(|(_, t)| t).collect())
    } else {
        Err(problems)
    }
}

/// A figure to compare a measure with for one period: England, a region, statistical
/// neighbours or a chosen local authority. Comparators keep their own periods (DfE
/// publishes by calendar year) so they are labelled and dated, not tied to the measure's
/// frequency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparator {
    /// "england", "region:E12000005", "la:E08000031" or a name the partnership chose.
    pub series: String,
    pub period: String,
    pub period_end: Date,
    /// `None` where the publisher suppressed the figure.
    pub value: Option<f64>,
    /// Where it came from, e.g. "DfE Education, health and care plans 2024".
    pub source: String,
}

impl Comparator {
    /// Where this figure sits on a time line: the middle of its period, read as the
    /// measure's own frequency or else as whichever kind of period of that name ends on its
    /// last day (a DfE calendar-year figure beside an academic-year measure stays over its
    /// own year). A period no frequency reads is placed at its last day.
    pub fn middle(&self, frequency: crate::periods::Frequency) -> Date {
        std::iter::once(frequency)
            .chain(crate::periods::Frequency::ALL.iter().copied())
            .filter_map(|f| f.parse_period(&self.period).ok())
            .find(|p| p.span.end == self.period_end)
            .map_or(self.period_end, |p| p.middle())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_comparator_sits_in_the_middle_of_its_own_period() {
        use crate::periods::Frequency;
        let figure = |period: &str, period_end| Comparator {
            series: "england".to_owned(),
            period: period.to_owned(),
            period_end,
            value: Some(50.0),
            source: String::new(),
        };
        // A calendar year beside an academic-year measure is still over its own year.
        assert_eq!(
            figure("2024", date!(2024 - 12 - 31)).middle(Frequency::AcademicYear),
            date!(2024 - 07 - 01)
        );
        // "2022/23" is an academic or a financial year: its last day tells which.
        assert_eq!(
            figure("2022/23", date!(2023 - 03 - 31)).middle(Frequency::AcademicYear),
            date!(2022 - 09 - 30)
        );
        assert_eq!(
            figure("2022/23", date!(2023 - 08 - 31)).middle(Frequency::FinancialYear),
            date!(2023 - 03 - 02)
        );
        assert_eq!(
            figure("Year to date", date!(2023 - 08 - 31)).middle(Frequency::Monthly),
            date!(2023 - 08 - 31)
        );
    }

    /// Warwickshire WSoA 1.1.1: the longest wait for an autism assessment, 242 weeks, is to
    /// fall to 125 weeks by June 2023 and 13 weeks by March 2024.
    fn autism_wait() -> Trajectory {
        Trajectory::new(
            Some(Point {
                date: date!(2022 - 01 - 01),
                value: 242.0,
            }),
            vec![
                Point {
                    date: date!(2024 - 03 - 31),
                    value: 13.0,
                },
                Point {
                    date: date!(2023 - 06 - 30),
                    value: 125.0,
                },
            ],
            Polarity::LowerIsBetter,
            10.0,
        )
        .expect("valid")
    }

    #[test]
    fn the_trajectory_is_interpolated_between_its_points() {
        let t = autism_wait();
        assert_eq!(t.expected_at(date!(2022 - 01 - 01)), Some(242.0));
        assert_eq!(t.expected_at(date!(2023 - 06 - 30)), Some(125.0));
        let midway = t.expected_at(date!(2022 - 09 - 30)).expect("value");
        assert!(midway < 242.0 && midway > 125.0);
        assert_eq!(
            t.expected_at(date!(2025 - 01 - 01)),
            Some(13.0),
            "after the last target, the target holds"
        );
        assert_eq!(
            t.expected_at(date!(2021 - 06 - 01)),
            None,
            "nothing is expected before the baseline"
        );
    }

    #[test]
    fn values_are_rated_by_how_far_they_are_behind_the_trajectory() {
        let t = autism_wait();
        assert_eq!(
            t.rate(Point {
                date: date!(2023 - 06 - 30),
                value: 120.0
            }),
            Some(MeasureStatus::OnTrack)
        );
        assert_eq!(
            t.rate(Point {
                date: date!(2023 - 06 - 30),
                value: 130.0
            }),
            Some(MeasureStatus::SomeConcerns)
        );
        assert_eq!(
            t.rate(Point {
                date: date!(2023 - 06 - 30),
                value: 200.0
            }),
            Some(MeasureStatus::OffTrack)
        );
        let higher = Trajectory::new(
            Some(Point {
                date: date!(2022 - 01 - 01),
                value: 52.9,
            }),
            vec![Point {
                date: date!(2023 - 01 - 01),
                value: 70.0,
            }],
            Polarity::HigherIsBetter,
            5.0,
        )
        .expect("valid");
        assert_eq!(
            higher.rate(Point {
                date: date!(2023 - 01 - 01),
                value: 71.0
            }),
            Some(MeasureStatus::OnTrack)
        );
        assert_eq!(
            higher.rate(Point {
                date: date!(2023 - 01 - 01),
                value: 60.0
            }),
            Some(MeasureStatus::OffTrack)
        );
    }

    #[test]
    fn targets_before_the_baseline_are_refused() {
        let error = Trajectory::new(
            Some(Point {
                date: date!(2022 - 01 - 01),
                value: 1.0,
            }),
            vec![Point {
                date: date!(2021 - 01 - 01),
                value: 2.0,
            }],
            Polarity::HigherIsBetter,
            0.0,
        );
        assert!(error.is_err_and(|e| e.contains("after the baseline")));
    }

    #[test]
    fn a_measure_without_a_baseline_follows_its_targets_from_the_first() {
        // Warwickshire 5.1.3: "70% of users can find what they are looking for", no baseline.
        let t = Trajectory::new(
            None,
            vec![
                Point {
                    date: date!(2021 - 12 - 31),
                    value: 70.0,
                },
                Point {
                    date: date!(2022 - 12 - 31),
                    value: 80.0,
                },
            ],
            Polarity::HigherIsBetter,
            0.0,
        )
        .expect("valid");
        assert_eq!(t.expected_at(date!(2021 - 06 - 30)), None);
        assert_eq!(t.expected_at(date!(2021 - 12 - 31)), Some(70.0));
        assert_eq!(t.expected_at(date!(2023 - 06 - 30)), Some(80.0));
        let unset = Trajectory::new(None, vec![], Polarity::HigherIsBetter, 0.0).expect("valid");
        assert_eq!(unset.expected_at(date!(2023 - 06 - 30)), None);
        assert_eq!(
            unset.rate(Point {
                date: date!(2023 - 06 - 30),
                value: 50.0
            }),
            None
        );
    }

    #[test]
    fn on_track_delivery_with_off_track_impact_is_flagged_for_actions_and_areas() {
        use crate::rating::RatingClass::*;
        use crate::{ActionId, AreaId};
        let actions = [
            (ActionId(1), AreaId(1), Some(OnTrack)),
            (ActionId(2), AreaId(1), Some(Complete)),
            (ActionId(3), AreaId(2), Some(OffTrack)),
            (ActionId(4), AreaId(2), Some(OnTrack)),
        ];
        let area_one = [AreaId(1)];
        let area_two = [AreaId(2)];
        let action_three = [ActionId(3)];
        let measures: [(&[AreaId], &[ActionId], Option<MeasureStatus>); 3] = [
            (&area_one, &[], Some(MeasureStatus::OffTrack)),
            (&area_two, &[], Some(MeasureStatus::OffTrack)),
            (&[], &action_three, Some(MeasureStatus::OffTrack)),
        ];
        let (action_gaps, area_gaps) = delivery_without_impact(&actions, &measures);
        let flagged: Vec<i64> = action_gaps.iter().map(|g| g.subject.0).collect();
        assert_eq!(
            flagged,
            vec![1, 2, 4],
            "action 3 is off track for delivery too"
        );
        assert_eq!(action_gaps[2].measures, vec![1]);
        assert_eq!(
            area_gaps,
            vec![ImpactGap {
                subject: AreaId(1),
                measures: vec![0]
            }],
            "area 2 has an action off track"
        );
    }

    #[test]
    fn a_values_file_is_read_whole_or_refused_row_by_row() {
        use crate::periods::Frequency;
        let row = |line: usize, period: &str, value: &str, status: &str| ValueRow {
            line,
            period: period.to_owned(),
            value: value.to_owned(),
            status: status.to_owned(),
            note: String::new(),
        };
        let good = parse_value_rows(
            &[
                row(2, "2023-05", "61.5%", ""),
                row(3, "June 2023", "63", "Provisional"),
            ],
            Unit::Percentage,
            Frequency::Monthly,
        )
        .expect("valid");
        assert_eq!(good[1].period.label, "2023-06");
        assert_eq!(good[1].status, DataStatus::Provisional);
        assert_eq!(good[0].status, DataStatus::Final);
        let problems = parse_value_rows(
            &[
                row(2, "2023-05", "101", ""),
                row(3, "Spring 2023", "lots", ""),
                row(4, "May 2023", "50", "maybe"),
            ],
            Unit::Percentage,
            Frequency::Monthly,
        )
        .expect_err("refused");
        let lines: Vec<usize> = problems.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 3, 4, 4]);
        assert!(problems[3].1.contains("also on row 2"));
    }

    #[test]
    fn a_targets_file_reads_plan_dates_and_refuses_what_it_cannot_place() {
        let row = |line: usize, date: &str, value: &str| TargetRow {
            line,
            date: date.to_owned(),
            value: value.to_owned(),
        };
        let targets = parse_target_rows(
            &[row(2, "June 2023", "125"), row(3, "2024-03-31", "13 weeks")],
            Unit::Weeks,
        )
        .expect("valid");
        assert_eq!(
            targets[0],
            Point {
                date: date!(2023 - 06 - 30),
                value: 125.0
            }
        );
        let problems = parse_target_rows(
            &[
                row(2, "Ongoing", "5"),
                row(3, "June 2023", "-"),
                row(4, "2023-06-30", "1"),
                row(5, "30/06/2023", "2"),
            ],
            Unit::Weeks,
        )
        .expect_err("refused");
        assert_eq!(
            problems.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
            vec![2, 3, 5]
        );
        assert!(problems[2].1.contains("also on row 4"));
    }

    #[test]
    fn trends_follow_the_measures_polarity() {
        let points = |values: &[f64]| {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| Point {
                    date: date!(2022 - 01 - 01) + time::Duration::days(30 * i as i64),
                    value: *v,
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(
            trend(
                &points(&[242.0, 230.0, 200.0]),
                Polarity::LowerIsBetter,
                1.0
            ),
            Some(Trend::Improving)
        );
        assert_eq!(
            trend(&points(&[40.0, 45.0, 38.0]), Polarity::HigherIsBetter, 1.0),
            Some(Trend::Worsening)
        );
        assert_eq!(
            trend(&points(&[50.0, 50.5]), Polarity::HigherIsBetter, 1.0),
            Some(Trend::Stable)
        );
        assert_eq!(trend(&points(&[50.0]), Polarity::HigherIsBetter, 1.0), None);
    }

    #[test]
    fn values_are_read_and_checked_by_unit() {
        assert_eq!(Unit::Percentage.parse_value("52.9%"), Ok(52.9));
        assert_eq!(
            Unit::Percentage.parse_value("101"),
            Err(ValueError::PercentageOutOfRange)
        );
        assert_eq!(Unit::Count.parse_value("1,250"), Ok(1250.0));
        assert_eq!(Unit::Count.parse_value("2.5"), Err(ValueError::NotACount));
        assert_eq!(Unit::Money.parse_value("£45,000"), Ok(45000.0));
        assert_eq!(Unit::Weeks.parse_value("242 weeks"), Ok(242.0));
        assert_eq!(Unit::YesNo.parse_value("Yes"), Ok(1.0));
        assert_eq!(Unit::Ratio.parse_value("lots"), Err(ValueError::NotANumber));
        assert_eq!(Unit::Percentage.format(52.9), "52.9%");
        assert_eq!(Unit::Money.format(45000.0), "£45,000");
        assert_eq!(Unit::Weeks.format(13.0), "13 weeks");
    }
}

impl MeasureInput {
    /// Reads the measure form. Targets are one per line, a date and a value: "June 2023 =
    /// 125" (the date as plans write it; its last day is the target date).
    pub fn parse(form: &crate::input::RawForm) -> Result<Self, crate::input::FieldErrors> {
        use crate::input::{FormReader, LONG_TEXT, SHORT_TEXT};
        let mut f = FormReader::new(form);
        let name = f.required("name", "the measure's name", SHORT_TEXT);
        let definition = f.optional("definition", "the definition", LONG_TEXT);
        let unit = f.choice("unit", "the unit", Unit::from_code);
        let polarity = f.choice("polarity", "which way is better", Polarity::from_code);
        let frequency = f.choice(
            "frequency",
            "how often it is reported",
            crate::periods::Frequency::from_code,
        );
        let baseline_date = f.date("baseline_date", "the baseline date", false);
        let value = |f: &mut FormReader<'_>, field: &str, what: &str, text: &str| match unit
            .map(|u| u.parse_value(text))
        {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                f.error(field, format!("{what}: {e}"));
                None
            }
            None => None,
        };
        let baseline_text = f.optional("baseline_value", "the baseline value", 40);
        let baseline_value = if baseline_text.is_empty() {
            None
        } else {
            value(&mut f, "baseline_value", "Baseline value", &baseline_text)
        };
        // A baseline is a value on a date: half of one is a mistake, none is a plan that
        // has not measured it yet.
        let baseline = match (baseline_date, baseline_text.is_empty()) {
            (Some(date), false) => baseline_value.map(|value| Some(Point { date, value })),
            (None, true) => Some(None),
            (Some(_), true) => {
                f.error(
                    "baseline_value",
                    "Enter the baseline value, or remove its date",
                );
                None
            }
            (None, false) => {
                if !f.has_error("baseline_date") {
                    f.error(
                        "baseline_date",
                        "Enter the date of the baseline, or remove its value",
                    );
                }
                None
            }
        };
        let targets_text = f.optional("targets", "the targets", LONG_TEXT);
        let mut targets = Vec::new();
        for line in targets_text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            let Some((when, amount)) = line.rsplit_once(['=', ':']) else {
                f.error("targets", format!("Write each target as a date and a value, like \"June 2023 = 125\" (\"{line}\" is not)"));
                continue;
            };
            let date = crate::dates::PlanDate::parse(when.trim());
            match (date.deadline(), date.needs_review) {
                (Some(d), false) => {
                    if let Some(v) = value(
                        &mut f,
                        "targets",
                        &format!("Target for {}", when.trim()),
                        amount.trim(),
                    ) {
                        targets.push(Point { date: d, value: v });
                    }
                }
                _ => f.error(
                    "targets",
                    format!(
                        "\"{}\" is not a date sendplan can read, like June 2023 or 31/03/2024",
                        when.trim()
                    ),
                ),
            }
        }
        let tolerance_text = f.optional("tolerance", "the tolerance", 40);
        let tolerance = if tolerance_text.is_empty() {
            Some(0.0)
        } else {
            value(&mut f, "tolerance", "Tolerance", &tolerance_text)
        };
        let owner = f.optional_id("owner", "an owner");
        let areas = f.ids("areas", "an area");
        let actions = f.ids("actions", "an action");
        let trajectory = match (baseline, polarity, tolerance) {
            (Some(baseline), Some(polarity), Some(tolerance)) => {
                match Trajectory::new(baseline, targets, polarity, tolerance) {
                    Ok(t) => Some(t),
                    Err(message) => {
                        f.error("targets", message);
                        None
                    }
                }
            }
            _ => None,
        };
        let placeholder = || Trajectory {
            baseline: None,
            targets: vec![],
            polarity: Polarity::HigherIsBetter,
            tolerance: 0.0,
        };
        f.finish(MeasureInput {
            name,
            definition,
            unit: unit.unwrap_or(Unit::Count),
            frequency: frequency.unwrap_or(crate::periods::Frequency::Monthly),
            trajectory: trajectory.unwrap_or_else(placeholder),
            owner,
            source: MeasureSource::Entered,
            areas,
            actions,
        })
    }
}

impl DataPointInput {
    /// Reads the "record a value" form for a measure of `unit` reported at `frequency`.
    pub fn parse(
        form: &crate::input::RawForm,
        unit: Unit,
        frequency: crate::periods::Frequency,
    ) -> Result<Self, crate::input::FieldErrors> {
        use crate::input::{FormReader, LONG_TEXT};
        let mut f = FormReader::new(form);
        let period_text = f.required("period", "the period", 40);
        let period = if period_text.is_empty() {
            None
        } else {
            match frequency.parse_period(&period_text) {
                Ok(p) => Some(p),
                Err(message) => {
                    f.error("period", message);
                    None
                }
            }
        };
        let value_text = f.required("value", "the value", 40);
        let value = if value_text.is_empty() {
            None
        } else {
            match unit.parse_value(&value_text) {
                Ok(v) => Some(v),
                Err(e) => {
                    f.error("value", e.to_string());
                    None
                }
            }
        };
        let status = f.choice(
            "status",
            "whether the value is provisional or final",
            DataStatus::from_code,
        );
        let note = f.optional("note", "the note", LONG_TEXT);
        let placeholder = crate::periods::Period {
            label: String::new(),
            span: crate::dates::Span {
                start: Date::MIN,
                end: Date::MIN,
            },
        };
        f.finish(DataPointInput {
            period: period.unwrap_or(placeholder),
            value: value.unwrap_or(0.0),
            status: status.unwrap_or(DataStatus::Provisional),
            note,
        })
    }
}

#[cfg(test)]
mod form_tests {
    use super::*;
    use crate::input::RawForm;

    #[test]
    fn a_measure_form_reads_targets_in_plan_wording() {
        let form = RawForm::from_pairs(&[
            ("name", "Longest wait"),
            ("unit", "weeks"),
            ("polarity", "lower"),
            ("frequency", "monthly"),
            ("baseline_date-day", "1"),
            ("baseline_date-month", "1"),
            ("baseline_date-year", "2022"),
            ("baseline_value", "242"),
            ("targets", "June 2023 = 125\nMarch 2024: 13"),
            ("tolerance", "10"),
        ]);
        let input = MeasureInput::parse(&form).expect("valid");
        assert_eq!(input.trajectory.targets.len(), 2);
        assert_eq!(input.trajectory.targets[1].value, 13.0);
    }

    #[test]
    fn bad_measure_and_value_forms_say_what_is_wrong() {
        let form = RawForm::from_pairs(&[
            ("name", "Supported"),
            ("unit", "percentage"),
            ("polarity", "higher"),
            ("frequency", "quarterly"),
            ("baseline_date-day", "1"),
            ("baseline_date-month", "6"),
            ("baseline_date-year", "2022"),
            ("baseline_value", "52.9"),
            ("targets", "March 2022 = 70\nsoon = 80\nJune 2023 = 120"),
        ]);
        let errors = MeasureInput::parse(&form).expect_err("invalid");
        let text: Vec<&str> = errors.0.iter().map(|e| e.message.as_str()).collect();
        assert!(
            text.iter().any(|m| m.contains("between 0 and 100")),
            "{text:?}"
        );
        assert!(text.iter().any(|m| m.contains("\"soon\"")), "{text:?}");
        let value = RawForm::from_pairs(&[
            ("period", "June 2023"),
            ("value", "abc"),
            ("status", "final"),
        ]);
        let errors = DataPointInput::parse(
            &value,
            Unit::Percentage,
            crate::periods::Frequency::Quarterly,
        )
        .expect_err("invalid");
        assert!(errors
            .message_for("period")
            .is_some_and(|m| m.contains("Q1")));
        assert!(errors.message_for("value").is_some());
    }
}
