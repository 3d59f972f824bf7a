//! The DfE's published EHC plan statistics that come with sendplan (`fixtures/dfe`, Open
//! Government Licence): read once, for the casework pages, the command line and the demo,
//! so an authority's own figures can be set beside what the DfE published for it.

use crate::dfe::{read_statistics, Area, Figure, Statistic, StatisticsPeriod};
use crate::sen2_synthetic::{published_timeliness, PublishedRow};
use std::sync::OnceLock;

/// New plans issued within 20 weeks, by authority, 2019 to 2024.
pub const TIMELINESS: &str = include_str!(
    "../../../fixtures/dfe/ehcp_2025release_timeliness_20_week_all_plans_by_la_2019-2024.csv"
);
/// EHC plans in place each January, by authority, 2019 to 2025.
pub const CASELOAD: &str =
    include_str!("../../../fixtures/dfe/ehcp_2025release_caseload_all_plans_by_la_2019-2025.csv");
/// Requests for an EHC needs assessment, by authority, region and England, 2019 to 2024.
pub const REQUESTS: &str =
    include_str!("../../../fixtures/dfe/ehcp_2025release_requests_all_by_la_2019-2024.csv");

fn timeliness_rows() -> &'static [PublishedRow] {
    static ROWS: OnceLock<Vec<PublishedRow>> = OnceLock::new();
    ROWS.get_or_init(|| published_timeliness(TIMELINESS).unwrap_or_default())
}

fn request_figures() -> &'static [Figure] {
    static FIGURES: OnceLock<Vec<Figure>> = OnceLock::new();
    FIGURES.get_or_init(|| {
        read_statistics(REQUESTS, Statistic::RequestsForAssessment).unwrap_or_default()
    })
}

/// The DfE's three-digit code for the authority with ONS code `la_code` (SEN2 returns
/// carry it in `LEA`).
pub fn dfe_code(la_code: &str) -> Option<String> {
    request_figures().iter().find_map(|f| match &f.area {
        Area::LocalAuthority { code, old_code } if code == la_code => Some(old_code.clone()),
        _ => None,
    })
}

/// The ONS code of the authority with the DfE's three-digit code `dfe_code`.
pub fn ons_code(dfe_code: &str) -> Option<String> {
    request_figures().iter().find_map(|f| match &f.area {
        Area::LocalAuthority { code, old_code } if old_code == dfe_code => Some(code.clone()),
        _ => None,
    })
}

/// EHC plans in place at the January census of `year` (the DfE's caseload file), where
/// published.
pub fn caseload(la_code: &str, year: i32) -> Option<u64> {
    static FIGURES: OnceLock<Vec<Figure>> = OnceLock::new();
    FIGURES
        .get_or_init(|| read_statistics(CASELOAD, Statistic::ActivePlans).unwrap_or_default())
        .iter()
        .find(|f| {
            f.period == StatisticsPeriod::Academic(year - 1)
                && matches!(&f.area, Area::LocalAuthority { code, .. } if code == la_code)
        })
        .and_then(|f| f.value)
        .map(|v| v as u64)
}

/// The authority's published 20-week row for a calendar year, with its counts.
pub fn timeliness(la_code: &str, year: i32) -> Option<&'static PublishedRow> {
    timeliness_rows()
        .iter()
        .find(|r| r.ons_code == la_code && r.counts.year == year)
}

/// Requests received in a year, and the year before, for the authority, its region and
/// England, as published.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedDemand {
    pub authority: (Option<f64>, Option<f64>),
    pub region: (Option<f64>, Option<f64>),
    pub england: (Option<f64>, Option<f64>),
}

pub fn demand(la_code: &str, year: i32) -> PublishedDemand {
    let figures = request_figures();
    let region = figures.iter().find_map(|f| match &f.area {
        Area::LocalAuthority { code, .. } if code == la_code => f.region.clone(),
        _ => None,
    });
    let value = |area: &dyn Fn(&Area) -> bool, y: i32| {
        figures
            .iter()
            .find(|f| f.period == StatisticsPeriod::Calendar(y) && area(&f.area))
            .and_then(|f| f.value)
    };
    let both = |area: &dyn Fn(&Area) -> bool| (value(area, year), value(area, year - 1));
    PublishedDemand {
        authority: both(&|a| matches!(a, Area::LocalAuthority { code, .. } if code == la_code)),
        region: both(&|a| matches!(a, Area::Region(code) if Some(code) == region.as_ref())),
        england: both(&|a| matches!(a, Area::England)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wolverhamptons_figures_are_found_by_its_ons_code() {
        assert_eq!(dfe_code("E08000031").as_deref(), Some("336"));
        assert_eq!(ons_code("336").as_deref(), Some("E08000031"));
        assert!(caseload("E08000031", 2025).is_some_and(|n| n > 2_000));
        let row = timeliness("E08000031", 2024).expect("published");
        assert_eq!(row.counts.la, "336");
        let d = demand("E08000031", 2021);
        assert_eq!(d.authority, (Some(457.0), Some(388.0)));
        assert_eq!(d.region.1, Some(7452.0));
        assert!(d.england.0.is_some_and(|n| n > 10_000.0));
    }
}
