//! The Department for Education's published EHC plan statistics (the "explore education
//! statistics" CSV files in `shared/data/ehcp_stats`), read into national, regional and
//! local authority series, which a measure shows as comparators (England, the local
//! authority's region, and the authority's own published figure).
//!
//! Suppressed cells (`x`, `c`, `z`, `:`, `u`, blank) are kept as missing, never as zero.
//! Local authorities that split or merged are found under their new code or their old one.

use crate::sheet::limits;
use sendplan_domain::periods::PERIOD_YEARS;
use std::collections::HashMap;

sendplan_domain::coded_enum! {
    /// The statistics sendplan compares with.
    Statistic {
        IssuedWithin20WeeksExcludingExceptions => ("pc_20_weeks_ex", "% of new EHC plans issued within 20 weeks, excluding exceptions"),
        IssuedWithin20WeeksIncludingExceptions => ("pc_20_weeks", "% of new EHC plans issued within 20 weeks, including exceptions"),
        RequestsForAssessment => ("requests", "Requests for an EHC needs assessment"),
        ActivePlans => ("ehc_plans", "EHC plans in place"),
    }
}

impl Statistic {
    /// The file column that holds the statistic.
    fn column(self) -> &'static str {
        match self {
            Statistic::IssuedWithin20WeeksExcludingExceptions => "PC_plans_issued_20_weeks_ex",
            Statistic::IssuedWithin20WeeksIncludingExceptions => "pc_plans_issued_within_20_weeks",
            Statistic::RequestsForAssessment => "requests_received_in_year",
            Statistic::ActivePlans => "ehcplans",
        }
    }
}

/// The period a figure covers, as the file's `time_period` and `time_identifier` say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatisticsPeriod {
    /// January to December.
    Calendar(i32),
    /// September of this year to August of the next.
    Academic(i32),
    /// April of this year to March of the next.
    Financial(i32),
}

impl StatisticsPeriod {
    fn parse(period: &str, identifier: &str) -> Option<Self> {
        let year: i32 = period.get(..4)?.parse().ok()?;
        match identifier.trim().to_lowercase().as_str() {
            "calendar year" => Some(StatisticsPeriod::Calendar(year)),
            "academic year" => Some(StatisticsPeriod::Academic(year)),
            "financial year" => Some(StatisticsPeriod::Financial(year)),
            _ => None,
        }
    }

    /// The last day of the period.
    pub fn end(self) -> time::Date {
        let (year, month, day) = match self {
            StatisticsPeriod::Calendar(y) => (y, time::Month::December, 31),
            StatisticsPeriod::Academic(y) => (y + 1, time::Month::August, 31),
            StatisticsPeriod::Financial(y) => (y + 1, time::Month::March, 31),
        };
        time::Date::from_calendar_date(year, month, day).unwrap_or(time::Date::MIN)
    }

    /// How the period is written: "2023", "2022/23".
    pub fn label(self) -> String {
        match self {
            StatisticsPeriod::Calendar(y) => y.to_string(),
            StatisticsPeriod::Academic(y) | StatisticsPeriod::Financial(y) => {
                format!("{y}/{:02}", (y + 1) % 100)
            }
        }
    }
}

/// Where a figure is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Area {
    England,
    /// A region by its ONS code (E12...).
    Region(String),
    /// A local authority by its current ONS code, with its old code if it changed.
    LocalAuthority {
        code: String,
        old_code: String,
    },
}

/// One published figure; `None` where the DfE suppressed or did not publish it.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub period: StatisticsPeriod,
    pub area: Area,
    pub name: String,
    /// A local authority's region code (E12...).
    pub region: Option<String>,
    pub value: Option<f64>,
}

/// Why a statistics file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatisticsError {
    #[error("the file has no column \"{0}\": it is not the DfE file for this statistic")]
    MissingColumn(String),
    #[error("line {line}: {message}")]
    BadLine { line: usize, message: String },
    /// A limit of [`crate::sheet::limits`] was reached; the text names it.
    #[error("The file is too big to read: {0}")]
    TooBig(String),
}

impl StatisticsPeriod {
    /// The year the period starts in.
    fn year(self) -> i32 {
        match self {
            StatisticsPeriod::Calendar(y)
            | StatisticsPeriod::Academic(y)
            | StatisticsPeriod::Financial(y) => y,
        }
    }
}

/// Reads every figure of `statistic` from a DfE CSV file (the headline "All ..." rows only).
///
/// The file meets the limits of any spreadsheet ([`crate::sheet::limits`]), each checked
/// before what it bounds is kept: at most [`MAX_SHEET_BYTES`](crate::sheet::MAX_SHEET_BYTES),
/// [`MAX_CSV_FIELDS`](limits::MAX_CSV_FIELDS) fields on a line (counted before the line is
/// split) of which [`MAX_COLUMNS`](limits::MAX_COLUMNS) used, cells of at most
/// [`MAX_CELL_CHARS`](limits::MAX_CELL_CHARS), and [`MAX_ROWS`](limits::MAX_ROWS) headline
/// rows (the published files have about 1,100 lines, 60 columns). Figures must be finite
/// numbers, and periods must start in [`PERIOD_YEARS`].
pub fn read_statistics(text: &str, statistic: Statistic) -> Result<Vec<Figure>, StatisticsError> {
    let text = text.trim_start_matches('\u{feff}');
    if text.len() > crate::sheet::MAX_SHEET_BYTES {
        return Err(StatisticsError::TooBig(format!(
            "it is {} MB; sendplan reads statistics files of at most {} MB",
            text.len().div_ceil(1_048_576),
            crate::sheet::MAX_SHEET_BYTES / 1_048_576
        )));
    }
    if let Some(line) =
        crate::sheet::record_wider_than(text.as_bytes(), b',', limits::MAX_CSV_FIELDS)
    {
        return Err(StatisticsError::TooBig(format!(
            "line {line} has more than {} fields; sendplan reads at most {} columns",
            limits::MAX_CSV_FIELDS,
            limits::MAX_COLUMNS
        )));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| StatisticsError::BadLine {
            line: 1,
            message: e.to_string(),
        })?
        .clone();
    within_limits(1, &headers)?;
    let index: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, h)| (h, i)).collect();
    let column = |name: &str| {
        index
            .get(name)
            .copied()
            .ok_or_else(|| StatisticsError::MissingColumn(name.to_owned()))
    };
    let (period_column, identifier, level) = (
        column("time_period")?,
        column("time_identifier")?,
        column("geographic_level")?,
    );
    let (region_code, region_name) = (column("region_code")?, column("region_name")?);
    let (new_code, old_code, la_name) = (
        column("new_la_code")?,
        column("old_la_code")?,
        column("la_name")?,
    );
    let breakdown = column("breakdown")?;
    let value = column(statistic.column())?;
    let mut figures = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let record = record.map_err(|e| StatisticsError::BadLine {
            line: n + 2,
            message: e.to_string(),
        })?;
        within_limits(n + 2, &record)?;
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        if !get(breakdown).starts_with("All ") {
            continue;
        }
        if figures.len() >= limits::MAX_ROWS {
            return Err(StatisticsError::TooBig(format!(
                "it has more than {} headline (\"All ...\") rows; sendplan reads at most that many",
                limits::MAX_ROWS
            )));
        }
        let Some(period) = StatisticsPeriod::parse(get(period_column), get(identifier)) else {
            return Err(StatisticsError::BadLine {
                line: n + 2,
                message: format!(
                    "unknown period \"{} {}\"",
                    get(period_column),
                    get(identifier)
                ),
            });
        };
        if !PERIOD_YEARS.contains(&period.year()) {
            return Err(StatisticsError::BadLine {
                line: n + 2,
                message: format!(
                    "the period \"{}\" is outside the years sendplan takes: periods must start between {} and {}",
                    get(period_column),
                    PERIOD_YEARS.start(),
                    PERIOD_YEARS.end()
                ),
            });
        }
        let (area, name) = match get(level) {
            "National" => (Area::England, "England".to_owned()),
            "Regional" => (
                Area::Region(get(region_code).to_owned()),
                get(region_name).to_owned(),
            ),
            "Local authority" => (
                Area::LocalAuthority {
                    code: get(new_code).to_owned(),
                    old_code: get(old_code).to_owned(),
                },
                get(la_name).to_owned(),
            ),
            _ => continue,
        };
        let raw = get(value).replace(',', "");
        let value = match raw.as_str() {
            "" | "x" | "c" | "z" | ":" | "u" | "low" => None,
            number => Some(
                number
                    .parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| StatisticsError::BadLine {
                        line: n + 2,
                        message: format!("\"{number}\" is not a number"),
                    })?,
            ),
        };
        let region = matches!(area, Area::LocalAuthority { .. })
            .then(|| get(region_code).to_owned())
            .filter(|r| !r.is_empty());
        figures.push(Figure {
            period,
            area,
            name,
            region,
            value,
        });
    }
    Ok(figures)
}

/// Refuses a line of the file with more used columns, or a longer cell, than any
/// spreadsheet may have.
fn within_limits(line: usize, record: &csv::StringRecord) -> Result<(), StatisticsError> {
    let used = crate::sheet::used_columns(record);
    if used > limits::MAX_COLUMNS {
        return Err(StatisticsError::TooBig(format!(
            "line {line} has {used} columns; sendplan reads at most {} columns",
            limits::MAX_COLUMNS
        )));
    }
    if record
        .iter()
        .any(|cell| cell.chars().count() > limits::MAX_CELL_CHARS)
    {
        return Err(StatisticsError::TooBig(format!(
            "line {line} has a cell of more than {} characters; sendplan reads at most that many",
            limits::MAX_CELL_CHARS
        )));
    }
    Ok(())
}

/// The series for a local authority code, whether the file lists it under its current or
/// its old code, in period order.
pub fn local_authority_series<'a>(figures: &'a [Figure], code: &str) -> Vec<&'a Figure> {
    let mut series: Vec<&Figure> = figures
        .iter()
        .filter(|f| matches!(&f.area, Area::LocalAuthority { code: c, old_code } if c == code || old_code == code))
        .collect();
    series.sort_by_key(|f| f.period);
    series
}

/// A local authority's published series beside England's and its region's.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// The authority's name as published.
    pub name: String,
    /// Its own figures, in period order.
    pub local: Vec<(StatisticsPeriod, Option<f64>)>,
    /// England's and the region's figures, as comparators.
    pub comparators: Vec<sendplan_domain::measures::Comparator>,
    /// The authority's own figures as a comparator series, "Name (published)", for a
    /// measure that counts its own way and shows the published figure beside it.
    pub published: Vec<sendplan_domain::measures::Comparator>,
}

/// The comparison for the local authority `la_code`, or why there is none in the file.
pub fn comparison(figures: &[Figure], la_code: &str, source: &str) -> Result<Comparison, String> {
    let local = local_authority_series(figures, la_code);
    let Some(latest) = local.last() else {
        return Err(format!(
            "The file has no figures for local authority {la_code}"
        ));
    };
    let region = latest.region.clone();
    let comparator = |series: &str, figure: &Figure| sendplan_domain::measures::Comparator {
        series: series.to_owned(),
        period: figure.period.label(),
        period_end: figure.period.end(),
        value: figure.value,
        source: source.to_owned(),
    };
    let mut others: Vec<&Figure> = figures
        .iter()
        .filter(|f| match &f.area {
            Area::England => true,
            Area::Region(code) => Some(code) == region.as_ref(),
            Area::LocalAuthority { .. } => false,
        })
        .collect();
    others.sort_by(|a, b| {
        (a.area != Area::England, a.period).cmp(&(b.area != Area::England, b.period))
    });
    let comparators = others.iter().map(|f| comparator(&f.name, f)).collect();
    let name = latest.name.clone();
    let published = local
        .iter()
        .map(|f| comparator(&format!("{name} (published)"), f))
        .collect();
    Ok(Comparison {
        name,
        local: local.iter().map(|f| (f.period, f.value)).collect(),
        comparators,
        published,
    })
}

/// Comparators for other local authorities chosen by code (statistical neighbours, say):
/// each one's series, and with two or more, their average for each period over the
/// authorities whose figure was published. An unknown code is refused by name.
pub fn chosen_authorities(
    figures: &[Figure],
    codes: &[&str],
    source: &str,
) -> Result<Vec<sendplan_domain::measures::Comparator>, String> {
    use sendplan_domain::measures::Comparator;
    let mut comparators = Vec::new();
    let mut by_period: std::collections::BTreeMap<StatisticsPeriod, Vec<f64>> = Default::default();
    for code in codes {
        let series = local_authority_series(figures, code);
        let Some(latest) = series.last() else {
            return Err(format!(
                "The file has no figures for local authority {code}"
            ));
        };
        for figure in &series {
            comparators.push(Comparator {
                series: latest.name.clone(),
                period: figure.period.label(),
                period_end: figure.period.end(),
                value: figure.value,
                source: source.to_owned(),
            });
            if let Some(v) = figure.value {
                by_period.entry(figure.period).or_default().push(v);
            }
        }
    }
    if codes.len() >= 2 {
        for (period, values) in by_period {
            comparators.push(Comparator {
                series: format!("Average of the {} chosen authorities", codes.len()),
                period: period.label(),
                period_end: period.end(),
                value: Some(
                    (values.iter().sum::<f64>() / values.len() as f64 * 10.0).round() / 10.0,
                ),
                source: source.to_owned(),
            });
        }
    }
    Ok(comparators)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,PC_plans_issued_20_weeks_ex,pc_plans_issued_within_20_weeks,requests_received_in_year,ehcplans\n\
2019,Calendar year,National,E92000001,England,,,,,,All EHC plans issued,All EHC plans issued,60.4,58.7,82329,x\n\
2019,Calendar year,Local authority,E92000001,England,E12000005,West Midlands,E08000031,E08000031,Wolverhampton,All EHC plans issued,All EHC plans issued,x,12.5,1,x\n\
2020,Calendar year,Local authority,E92000001,England,E12000006,East of England,E06000062,E10000021,West Northamptonshire,All EHC plans issued,All EHC plans issued,55,50,1,x\n";

    #[test]
    fn figures_keep_suppressed_cells_missing() {
        let figures = read_statistics(SAMPLE, Statistic::IssuedWithin20WeeksExcludingExceptions)
            .expect("reads");
        assert_eq!(figures[0].value, Some(60.4));
        assert_eq!(figures[0].area, Area::England);
        assert_eq!(figures[1].value, None, "x means suppressed, not zero");
    }

    #[test]
    fn a_local_authority_that_changed_code_is_found_by_either() {
        let figures = read_statistics(SAMPLE, Statistic::IssuedWithin20WeeksIncludingExceptions)
            .expect("reads");
        assert_eq!(local_authority_series(&figures, "E10000021").len(), 1);
        assert_eq!(local_authority_series(&figures, "E06000062").len(), 1);
    }

    #[test]
    fn periods_are_calendar_or_academic_years() {
        assert_eq!(
            StatisticsPeriod::parse("201819", "Academic year"),
            Some(StatisticsPeriod::Academic(2018))
        );
        assert_eq!(StatisticsPeriod::Academic(2018).label(), "2018/19");
        assert_eq!(
            StatisticsPeriod::parse("2023", "Calendar year")
                .map(StatisticsPeriod::label)
                .as_deref(),
            Some("2023")
        );
    }

    #[test]
    fn a_comparison_puts_an_authority_beside_england_and_its_region() {
        let figures = read_statistics(SAMPLE, Statistic::IssuedWithin20WeeksIncludingExceptions)
            .expect("reads");
        let found = comparison(&figures, "E08000031", "test").expect("found");
        assert_eq!(found.name, "Wolverhampton");
        assert_eq!(
            found.local,
            vec![(StatisticsPeriod::Calendar(2019), Some(12.5))]
        );
        let series: Vec<&str> = found
            .comparators
            .iter()
            .map(|c| c.series.as_str())
            .collect();
        assert_eq!(series, vec!["England"]);
        assert_eq!(found.published[0].series, "Wolverhampton (published)");
        assert_eq!(found.comparators[0].period_end.to_string(), "2019-12-31");
        assert!(comparison(&figures, "E99999999", "test").is_err_and(|e| e.contains("E99999999")));
    }

    #[test]
    fn chosen_authorities_are_compared_one_by_one_and_on_average() {
        let figures = read_statistics(SAMPLE, Statistic::IssuedWithin20WeeksIncludingExceptions)
            .expect("reads");
        let chosen =
            chosen_authorities(&figures, &["E08000031", "E10000021"], "test").expect("found");
        let series: Vec<&str> = chosen.iter().map(|c| c.series.as_str()).collect();
        assert_eq!(
            series,
            vec![
                "Wolverhampton",
                "West Northamptonshire",
                "Average of the 2 chosen authorities",
                "Average of the 2 chosen authorities"
            ]
        );
        assert_eq!(
            chosen[2].value,
            Some(12.5),
            "2019: only Wolverhampton published"
        );
        assert!(chosen_authorities(&figures, &["E0"], "test").is_err_and(|e| e.contains("E0")));
    }

    #[test]
    fn the_wrong_file_is_refused_plainly() {
        let error = read_statistics("a,b\n1,2\n", Statistic::ActivePlans).expect_err("wrong file");
        assert!(error.to_string().contains("time_period"));
    }
}
