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
    /// Import an SEN2 person-level return (XML). Names, dates of birth, postcodes and UPNs
    /// are dropped as it is read. All or nothing: a return with any problem imports
    /// nothing, and every problem is listed by record and element. Importing a collection
    /// year again replaces it.
    Import {
        /// The XML file.
        file: PathBuf,
        /// The partnership whose authority made the return (see `sendplan partnerships`).
        #[arg(long)]
        partnership: i64,
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
        #[arg(long)]
        partnership: i64,
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
            use sendplan_interchange::dfe_published::{demand, timeliness};
            use sendplan_interchange::sen2_synthetic::{cases, surrounding_cases, to_xml};
            let Some(row) = timeliness(&la, year) else {
                bail!("the DfE has published no 20-week figures for {la} in {year} (sendplan has 2019 to 2024)");
            };
            let mut people = cases(&row.counts, seed).map_err(anyhow::Error::msg)?;
            let requests = demand(&la, year).authority.0.map(|n| n as u64);
            people.extend(surrounding_cases(&row.counts, &people, requests, seed));
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
        CaseworkCommand::Import { file, partnership } => {
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .len();
            if size > MAX_SEN2_BYTES {
                bail!(
                    "{} is {} MB; sendplan reads returns of at most {} MB",
                    file.display(),
                    size / 1_048_576,
                    MAX_SEN2_BYTES / 1_048_576
                );
            }
            let store = crate::open_store(url).await?;
            let Ok(p) = store.get_partnership(PartnershipId(partnership)).await else {
                bail!(
                    "there is no partnership with id {partnership} (see `sendplan partnerships`)"
                );
            };
            let mut fresh = [0u8; 32];
            getrandom::fill(&mut fresh)
                .map_err(|e| anyhow::anyhow!("the operating system gave no randomness: {e}"))?;
            let fresh: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
            let secret = store.casework_secret(p.id, &fresh).await?;
            let reader = std::io::BufReader::new(
                std::fs::File::open(&file)
                    .with_context(|| format!("cannot open {}", file.display()))?,
            );
            let read = read_sen2(reader, &|upn| person_key(&secret, upn)).with_context(|| {
                format!("{} is not an SEN2 return sendplan can read", file.display())
            })?;
            if let Some(expected) = sendplan_interchange::dfe_published::dfe_code(&p.la_code) {
                if read.la != expected {
                    bail!(
                        "nothing was imported: this return is for authority {}, and {} is authority {expected}",
                        read.la,
                        p.name
                    );
                }
            }
            if !read.problems.is_empty() {
                for problem in &read.problems {
                    eprintln!("  {problem}");
                }
                bail!(
                    "nothing was imported: the return has {} problem(s), listed above; put them right in the case system and make the return again",
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
                        source: "sen2",
                        collection_year: read.year,
                        la_code: &read.la,
                        reference_date: read.reference_date,
                        file_name: &name,
                        people: &read.people,
                    },
                )
                .await?;
            store.close().await;
            let requests: usize = read.people.iter().map(|p| p.requests.len()).sum();
            println!(
                "{}'s SEN2 return for {}: {} children and young people, {} requests imported.",
                p.name,
                read.year,
                read.people.len(),
                requests
            );
            let dropped: Vec<String> = read
                .dropped
                .iter()
                .map(|(element, n)| format!("{element} ({n})"))
                .collect();
            if !dropped.is_empty() {
                println!("Read and not kept: {}.", dropped.join(", "));
            }
            Ok(())
        }
        CaseworkCommand::Measures {
            partnership,
            year,
            json,
        } => {
            let store = crate::open_store(url).await?;
            let Ok(p) = store.get_partnership(PartnershipId(partnership)).await else {
                bail!(
                    "there is no partnership with id {partnership} (see `sendplan partnerships`)"
                );
            };
            let all = store.casework_requests(p.id, year + 1).await?;
            store.close().await;
            if all.is_empty() {
                bail!(
                    "{} has no SEN2 return for {} imported (the one made in January {})",
                    p.name,
                    year,
                    year + 1
                );
            }
            let settings = ClockSettings::default();
            let t = twenty_weeks(year, &all, &settings);
            let r = requests(year, &all, &settings);
            let n = not_to_issue(year, &all, &settings);
            if json {
                let value = serde_json::json!({
                    "partnership": p.name,
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
                    "decisions_not_to_issue_within_16_weeks": share(&n),
                });
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                let pct = |s: &Share| {
                    s.percentage()
                        .map_or("no data".to_owned(), |v| format!("{v}%"))
                };
                println!("{}: EHC plan measures for {year}", p.name);
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
                    pct(&n),
                    n.within,
                    n.of
                );
                println!("  Requests received: {}", r.received);
            }
            Ok(())
        }
    }
}
