//! A measure's chart: its values, the trajectory from baseline to target, and comparator
//! series, on a time line labelled with the measure's own periods (calendar, academic or
//! financial years, terms, quarters or months). Each value is drawn at the middle of the
//! period it covers (`Period::middle`, the one rule for every kind of period), so a year's
//! value sits over that year's label.
//!
//! A chart is a `<figure>` with a caption, a legend in words and, where the page has no
//! table of its own, the figures as a table. It is drawn twice, wide and narrow, and the
//! stylesheet shows the one that fits: text keeps its size on a phone instead of shrinking
//! with a wide drawing. Every id is made from the chart's own id, so several charts on a
//! page each announce their own title.

use super::escape;
use sendplan_domain::input::long_date;
use sendplan_domain::measures::{Comparator, DataPoint, Trajectory, Unit};
use sendplan_domain::periods::{Frequency, Period};
use std::fmt::Write;
use time::Date;

/// A value as drawn: at the middle of the period it covers, named by that period.
#[derive(Debug, Clone, PartialEq)]
pub struct Plotted {
    pub period: String,
    pub date: Date,
    pub value: f64,
}

impl Plotted {
    pub fn of(point: &DataPoint) -> Self {
        Plotted {
            period: point.period.label.clone(),
            date: point.period.middle(),
            value: point.value,
        }
    }

    /// A comparator's figure, at the middle of its own period; none where it was suppressed.
    pub fn of_comparator(comparator: &Comparator, frequency: Frequency) -> Option<Self> {
        Some(Plotted {
            period: comparator.period.clone(),
            date: comparator.middle(frequency),
            value: comparator.value?,
        })
    }
}

/// A named line of values beside the measure's own (England, a region, a neighbour).
#[derive(Debug, Clone)]
pub struct Series<'a> {
    pub name: &'a str,
    pub points: &'a [Plotted],
}

/// Where the chart's figures are also given as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// The page has its own table of the values.
    Elsewhere,
    /// In a "Show the figures" details element under the chart.
    Details,
    /// In a table under the chart, for papers that are printed.
    Table,
}

/// What a measure chart shows.
#[derive(Debug, Clone)]
pub struct Chart<'a> {
    /// Unique on the page ("measure-12"): the chart's element ids are made from it.
    pub id: &'a str,
    pub title: &'a str,
    pub unit: Unit,
    pub frequency: Frequency,
    pub trajectory: &'a Trajectory,
    pub values: &'a [Plotted],
    pub comparators: &'a [Series<'a>],
    pub figures: Figures,
}

/// One drawing of a chart: its size in drawing units and the size of its text. The narrow
/// drawing is shown at about its own width on a phone, so its text stays about 13 px.
struct Layout {
    width: f64,
    height: f64,
    font: f64,
    suffix: &'static str,
    class: &'static str,
}

const WIDE: Layout = Layout {
    width: 640.0,
    height: 300.0,
    font: 13.0,
    suffix: "",
    class: "app-chart__svg app-chart__svg--wide",
};
const NARROW: Layout = Layout {
    width: 340.0,
    height: 260.0,
    font: 13.0,
    suffix: "-narrow",
    class: "app-chart__svg app-chart__svg--narrow",
};

const VALUES_COLOUR: &str = "#1d70b8";
const TRAJECTORY_COLOUR: &str = "#0b0c0c";
const COMPARATOR_COLOUR: &str = "#505a5f";
/// Comparators are told apart by dash pattern and marker, so nothing depends on colour.
const DASHES: [&str; 4] = ["2 3", "8 3 2 3", "1 5", "12 4"];

/// How wide a line of text is, near enough for Arial: used to keep labels apart.
fn text_width(text: &str, font: f64) -> f64 {
    text.chars().count() as f64 * font * 0.56
}

/// The scales both drawings share: time from the start of the first period to the end of
/// the last, and values on round gridlines.
struct Scale {
    first: f64,
    last: f64,
    low: f64,
    high: f64,
    step: f64,
    periods: Vec<Period>,
}

fn day_number(date: Date) -> f64 {
    f64::from(date.to_julian_day())
}

fn scale(chart: &Chart<'_>) -> Scale {
    let dated = chart
        .values
        .iter()
        .chain(chart.comparators.iter().flat_map(|s| s.points.iter()))
        .map(|p| (p.date, p.value))
        .chain(chart.trajectory.points().map(|p| (p.date, p.value)));
    let (mut earliest, mut latest) = (Date::MAX, Date::MIN);
    let (mut low, mut high) = (f64::MAX, f64::MIN);
    for (date, value) in dated {
        earliest = earliest.min(date);
        latest = latest.max(date);
        low = low.min(value);
        high = high.max(value);
    }
    let periods = chart.frequency.periods_between(earliest, latest);
    let (first, last) = match (periods.first(), periods.last()) {
        (Some(a), Some(b)) => (day_number(a.span.start), day_number(b.span.end) + 1.0),
        _ => (day_number(earliest) - 1.0, day_number(latest) + 1.0),
    };
    if chart.unit == Unit::Percentage {
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
    Scale {
        first,
        last,
        low: (low / step).floor() * step,
        high: (high / step).ceil() * step,
        step,
        periods,
    }
}

/// Which of `count` evenly spaced labels, `spacing` apart, can be written without two
/// touching, when each is `width` wide: every k-th, counted back from the latest so the
/// latest period is always labelled.
fn labelled(count: usize, spacing: f64, width: f64) -> Vec<bool> {
    let gap = 8.0;
    let every = if spacing <= 0.0 {
        count.max(1)
    } else {
        ((width + gap) / spacing).ceil().max(1.0) as usize
    };
    (0..count)
        .map(|i| (count - 1 - i).is_multiple_of(every))
        .collect()
}

/// Draws a measure's chart as a figure, or nothing when the measure has no values yet
/// (the page says so in a sentence: an empty chart says nothing).
pub fn measure_chart(chart: &Chart<'_>) -> String {
    if chart.values.is_empty() {
        return String::new();
    }
    let scale = scale(chart);
    let description = describe(chart);
    let mut html = String::with_capacity(8192);
    let _ = write!(
        html,
        r#"<figure class="app-chart" id="{id}"><figcaption class="app-chart__caption">Chart: {title}</figcaption>"#,
        id = escape(chart.id),
        title = escape(chart.title),
    );
    for layout in [&WIDE, &NARROW] {
        draw(&mut html, chart, &scale, layout, &description);
    }
    legend(&mut html, chart);
    match chart.figures {
        Figures::Elsewhere => {}
        Figures::Details => {
            html.push_str(r#"<details class="govuk-details app-chart__details"><summary class="govuk-details__summary"><span class="govuk-details__summary-text">Show the figures</span></summary><div class="govuk-details__text">"#);
            figures_table(&mut html, chart);
            html.push_str("</div></details>");
        }
        Figures::Table => figures_table(&mut html, chart),
    }
    html.push_str("</figure>");
    html
}

/// The chart in words, for screen readers: the range, the latest value and the target.
fn describe(chart: &Chart<'_>) -> String {
    let unit = chart.unit;
    let mut sentences = Vec::new();
    let latest = chart.values.iter().max_by_key(|p| p.date);
    let first = chart.values.iter().min_by_key(|p| p.date);
    if let (Some(first), Some(latest)) = (first, latest) {
        sentences.push(if chart.values.len() == 1 {
            format!(
                "One value: {} for {}.",
                unit.format(latest.value),
                latest.period
            )
        } else {
            format!(
                "{} values from {} to {}. Latest: {} for {}.",
                chart.values.len(),
                first.period,
                latest.period,
                unit.format(latest.value),
                latest.period
            )
        });
    }
    let trajectory = chart.trajectory;
    if let Some(b) = trajectory.baseline {
        sentences.push(format!(
            "Baseline {} on {}.",
            unit.format(b.value),
            long_date(b.date)
        ));
    }
    if let Some(t) = trajectory.targets.last() {
        sentences.push(format!(
            "Target {} by {}.",
            unit.format(t.value),
            long_date(t.date)
        ));
    }
    for series in chart.comparators {
        if let Some(p) = series.points.iter().max_by_key(|p| p.date) {
            sentences.push(format!(
                "{}: {} for {}.",
                series.name,
                unit.format(p.value),
                p.period
            ));
        }
    }
    sentences.join(" ")
}

fn draw(html: &mut String, chart: &Chart<'_>, scale: &Scale, layout: &Layout, description: &str) {
    let font = layout.font;
    let tick_labels: Vec<String> = (0..=((scale.high - scale.low) / scale.step).round() as i32)
        .map(|i| chart.unit.format(scale.low + scale.step * f64::from(i)))
        .collect();
    let widest = tick_labels
        .iter()
        .map(|t| text_width(t, font))
        .fold(0.0, f64::max);
    let (left, right, top, bottom) = (widest + 10.0, 14.0, font + 10.0, font * 2.0 + 6.0);
    let (width, height) = (layout.width, layout.height);
    let plot_width = width - left - right;
    let xd = |day: f64| left + (day - scale.first) / (scale.last - scale.first) * plot_width;
    let x = |d: Date| xd(day_number(d));
    let y = |v: f64| top + (scale.high - v) / (scale.high - scale.low) * (height - top - bottom);
    let id = format!("{}{}", escape(chart.id), layout.suffix);
    let _ = write!(
        html,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="{class}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="arial, sans-serif" font-size="{font}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#,
        class = layout.class,
        title = escape(chart.title),
        desc = escape(description),
    );
    for (i, label) in tick_labels.iter().enumerate() {
        let at = y(scale.low + scale.step * i as f64);
        let _ = write!(
            html,
            r##"<line x1="{left:.1}" x2="{:.1}" y1="{at:.1}" y2="{at:.1}" stroke="#b1b4b6" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#0b0c0c">{}</text>"##,
            width - right,
            left - 6.0,
            at + font * 0.35,
            escape(label),
        );
    }
    // The time line: a mark where each period starts, its label under its middle.
    let axis = y(scale.low);
    let _ = write!(
        html,
        r##"<line x1="{left:.1}" x2="{:.1}" y1="{axis:.1}" y2="{axis:.1}" stroke="#0b0c0c" stroke-width="1"/>"##,
        width - right
    );
    let periods = &scale.periods;
    if periods.len() <= 60 {
        for period in periods {
            let at = x(period.span.start);
            let _ = write!(
                html,
                r##"<line x1="{at:.1}" x2="{at:.1}" y1="{axis:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/>"##,
                axis + 5.0
            );
        }
        let end = xd(scale.last);
        let _ = write!(
            html,
            r##"<line x1="{end:.1}" x2="{end:.1}" y1="{axis:.1}" y2="{:.1}" stroke="#0b0c0c" stroke-width="1"/>"##,
            axis + 5.0
        );
    }
    let widest_period = periods
        .iter()
        .map(|p| text_width(&p.label, font))
        .fold(0.0, f64::max);
    let spacing = if periods.is_empty() {
        0.0
    } else {
        plot_width / periods.len() as f64
    };
    for (period, shown) in periods
        .iter()
        .zip(labelled(periods.len(), spacing, widest_period))
    {
        if !shown {
            continue;
        }
        let at = x(period.middle());
        // Kept inside the drawing when a label is wider than its period.
        let half = text_width(&period.label, font) / 2.0;
        let at = at.clamp(half + 2.0, width - half - 2.0);
        let _ = write!(
            html,
            r##"<text x="{at:.1}" y="{:.1}" text-anchor="middle" fill="#0b0c0c">{}</text>"##,
            axis + 7.0 + font,
            escape(&period.label)
        );
    }
    let path = |points: &mut dyn Iterator<Item = (Date, f64)>| {
        let mut d = String::new();
        for (i, (date, value)) in points.enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { "M" } else { " L" },
                x(date),
                y(value)
            );
        }
        d
    };
    for (i, series) in chart.comparators.iter().enumerate() {
        let mut points: Vec<&Plotted> = series.points.iter().collect();
        points.sort_by_key(|p| p.date);
        let _ = write!(
            html,
            r##"<path d="{}" fill="none" stroke="{COMPARATOR_COLOUR}" stroke-width="2" stroke-dasharray="{}"/>"##,
            path(&mut points.iter().map(|p| (p.date, p.value))),
            DASHES[i % DASHES.len()],
        );
        for p in points {
            let _ = write!(
                html,
                r##"<rect x="{:.1}" y="{:.1}" width="6" height="6" fill="{COMPARATOR_COLOUR}"/>"##,
                x(p.date) - 3.0,
                y(p.value) - 3.0
            );
        }
    }
    let trajectory: Vec<_> = chart.trajectory.points().collect();
    if !trajectory.is_empty() {
        let _ = write!(
            html,
            r##"<path d="{}" fill="none" stroke="{TRAJECTORY_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"##,
            path(&mut trajectory.iter().map(|p| (p.date, p.value)))
        );
    }
    for target in &chart.trajectory.targets {
        let (cx, cy) = (x(target.date), y(target.value));
        let _ = write!(
            html,
            r##"<path d="M{:.1},{cy:.1} L{cx:.1},{:.1} L{:.1},{cy:.1} L{cx:.1},{:.1} Z" fill="#ffffff" stroke="{TRAJECTORY_COLOUR}" stroke-width="2"/>"##,
            cx - 6.0,
            cy - 6.0,
            cx + 6.0,
            cy + 6.0
        );
    }
    let mut values: Vec<&Plotted> = chart.values.iter().collect();
    values.sort_by_key(|p| p.date);
    let _ = write!(
        html,
        r##"<path d="{}" fill="none" stroke="{VALUES_COLOUR}" stroke-width="3"/>"##,
        path(&mut values.iter().map(|p| (p.date, p.value)))
    );
    for p in &values {
        let _ = write!(
            html,
            r##"<circle cx="{:.1}" cy="{:.1}" r="4.5" fill="{VALUES_COLOUR}"/>"##,
            x(p.date),
            y(p.value)
        );
    }
    // The latest value is written beside its point: the figure a reader looks for first.
    if let Some(latest) = values.last() {
        let text = chart.unit.format(latest.value);
        let half = text_width(&text, font) / 2.0;
        let (px, py) = (x(latest.date), y(latest.value));
        let above = py - 10.0;
        let ty = if above - font < 0.0 {
            py + 10.0 + font
        } else {
            above
        };
        let tx = px.clamp(half + 2.0, width - half - 2.0);
        let _ = write!(
            html,
            r##"<text x="{tx:.1}" y="{ty:.1}" text-anchor="middle" font-weight="bold" fill="{VALUES_COLOUR}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
            escape(&text)
        );
    }
    html.push_str("</svg>");
}

/// A key sample of a line for the legend.
fn swatch(line: &str) -> String {
    format!(
        r#"<svg class="app-chart__swatch" width="40" height="14" viewBox="0 0 40 14" aria-hidden="true" focusable="false">{line}</svg>"#
    )
}

/// What each line and mark of the chart means: a swatch drawing it and the words, for the
/// legend under the chart (and, as words alone, under a chart pictured in a Word paper).
fn legend_entries(chart: &Chart<'_>) -> Vec<(String, String)> {
    let mut entries = vec![(
        format!(
            r##"<path d="M2,7 L38,7" stroke="{VALUES_COLOUR}" stroke-width="3"/><circle cx="20" cy="7" r="4.5" fill="{VALUES_COLOUR}"/>"##
        ),
        "Values recorded (blue line with dots), each drawn in the middle of its period; the latest is labelled".to_owned(),
    )];
    let trajectory = chart.trajectory;
    if trajectory.points().next().is_some() {
        let from = match trajectory.baseline {
            Some(b) => format!(
                "from the baseline of {} on {}",
                chart.unit.format(b.value),
                long_date(b.date)
            ),
            None => "from the first target".to_owned(),
        };
        entries.push((
            format!(
                r##"<path d="M2,7 L38,7" stroke="{TRAJECTORY_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>"##
            ),
            format!("Trajectory (black dashed line) {from}"),
        ));
    }
    if !trajectory.targets.is_empty() {
        let targets: Vec<String> = trajectory
            .targets
            .iter()
            .map(|t| format!("{} by {}", chart.unit.format(t.value), long_date(t.date)))
            .collect();
        entries.push((
            format!(
                r##"<path d="M14,7 L20,1 L26,7 L20,13 Z" fill="#ffffff" stroke="{TRAJECTORY_COLOUR}" stroke-width="2"/>"##
            ),
            format!(
                "Target{} (diamond): {}",
                if targets.len() > 1 { "s" } else { "" },
                targets.join("; ")
            ),
        ));
    }
    for (i, series) in chart.comparators.iter().enumerate() {
        entries.push((
            format!(
                r##"<path d="M2,7 L38,7" stroke="{COMPARATOR_COLOUR}" stroke-width="2" stroke-dasharray="{}"/><rect x="17" y="4" width="6" height="6" fill="{COMPARATOR_COLOUR}"/>"##,
                DASHES[i % DASHES.len()]
            ),
            format!("{} (grey line)", series.name),
        ));
    }
    entries
}

fn legend(html: &mut String, chart: &Chart<'_>) {
    html.push_str(r#"<ul class="app-chart__legend">"#);
    for (drawing, words) in legend_entries(chart) {
        let _ = write!(html, "<li>{}{}</li>", swatch(&drawing), escape(&words));
    }
    html.push_str("</ul>");
}

/// The legend in words, for a chart shown as a picture (a Word paper).
pub fn legend_words(chart: &Chart<'_>) -> Vec<String> {
    legend_entries(chart)
        .into_iter()
        .map(|(_, words)| words)
        .collect()
}

/// The chart's wide drawing alone, a standalone SVG document, for a picture in a Word
/// paper; nothing when the measure has no values.
pub fn chart_svg(chart: &Chart<'_>) -> Option<String> {
    if chart.values.is_empty() {
        return None;
    }
    let mut svg = String::with_capacity(8192);
    draw(&mut svg, chart, &scale(chart), &WIDE, &describe(chart));
    Some(svg)
}

/// The chart's figures as a table: a row per period, a column per line.
fn figures_table(html: &mut String, chart: &Chart<'_>) {
    let mut periods: Vec<(Date, &str)> = chart
        .values
        .iter()
        .chain(chart.comparators.iter().flat_map(|s| s.points.iter()))
        .map(|p| (p.date, p.period.as_str()))
        .collect();
    periods.sort();
    periods.dedup_by(|a, b| a.1 == b.1);
    let _ = write!(
        html,
        r#"<table class="govuk-table app-chart__figures"><caption class="govuk-table__caption govuk-table__caption--s">Figures of {}</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Period</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th>"#,
        escape(chart.title)
    );
    for series in chart.comparators {
        let _ = write!(
            html,
            r#"<th scope="col" class="govuk-table__header govuk-table__header--numeric">{}</th>"#,
            escape(series.name)
        );
    }
    html.push_str(r#"</tr></thead><tbody class="govuk-table__body">"#);
    let cell = |points: &[Plotted], period: &str| {
        points
            .iter()
            .find(|p| p.period == period)
            .map_or(String::new(), |p| chart.unit.format(p.value))
    };
    for (_, period) in periods {
        let _ = write!(
            html,
            r#"<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th><td class="govuk-table__cell govuk-table__cell--numeric">{}</td>"#,
            escape(period),
            escape(&cell(chart.values, period))
        );
        for series in chart.comparators {
            let _ = write!(
                html,
                r#"<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>"#,
                escape(&cell(series.points, period))
            );
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendplan_domain::measures::{Point, Polarity};
    use time::macros::date;

    fn year(frequency: Frequency, label: &str, value: f64) -> Plotted {
        let period = frequency.parse_period(label).expect(label);
        Plotted {
            period: period.label.clone(),
            date: period.middle(),
            value,
        }
    }

    fn trajectory() -> Trajectory {
        Trajectory::new(
            Some(Point {
                date: date!(2022 - 01 - 01),
                value: 40.0,
            }),
            vec![Point {
                date: date!(2025 - 12 - 31),
                value: 60.0,
            }],
            Polarity::HigherIsBetter,
            5.0,
        )
        .expect("valid")
    }

    /// The x position of the text that reads `label` in the wide drawing.
    fn label_x(svg: &str, label: &str) -> f64 {
        let wide = svg.split("app-chart__svg--narrow").next().expect("wide");
        let end = wide
            .find(&format!(">{label}</text>"))
            .unwrap_or_else(|| panic!("{label} is labelled"));
        let start = wide[..end].rfind("<text x=\"").expect("text") + 9;
        wide[start..].split('"').next().unwrap().parse().unwrap()
    }

    fn circles_x(svg: &str) -> Vec<f64> {
        let wide = svg.split("app-chart__svg--narrow").next().expect("wide");
        wide.match_indices("<circle cx=\"")
            .map(|(i, m)| {
                wide[i + m.len()..]
                    .split('"')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect()
    }

    /// The fault this was written for: 2024's value of 21.3% was drawn over the 2025 tick.
    #[test]
    fn each_years_value_is_drawn_over_its_own_label() {
        let frequency = Frequency::CalendarYear;
        let values: Vec<Plotted> = [
            ("2021", 58.0),
            ("2022", 43.0),
            ("2023", 30.0),
            ("2024", 21.3),
        ]
        .iter()
        .map(|(y, v)| year(frequency, y, *v))
        .collect();
        let trajectory = trajectory();
        let svg = measure_chart(&Chart {
            id: "measure-1",
            title: "New EHC plans issued within 20 weeks",
            unit: Unit::Percentage,
            frequency,
            trajectory: &trajectory,
            values: &values,
            comparators: &[],
            figures: Figures::Elsewhere,
        });
        let drawn = circles_x(&svg);
        for (value, at) in values.iter().zip(&drawn) {
            assert!(
                (label_x(&svg, &value.period) - at).abs() < 1.0,
                "{} is drawn over its own label",
                value.period
            );
        }
        assert!(
            svg.contains(">21.3%</text>"),
            "the latest value is written on the chart"
        );
        assert!(
            svg.contains(">2025</text>"),
            "the target's year is labelled too"
        );
    }

    #[test]
    fn academic_and_financial_years_terms_quarters_and_months_sit_over_their_labels() {
        for (frequency, labels) in [
            (
                Frequency::AcademicYear,
                vec!["2021/22", "2022/23", "2023/24"],
            ),
            (
                Frequency::FinancialYear,
                vec!["2021/22", "2022/23", "2023/24"],
            ),
            (
                Frequency::Termly,
                vec!["Autumn 2022", "Spring 2023", "Summer 2023"],
            ),
            (
                Frequency::Quarterly,
                vec!["2022/23 Q1", "2022/23 Q2", "2022/23 Q3"],
            ),
            (Frequency::Monthly, vec!["2022-04", "2022-05", "2022-06"]),
        ] {
            let values: Vec<Plotted> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| year(frequency, l, 10.0 * i as f64))
                .collect();
            let trajectory = Trajectory::new(None, vec![], Polarity::HigherIsBetter, 1.0)
                .expect("empty trajectory");
            let svg = measure_chart(&Chart {
                id: "m",
                title: "Measure",
                unit: Unit::Count,
                frequency,
                trajectory: &trajectory,
                values: &values,
                comparators: &[],
                figures: Figures::Elsewhere,
            });
            for (value, at) in values.iter().zip(circles_x(&svg)) {
                assert!(
                    (label_x(&svg, &value.period) - at).abs() < 1.0,
                    "{frequency:?}: {} is drawn over its own label",
                    value.period
                );
            }
        }
    }

    #[test]
    fn labels_that_would_touch_are_thinned_from_the_latest_back() {
        assert_eq!(labelled(4, 100.0, 40.0), [true; 4]);
        assert_eq!(labelled(5, 30.0, 40.0), [true, false, true, false, true]);
        // However many periods, labelled centres are at least a label's width apart.
        for count in 1..80 {
            let shown = labelled(count, 600.0 / count as f64, 70.0);
            assert!(shown[count - 1], "the latest period is always labelled");
            let at: Vec<usize> = (0..count).filter(|i| shown[*i]).collect();
            for pair in at.windows(2) {
                assert!((pair[1] - pair[0]) as f64 * 600.0 / count as f64 >= 70.0);
            }
        }
    }

    #[test]
    fn a_chart_has_its_own_ids_a_legend_and_its_figures_in_words() {
        let frequency = Frequency::CalendarYear;
        let values = [year(frequency, "2023", 30.0), year(frequency, "2024", 21.3)];
        let england = [year(frequency, "2023", 50.3), year(frequency, "2024", 46.4)];
        let series = [Series {
            name: "England <all>",
            points: &england,
        }];
        let trajectory = trajectory();
        let chart = Chart {
            id: "measure-7",
            title: "Plans within 20 weeks",
            unit: Unit::Percentage,
            frequency,
            trajectory: &trajectory,
            values: &values,
            comparators: &series,
            figures: Figures::Details,
        };
        let html = measure_chart(&chart);
        assert!(html.starts_with("<figure") && html.ends_with("</figure>"));
        for id in [
            "measure-7-title",
            "measure-7-desc",
            "measure-7-narrow-title",
        ] {
            assert_eq!(html.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
        }
        assert!(html.contains("Latest: 21.3% for 2024."));
        assert!(html.contains("Target 60% by 31 December 2025."));
        assert!(html.contains("England &lt;all&gt;: 46.4% for 2024."));
        assert!(
            html.contains("<li>") && html.contains("Target (diamond): 60% by 31 December 2025")
        );
        assert!(html.contains("Show the figures"));
        assert!(html.contains(
            "<th scope=\"row\" class=\"govuk-table__header\">2024</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">21.3%</td><td class=\"govuk-table__cell govuk-table__cell--numeric\">46.4%</td>"
        ));
        // A second chart on the same page shares no id with the first.
        let other = measure_chart(&Chart {
            id: "measure-8",
            ..chart
        });
        assert!(!other.contains("measure-7"));
    }

    #[test]
    fn a_measure_with_no_values_has_no_chart() {
        let trajectory = trajectory();
        let chart = Chart {
            id: "m",
            title: "Supported while waiting",
            unit: Unit::Percentage,
            frequency: Frequency::CalendarYear,
            trajectory: &trajectory,
            values: &[],
            comparators: &[],
            figures: Figures::Details,
        };
        assert_eq!(measure_chart(&chart), "");
    }

    #[test]
    fn percentages_are_drawn_on_the_whole_scale() {
        let values = [year(Frequency::CalendarYear, "2024", 52.0)];
        let trajectory = trajectory();
        let svg = measure_chart(&Chart {
            id: "m",
            title: "Measure",
            unit: Unit::Percentage,
            frequency: Frequency::CalendarYear,
            trajectory: &trajectory,
            values: &values,
            comparators: &[],
            figures: Figures::Elsewhere,
        });
        assert!(svg.contains(">0%</text>") && svg.contains(">100%</text>"));
    }
}
