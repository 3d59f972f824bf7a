//! Measure charts drawn as SVG on the server: the values, the trajectory from baseline to
//! target, and comparator series, with a title and description for screen readers (pages
//! pair each chart with a table of the same data). Plain string building: no JavaScript,
//! prints as it shows.

use sendplan_domain::measures::{Point, Trajectory, Unit};
use std::fmt::Write;
use time::Date;

/// A named line of dated values (the measure itself, or a comparator).
#[derive(Debug, Clone)]
pub struct Series<'a> {
    pub name: &'a str,
    pub points: &'a [Point],
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn day_number(date: Date) -> f64 {
    f64::from(date.to_julian_day())
}

/// Draws a measure's chart. `values` is the measure; `comparators` are other series.
pub fn measure_chart(
    title: &str,
    unit: Unit,
    trajectory: &Trajectory,
    values: &[Point],
    comparators: &[Series<'_>],
) -> String {
    let plan: Vec<Point> = trajectory.points().collect();
    if plan.is_empty() && values.is_empty() && comparators.iter().all(|s| s.points.is_empty()) {
        return String::new();
    }
    let all = plan
        .iter()
        .chain(values)
        .chain(comparators.iter().flat_map(|s| s.points.iter()));
    let (mut first, mut last, mut low, mut high) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for p in all {
        first = first.min(day_number(p.date));
        last = last.max(day_number(p.date));
        low = low.min(p.value);
        high = high.max(p.value);
    }
    if last <= first {
        last = first + 1.0;
    }
    if unit == Unit::Percentage {
        // Percentages are always drawn on the whole scale, so small moves do not look large.
        low = 0.0;
        high = 100.0;
    } else {
        low = low.min(0.0);
    }
    if high <= low {
        high = low + 1.0;
    }
    // Gridlines at round numbers: a step of 1, 2 or 5 times a power of ten.
    let rough = (high - low) / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(rough);
    low = (low / step).floor() * step;
    high = (high / step).ceil() * step;
    let ticks = ((high - low) / step).round() as i32;
    let x = |d: Date| LEFT + (day_number(d) - first) / (last - first) * (WIDTH - LEFT - RIGHT);
    let y = |v: f64| TOP + (high - v) / (high - low) * (HEIGHT - TOP - BOTTOM);
    let path = |points: &[Point]| {
        let mut d = String::new();
        for (i, p) in points.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(p.date),
                y(p.value)
            );
        }
        d
    };
    let latest = values.iter().max_by_key(|p| p.date);
    let description = match latest {
        Some(p) => format!(
            "Latest value {} on {}. Baseline {}; target {}.",
            unit.format(p.value),
            p.date,
            trajectory
                .baseline
                .map_or("not measured".to_owned(), |b| format!(
                    "{} on {}",
                    unit.format(b.value),
                    b.date
                )),
            trajectory
                .targets
                .last()
                .map_or("not set".to_owned(), |t| format!(
                    "{} by {}",
                    unit.format(t.value),
                    t.date
                )),
        ),
        None => "No values recorded yet.".to_owned(),
    };
    let mut svg = String::with_capacity(4096);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" class="app-chart" font-family="arial, sans-serif"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape(title),
        escape(&description)
    );
    for i in 0..=ticks {
        let value = low + step * f64::from(i);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" font-size="12" fill="#0b0c0c">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            y(value) + 4.0,
            escape(&unit.format(value)),
            y = y(value)
        );
    }
    let (first_year, last_year) = (
        Date::from_julian_day(first as i32).map_or(0, |d| d.year()),
        Date::from_julian_day(last as i32).map_or(0, |d| d.year()),
    );
    for year in first_year..=last_year {
        if let Ok(date) = Date::from_calendar_date(year, time::Month::January, 1) {
            if day_number(date) >= first && day_number(date) <= last {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#0b0c0c">{year}</text>"##,
                    x(date),
                    HEIGHT - BOTTOM + 18.0
                );
            }
        }
    }
    // Comparators are told apart by dash pattern and labelled at their last point, so
    // the chart does not depend on colour. Labels that would overlap are moved apart.
    const DASHES: [&str; 4] = ["", "2 3", "8 3 2 3", "1 6"];
    let mut labels: Vec<(f64, f64, &str)> = Vec::new();
    for (i, series) in comparators.iter().enumerate() {
        let Some(end) = series.points.iter().max_by_key(|p| p.date) else {
            continue;
        };
        let _ = write!(
            svg,
            r##"<path d="{}" fill="none" stroke="#505a5f" stroke-width="1.5" stroke-dasharray="{}"><title>{}</title></path>"##,
            path(series.points),
            DASHES[i % DASHES.len()],
            escape(series.name),
        );
        labels.push((x(end.date) - 4.0, y(end.value) - 6.0, series.name));
    }
    labels.sort_by(|a, b| a.1.total_cmp(&b.1));
    for i in 1..labels.len() {
        if labels[i].1 - labels[i - 1].1 < 12.0 {
            labels[i].1 = labels[i - 1].1 + 12.0;
        }
    }
    for (lx, ly, name) in labels {
        let _ = write!(
            svg,
            r##"<text x="{lx:.1}" y="{ly:.1}" text-anchor="end" font-size="11" fill="#505a5f">{}</text>"##,
            escape(name)
        );
    }
    let _ = write!(
        svg,
        r##"<path d="{}" fill="none" stroke="#0b0c0c" stroke-width="2" stroke-dasharray="6 4"><title>Trajectory to target</title></path>"##,
        path(&plan)
    );
    if !values.is_empty() {
        let _ = write!(
            svg,
            r##"<path d="{}" fill="none" stroke="#1d70b8" stroke-width="3"><title>{}</title></path>"##,
            path(values),
            escape(title)
        );
        for p in values {
            let _ = write!(
                svg,
                r##"<circle cx="{:.1}" cy="{:.1}" r="4" fill="#1d70b8"/>"##,
                x(p.date),
                y(p.value)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendplan_domain::measures::Polarity;
    use time::macros::date;

    #[test]
    fn a_chart_draws_values_trajectory_and_comparators_with_a_text_alternative() {
        let trajectory = Trajectory::new(
            Some(Point {
                date: date!(2022 - 01 - 01),
                value: 242.0,
            }),
            vec![
                Point {
                    date: date!(2023 - 06 - 30),
                    value: 125.0,
                },
                Point {
                    date: date!(2024 - 03 - 31),
                    value: 13.0,
                },
            ],
            Polarity::LowerIsBetter,
            10.0,
        )
        .expect("valid");
        let values = [
            Point {
                date: date!(2022 - 06 - 30),
                value: 230.0,
            },
            Point {
                date: date!(2022 - 12 - 31),
                value: 190.0,
            },
        ];
        let england = [Point {
            date: date!(2022 - 12 - 31),
            value: 60.0,
        }];
        let svg = measure_chart(
            "Longest wait <autism>",
            Unit::Weeks,
            &trajectory,
            &values,
            &[Series {
                name: "England",
                points: &england,
            }],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\""));
        assert!(
            svg.contains("<title id=\"chart-title\">Longest wait &lt;autism&gt;</title>"),
            "text is escaped"
        );
        assert!(svg.contains("Latest value 190 weeks on 2022-12-31"));
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("stroke-dasharray"), "the trajectory is dashed");
        assert!(svg.contains("<title>England</title>"));
        assert!(svg.contains(">2023<"), "years label the time axis");
    }

    #[test]
    fn a_measure_with_no_values_still_draws_its_trajectory() {
        let trajectory = Trajectory::new(
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
        let svg = measure_chart(
            "Supported while waiting",
            Unit::Percentage,
            &trajectory,
            &[],
            &[],
        );
        assert!(svg.contains("No values recorded yet."));
        assert!(
            svg.contains(">100%<"),
            "percentages are drawn on a 0 to 100 scale"
        );
        assert!(!svg.contains("<circle"));
    }
}

/// Board sizes in the structure diagram.
const BOX_WIDTH: f64 = 200.0;
const BOX_HEIGHT: f64 = 64.0;
const GAP_ACROSS: f64 = 24.0;
const GAP_DOWN: f64 = 48.0;
const MARGIN: f64 = 8.0;
/// Characters that fit a line of a board's box at 14px.
const LINE_CHARS: usize = 26;

/// A board's name in at most three lines of the box, cut with an ellipsis if longer.
fn wrap_name(name: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in name.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= LINE_CHARS => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.chars().take(LINE_CHARS).collect()),
        }
    }
    if lines.len() > 3 {
        lines.truncate(3);
        let last = &mut lines[2];
        let kept: String = last.chars().take(LINE_CHARS - 1).collect();
        *last = format!("{kept}…");
    }
    lines
}

/// Draws the partnership's governance structure: a box per board, joined to the board it
/// reports to above it. Pages give the same structure as a nested list beside it.
pub fn structure_diagram(
    boards: &[sendplan_domain::governance::Board],
    placed: &[sendplan_domain::governance::Placed],
    columns: usize,
) -> String {
    if placed.is_empty() {
        return String::new();
    }
    let rows = placed.iter().map(|p| p.row).max().unwrap_or(0) + 1;
    let width = MARGIN * 2.0 + columns as f64 * BOX_WIDTH + (columns as f64 - 1.0) * GAP_ACROSS;
    let height = MARGIN * 2.0 + rows as f64 * BOX_HEIGHT + (rows as f64 - 1.0) * GAP_DOWN;
    let left = |column: f64| MARGIN + column * (BOX_WIDTH + GAP_ACROSS);
    let top = |row: usize| MARGIN + row as f64 * (BOX_HEIGHT + GAP_DOWN);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r##"<svg class="app-diagram" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="img" aria-labelledby="structure-title structure-desc" xmlns="http://www.w3.org/2000/svg" font-family="Arial, sans-serif" font-size="14"><title id="structure-title">Structure of the partnership's boards and groups</title><desc id="structure-desc">Each board is joined by a line to the board it reports to, above it. The list after the diagram gives the same structure in words.</desc>"##
    );
    for p in placed {
        let Some(parent) = p
            .parent
            .and_then(|id| placed.iter().find(|q| q.board == id))
        else {
            continue;
        };
        let (x1, y1) = (
            left(parent.column) + BOX_WIDTH / 2.0,
            top(parent.row) + BOX_HEIGHT,
        );
        let (x2, y2) = (left(p.column) + BOX_WIDTH / 2.0, top(p.row));
        let middle = (y1 + y2) / 2.0;
        let _ = write!(
            svg,
            r##"<path d="M{x1:.1} {y1:.1} V{middle:.1} H{x2:.1} V{y2:.1}" fill="none" stroke="#505a5f" stroke-width="2"/>"##
        );
    }
    for p in placed {
        let Some(board) = boards.iter().find(|b| b.id == p.board) else {
            continue;
        };
        let (x, y) = (left(p.column), top(p.row));
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{y:.1}" width="{BOX_WIDTH}" height="{BOX_HEIGHT}" fill="#ffffff" stroke="#1d70b8" stroke-width="3"/>"##
        );
        let lines = wrap_name(&board.name);
        let first = y + BOX_HEIGHT / 2.0 - (lines.len() as f64 - 1.0) * 9.0 + 5.0;
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
                x + BOX_WIDTH / 2.0,
                first + i as f64 * 18.0,
                escape(line)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod structure_tests {
    use super::*;

    #[test]
    fn long_board_names_wrap_to_three_lines_at_most() {
        assert_eq!(
            wrap_name("SEND Improvement Board"),
            vec!["SEND Improvement Board"]
        );
        let long = wrap_name(
            "Joint Strategic Commissioning Group for Children and Young People with Special Educational Needs",
        );
        assert_eq!(long.len(), 3);
        assert!(long.iter().all(|l| l.chars().count() <= LINE_CHARS));
        assert!(long[2].ends_with('…'));
    }
}
