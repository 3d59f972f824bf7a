//! `sendplan casework ...`: bringing in the SEN2 return an authority already makes, and
//! the DfE's measures worked out from it (issue 18).

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use sendplan_domain::casework::clock::ClockSettings;
use sendplan_domain::casework::measures::{not_to_issue, requests, twenty_weeks, Share};
use sendplan_domain::PartnershipId;
use sendplan_interchange::sen2::{person_key, read_sen2, MAX_SEN2_BYTES};
use sendplan_storage::{Actor, CaseworkFile};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum CaseworkCommand {
    /// Import an SEN2 person-level return (XML), or a case-system extract (CSV). Names, dates of birth, postcodes and UPNs
    /// are dropped as it is read. All or nothing: a return with any problem imports
    /// nothing, and every problem is listed by record and element. Importing a collection
    /// year again replaces it.
    ///
    /// Several files may be given, each imported whole on its own: a deployment holding
    /// many authorities can bring in all their returns in one run.
    Import {
        /// The XML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The partnership whose authority made the return (see `sendplan partnerships`);
        /// without it, each return goes to the partnership of the authority it names. An
        /// extract names none, so needs it.
        #[arg(long)]
        partnership: Option<i64>,
        /// For a case-system extract (CSV, see docs/casework.md): the day it was made,
        /// YYYY-MM-DD. Today if not given.
        #[arg(long)]
        as_at: Option<String>,
    },
    /// Write a synthetic SEN2 return for an authority and calendar year, built to its
    /// published timeliness and requests, with open assessments, refusals, reviews and
    /// phase transfers around them (see docs/casework.md). Marked synthetic in its header:
    /// for trying the pages, the tests and the benchmark, never real children.
    Synthetic {
        /// The authority's ONS code (E08000031 is Wolverhampton).
        #[arg(long)]
        la: String,
        /// The calendar year of the activity (the return is January's of the next).
        #[arg(long)]
        year: i32,
        /// The seed: the same seed makes the same return.
        #[arg(long, default_value_t = 18)]
        seed: u64,
        /// Where to write the XML.
        #[arg(long)]
        out: PathBuf,
    },
    /// The DfE's measures for a calendar year, from the return that covers it (the next
    /// January's): counts and percentages, with the clock settings they were worked out by.
    Measures {
        /// The partnership (see `sendplan partnerships`).
        #[arg(long, required_unless_present = "all")]
        partnership: Option<i64>,
        /// Every partnership with a return for the year, one after another.
        #[arg(long, conflicts_with = "partnership")]
        all: bool,
        /// The calendar year of the activity (2024 is in the January 2025 return).
        #[arg(long)]
        year: i32,
        /// Print JSON for scripts and scheduled jobs.
        #[arg(long)]
        json: bool,
    },
}

fn share(s: &Share) -> serde_json::Value {
    serde_json::json!({ "within": s.within, "of": s.of, "percentage": s.percentage() })
}

pub async fn run(command: CaseworkCommand, url: &str) -> Result<()> {
    match command {
        CaseworkCommand::Synthetic {
            la,
            year,
            seed,
            out,
        } => {
            use sendplan_interchange::dfe_published::{caseload, demand, timeliness};
            use sendplan_interchange::sen2_synthetic::{cases, surrounding_cases, to_xml};
            let Some(row) = timeliness(&la, year) else {
                bail!("the DfE has published no 20-week figures for {la} in {year} (sendplan has 2019 to 2024)");
            };
            let mut people = cases(&row.counts, seed).map_err(anyhow::Error::msg)?;
            let requests = demand(&la, year).authority.0.map(|n| n as u64);
            people.extend(surrounding_cases(
                &row.counts,
                &people,
                requests,
                caseload(&la, year + 1),
                seed,
            ));
            std::fs::write(&out, to_xml(&row.counts.la, year, &people))
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "Wrote a synthetic SEN2 return for {la} ({}), {year}: {} children and young people, to {}.",
                row.counts.la,
                people.len(),
                out.display()
            );
            Ok(())
        }
        CaseworkCommand::Import {
            files,
            partnership,
            as_at,
        } => {
            let today = time::OffsetDateTime::now_utc().date();
            let as_at = match as_at {
                None => today,
                Some(text) => match sendplan_interchange::sen2::parse_iso_date(&text) {
                    Some(day) if day <= today => day,
                    Some(_) => bail!("--as-at {text} is in the future"),
                    None => bail!("--as-at {text} is not a date (YYYY-MM-DD)"),
                },
            };
            let store = crate::open_store(url).await?;
            let chosen = match partnership {
                Some(id) => match store.get_partnership(PartnershipId(id)).await {
                    Ok(p) => Some(p),
                    Err(_) => {
                        bail!("there is no partnership with id {id} (see `sendplan partnerships`)")
                    }
                },
                None => None,
            };
            let all = store.list_partnerships().await?;
            let mut failed = 0;
            for file in &files {
                if let Err(error) = import_one(&store, file, chosen.as_ref(), &all, as_at).await {
                    eprintln!("{}: {error:#}", file.display());
                    failed += 1;
                }
            }
            store.close().await;
            match failed {
                0 => {}
                n if n == files.len() => bail!("nothing was imported, as said above"),
                n => bail!(
                    "{n} of {} files were not imported, as said above; the others were",
                    files.len()
                ),
            }
            Ok(())
        }
        CaseworkCommand::Measures {
            partnership,
            all,
            year,
            json,
        } => {
            let store = crate::open_store(url).await?;
            let partnerships = match partnership {
                Some(id) => match store.get_partnership(PartnershipId(id)).await {
                    Ok(p) => vec![p],
                    Err(_) => {
                        bail!("there is no partnership with id {id} (see `sendplan partnerships`)")
                    }
                },
                None => store.list_partnerships().await?,
            };
            let settings = ClockSettings::default();
            let mut results = Vec::new();
            for p in &partnerships {
                let requests = store.casework_requests(p.id, year + 1).await?;
                if requests.is_empty() {
                    if !all {
                        bail!(
                            "{} has no SEN2 return for {} imported (the one made in January {})",
                            p.name,
                            year,
                            year + 1
                        );
                    }
                    continue;
                }
                results.push((p.name.clone(), year_measures(year, &requests, &settings)));
            }
            store.close().await;
            if json {
                let values: Vec<serde_json::Value> = results
                    .iter()
                    .map(|(name, m)| m.json(name, year, &settings))
                    .collect();
                let out = if all {
                    serde_json::Value::Array(values)
                } else {
                    values.into_iter().next().unwrap_or_default()
                };
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for (name, m) in &results {
                    m.print(name, year, &settings);
                }
            }
            Ok(())
        }
    }
}

/// One authority's measures for a calendar year, by the DfE's definitions.
struct YearMeasures {
    t: sendplan_domain::casework::measures::TwentyWeeks,
    r: sendplan_domain::casework::measures::Requests,
    n: Share,
}

fn year_measures(
    year: i32,
    all: &[sendplan_domain::casework::clock::Request],
    settings: &ClockSettings,
) -> YearMeasures {
    YearMeasures {
        t: twenty_weeks(year, all, settings),
        r: requests(year, all, settings),
        n: not_to_issue(year, all, settings),
    }
}

impl YearMeasures {
    fn json(&self, name: &str, year: i32, settings: &ClockSettings) -> serde_json::Value {
        let (t, r, n) = (&self.t, &self.r, &self.n);
        serde_json::json!({
            "partnership": name,
            "year": year,
            "settings": {
                "last_day_counts": settings.last_day_counts,
                "issue_date": settings.issue_date.code(),
                "in_words": settings.describe(),
            },
            "plans_within_20_weeks_including_exceptions": share(&t.including),
            "plans_within_20_weeks_excluding_exceptions": share(&t.excluding),
            "plans_over_20_weeks_within_a_year": t.over_20_weeks_within_a_year,
            "plans_over_a_year": t.over_a_year,
            "mean_weeks_to_plan_including_exceptions": t.mean_weeks_including,
            "mean_weeks_to_plan_excluding_exceptions": t.mean_weeks_excluding,
            "requests_received": r.received,
            "requests_decided_to_assess": r.decided_to_assess,
            "requests_decided_not_to_assess": r.decided_not_to_assess,
            "requests_withdrawn": r.withdrawn,
            "requests_not_yet_decided": r.not_yet_decided,
            "decisions_to_assess_within_6_weeks": share(&r.decided_within_6_weeks),
            "decisions_not_to_issue_within_16_weeks": share(n),
        })
    }

    fn print(&self, name: &str, year: i32, settings: &ClockSettings) {
        let (t, r, n) = (&self.t, &self.r, &self.n);
        let pct = |s: &Share| {
            s.percentage()
                .map_or("no data".to_owned(), |v| format!("{v}%"))
        };
        println!("{name}: EHC plan measures for {year}");
        println!("  {}", settings.describe());
        println!(
            "  New plans within 20 weeks: {} including exceptions ({} of {}), {} excluding ({} of {})",
            pct(&t.including), t.including.within, t.including.of,
            pct(&t.excluding), t.excluding.within, t.excluding.of
        );
        println!(
            "  Decisions to assess within 6 weeks: {} ({} of {})",
            pct(&r.decided_within_6_weeks),
            r.decided_within_6_weeks.within,
            r.decided_within_6_weeks.of
        );
        println!(
            "  Decisions not to issue within 16 weeks: {} ({} of {})",
            pct(n),
            n.within,
            n.of
        );
        println!("  Requests received: {}", r.received);
    }
}

/// Reads one return and imports it whole into `chosen`, or into the partnership of the
/// authority it names.
async fn import_one(
    store: &sendplan_storage::Store,
    file: &std::path::Path,
    chosen: Option<&sendplan_domain::partnership::Partnership>,
    all: &[sendplan_domain::partnership::Partnership],
    as_at: time::Date,
) -> Result<()> {
    use sendplan_interchange::dfe_published::{dfe_code, ons_code};
    let size = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    if size > MAX_SEN2_BYTES {
        bail!(
            "it is {} MB; sendplan reads returns of at most {} MB",
            size / 1_048_576,
            MAX_SEN2_BYTES / 1_048_576
        );
    }
    let mut start = [0u8; 512];
    let n = std::io::Read::read(
        &mut std::fs::File::open(file)
            .with_context(|| format!("cannot open {}", file.display()))?,
        &mut start,
    )?;
    if !sendplan_interchange::casework_read::is_xml(&start[..n]) {
        let Some(p) = chosen else {
            bail!("it is not XML, so is taken for a case-system extract, which does not say whose it is: give --partnership");
        };
        return import_extract(store, file, p, as_at, size).await;
    }
    // The UPNs are hashed with the partnership's secret, so the partnership is known
    // before the records are read: from --partnership, or from the header's LEA.
    let la = match chosen {
        Some(_) => None,
        None => Some(header_lea(file)?),
    };
    let p = match (chosen, &la) {
        (Some(p), _) => p.clone(),
        (None, Some(la)) => {
            let ons = ons_code(la).with_context(|| {
                format!("the return names authority {la}, which is not in the DfE's list")
            })?;
            all.iter()
                .find(|p| p.la_code == ons)
                .cloned()
                .with_context(|| format!("no partnership is for authority {la} ({ons}); add one with `sendplan partnerships add`, or give --partnership"))?
        }
        (None, None) => unreachable!("the LEA is read when no partnership is chosen"),
    };
    let mut fresh = [0u8; 32];
    getrandom::fill(&mut fresh)
        .map_err(|e| anyhow::anyhow!("the operating system gave no randomness: {e}"))?;
    let fresh: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
    let secret = store.casework_secret(p.id, &fresh).await?;
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    let read = read_sen2(reader, &|upn| person_key(&secret, upn))
        .context("it is not an SEN2 return sendplan can read")?;
    if let Some(expected) = dfe_code(&p.la_code) {
        if read.la != expected {
            bail!(
                "nothing was imported: this return is for authority {}, and {} is authority {expected}",
                read.la,
                p.name
            );
        }
    }
    store_read(store, file, &p, read.into()).await
}

/// Imports a case-system extract (CSV) whole into `p`, as at `as_at`.
async fn import_extract(
    store: &sendplan_storage::Store,
    file: &std::path::Path,
    p: &sendplan_domain::partnership::Partnership,
    as_at: time::Date,
    size: u64,
) -> Result<()> {
    use sendplan_interchange::casework_csv::MAX_EXTRACT_BYTES;
    use sendplan_interchange::casework_read::read_casework;
    if size > MAX_EXTRACT_BYTES {
        bail!(
            "it is {} MB; sendplan reads extracts of at most {} MB",
            size / 1_048_576,
            MAX_EXTRACT_BYTES / 1_048_576
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let la = sendplan_interchange::dfe_published::dfe_code(&p.la_code)
        .unwrap_or_else(|| p.la_code.clone());
    let read = read_casework(&bytes, &|reference| reference.to_owned(), as_at, &la)
        .map_err(anyhow::Error::msg)?;
    store_read(store, file, p, read).await
}

/// Imports what a file held, whole, or nothing if any of it has a problem (listed), and
/// says what was imported and what was read and not kept.
async fn store_read(
    store: &sendplan_storage::Store,
    file: &std::path::Path,
    p: &sendplan_domain::partnership::Partnership,
    read: sendplan_interchange::casework_read::CaseworkRead,
) -> Result<()> {
    let what = if read.source == "sen2" {
        format!("SEN2 return for {}", read.collection_year)
    } else {
        format!(
            "extract as at {}",
            read.reference_date
                .map(|d| d.to_string())
                .unwrap_or_default()
        )
    };
    if !read.problems.is_empty() {
        let (record, _) = read.placed_by();
        for (n, element, message) in &read.problems {
            eprintln!("  {record} {n}, {element}: {message}");
        }
        bail!(
            "nothing was imported: the {what} has {} problem(s), listed above; put them right in the case system and make it again",
            read.problems.len()
        );
    }
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    store
        .import_casework(
            Actor(None),
            p.id,
            &CaseworkFile {
                source: read.source,
                collection_year: read.collection_year,
                la_code: &read.la,
                reference_date: read.reference_date,
                file_name: &name,
                people: &read.people,
            },
        )
        .await?;
    let requests: usize = read.people.iter().map(|c| c.requests.len()).sum();
    println!(
        "{}'s {what}: {} children and young people, {} requests imported.",
        p.name,
        read.people.len(),
        requests
    );
    if !read.dropped.is_empty() {
        println!("Read and not kept: {}.", read.dropped.join(", "));
    }
    Ok(())
}

/// The authority a return names in its header (`LEA`), read without reading the records.
fn header_lea(file: &std::path::Path) -> Result<String> {
    let reader = std::io::BufReader::new(
        std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
    );
    sendplan_interchange::sen2::read_header(reader)
        .context("it is not an SEN2 return sendplan can read")
}
