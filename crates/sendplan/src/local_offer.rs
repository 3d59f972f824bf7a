//! `sendplan local-offer ...`: bringing a Local Offer directory in from an Open Referral UK
//! feed. All or nothing: a feed with any record that cannot be taken imports nothing,
//! unless `--skip-invalid` says to take the rest, when every record left out is listed.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use sendplan_domain::PartnershipId;
use sendplan_interchange::oruk::{
    conformance, read_csv_tables, read_json_pages, FeedRead, MAX_FEED_BYTES,
};
use sendplan_storage::Actor;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum LocalOfferCommand {
    /// Import a directory from an Open Referral UK feed: a JSON file (ORUK 3.0 or 1.0: a
    /// page of services, a list, NDJSON), a folder of such pages, a folder of ORUK's CSV
    /// tables, or a feed's address (its /services pages are read one after another).
    /// Records are matched by their ids, so a feed can be imported again.
    Import {
        /// The file, folder or address (https://directory.example.org/api/).
        path: String,
        /// The partnership whose Local Offer it is (see `sendplan partnerships`).
        #[arg(long)]
        partnership: i64,
        /// Take the valid records when some cannot be taken (each is listed with why).
        #[arg(long)]
        skip_invalid: bool,
        /// Check the feed and say what an import would do, without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Check a feed against Open Referral UK: a file or folder has every record checked
    /// against the schema of its edition and sendplan's rules; an API's address is walked
    /// as the official validator walks one (`/`, the first, a middle and the last page of
    /// each list, then every record on them by its id), each answer checked against the
    /// ORUK 3.0 schemas. Exits with 1 if anything is wrong.
    CheckFeed {
        /// The file, folder or API address (https://directory.example.org/api/).
        path: String,
    },
    /// Load the postcode table the Local Offer measures distances with: a CSV of the ONS
    /// Postcode Directory (whole, or the files of the partnership's postcode areas) or
    /// any CSV with postcode, latitude and longitude columns. Replaces the table.
    Postcodes {
        /// The CSV file.
        path: PathBuf,
        /// The partnership whose Local Offer uses it.
        #[arg(long)]
        partnership: i64,
    },
    /// Make up a year of Local Offer use (page views, visits, searches), seeded, to
    /// benchmark or try the website performance page on a copy of the database. Refused
    /// for a Local Offer that has counted any real use.
    SyntheticUse {
        /// The partnership whose Local Offer it is.
        #[arg(long)]
        partnership: i64,
        /// How many page views in all.
        #[arg(long, default_value_t = 1_000_000)]
        views: u64,
        /// Over how many days, up to yesterday.
        #[arg(long, default_value_t = 365)]
        days: i64,
        #[arg(long, default_value_t = 17)]
        seed: u64,
    },
}

/// The largest postcode file read: the whole ONS Postcode Directory is about 1.3 GB; a
/// region's files are far smaller.
const MAX_POSTCODE_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

async fn load_postcodes(path: &Path, partnership: i64, url: &str) -> Result<()> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_POSTCODE_FILE_BYTES {
        bail!("{} is larger than the 2 GB sendplan reads", path.display());
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let table = sendplan_interchange::postcodes::read_postcodes(std::io::BufReader::new(file))
        .with_context(|| format!("{} was not loaded", path.display()))?;
    let store = crate::open_store(url).await?;
    let Ok(p) = store.get_partnership(PartnershipId(partnership)).await else {
        bail!("there is no partnership with id {partnership} (see `sendplan partnerships`)");
    };
    let source = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let loaded = store
        .load_postcodes(Actor(None), p.id, &table.postcodes, &source)
        .await?;
    store.close().await;
    println!(
        "{}'s Local Offer: {loaded} postcodes loaded from {source}.",
        p.name
    );
    match table.without_position {
        0 => {}
        1 => println!("1 postcode was left out because the file gives it no position."),
        n => println!("{n} postcodes were left out because the file gives them no position."),
    }
    Ok(())
}

/// Walks the API at `base` (blocking: run it off the async runtime).
fn walk_api(base: &str) -> Result<conformance::Walk> {
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(60))
        .user_agent(concat!("sendplan/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let base = base.split('?').next().unwrap_or(base).trim_end_matches('/');
    let mut fetch = |address: &str| -> conformance::Fetched {
        let url = format!("{base}/{address}");
        let response = client
            .get(&url)
            .header("Accept", "application/json")
            .send()
            .map_err(|e| format!("could not be reached ({e})"))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        std::io::Read::read_to_end(
            &mut std::io::Read::take(response, MAX_FEED_BYTES as u64 + 1),
            &mut body,
        )
        .map_err(|e| format!("could not be read ({e})"))?;
        if body.len() > MAX_FEED_BYTES {
            return Err(format!(
                "answered with more than {} MB",
                MAX_FEED_BYTES / 1024 / 1024
            ));
        }
        Ok((status, body))
    };
    Ok(conformance::walk(&mut fetch))
}

/// `check-feed`: says what is wrong with a feed, and fails if anything is.
async fn check_feed(path: &str) -> Result<()> {
    if path.starts_with("https://") || path.starts_with("http://") {
        let base = path.to_owned();
        let walk = tokio::task::spawn_blocking(move || walk_api(&base)).await??;
        println!(
            "{path}: {} answers checked against Open Referral UK 3.0 ({} services read one by one).",
            walk.asked.len(),
            walk.services
        );
        for missing in &walk.not_offered {
            println!("Note: {missing} is not offered (it is optional).");
        }
        if walk.problems.is_empty() {
            println!("Every answer is as the standard says.");
            return Ok(());
        }
        println!("{} problems:", walk.problems.len());
        for p in &walk.problems {
            println!("- {p}");
        }
        bail!("the feed does not meet Open Referral UK 3.0");
    }
    let feed = read_feed(Path::new(path))
        .with_context(|| format!("{path} is not a feed sendplan can read"))?;
    print_feed(path, &feed, "are as the standard and sendplan's rules ask");
    if feed.rejected.is_empty() {
        return Ok(());
    }
    print_rejected(&feed);
    bail!(
        "{} records do not meet the standard or sendplan's rules",
        feed.rejected.len()
    )
}

/// What a feed holds that `verdict` applies to, and what the reader noticed.
fn print_feed(path: &str, feed: &FeedRead, verdict: &str) {
    println!(
        "{path}: {} ({} services, {} organisations, {} taxonomy terms {verdict}).",
        feed.format.label(),
        feed.directory.services.len(),
        feed.directory.organizations.len(),
        feed.directory.terms.len()
    );
    for note in &feed.notes {
        println!("Note: {note}.");
    }
}

fn print_rejected(feed: &FeedRead) {
    println!("{} records cannot be taken:", feed.rejected.len());
    for r in &feed.rejected {
        let name = if r.name.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.name)
        };
        println!("- {} {}{name}:", r.kind, r.key);
        for reason in &r.reasons {
            println!("    {reason}");
        }
    }
}

/// Reads `path` as a feed: a JSON file, a folder of JSON pages, or a folder of CSV tables.
fn read_feed(path: &Path) -> Result<FeedRead> {
    let too_large = |bytes: u64| bytes > MAX_FEED_BYTES as u64;
    if path.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)
            .with_context(|| format!("cannot read the folder {}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        let mut total = 0;
        for f in &files {
            total += std::fs::metadata(f)?.len();
        }
        if too_large(total) {
            bail!(
                "the folder holds {} MB; the most sendplan reads is {} MB",
                total / 1024 / 1024,
                MAX_FEED_BYTES / 1024 / 1024
            );
        }
        let named = |ext: &str| -> Vec<&PathBuf> {
            files
                .iter()
                .filter(|f| f.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext)))
                .collect()
        };
        if named("csv")
            .iter()
            .any(|f| f.file_name().is_some_and(|n| n == "services.csv"))
        {
            let tables = named("csv")
                .into_iter()
                .map(|f| Ok((f.display().to_string(), std::fs::read(f)?)))
                .collect::<Result<Vec<_>>>()?;
            return Ok(read_csv_tables(&tables)?);
        }
        let pages: Vec<Vec<u8>> = named("json")
            .into_iter()
            .chain(named("ndjson"))
            .map(std::fs::read)
            .collect::<std::io::Result<_>>()?;
        if pages.is_empty() {
            bail!("{} has no services.csv and no .json pages", path.display());
        }
        let pages: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
        return Ok(read_json_pages(&pages)?);
    }
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if too_large(size) {
        bail!(
            "{} is {} MB; the most sendplan reads is {} MB",
            path.display(),
            size / 1024 / 1024,
            MAX_FEED_BYTES / 1024 / 1024
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(read_json_pages(&[&bytes])?)
}

pub async fn run(command: LocalOfferCommand, url: &str) -> Result<()> {
    match command {
        LocalOfferCommand::SyntheticUse {
            partnership,
            views,
            days,
            seed,
        } => {
            if !(1..=3660).contains(&days) || views == 0 {
                bail!("--days must be from 1 to 3660 and --views more than 0");
            }
            let store = crate::open_store(url).await?;
            let Ok(p) = store.get_partnership(PartnershipId(partnership)).await else {
                bail!(
                    "there is no partnership with id {partnership} (see `sendplan partnerships`)"
                );
            };
            let today = time::OffsetDateTime::now_utc().date();
            let made = crate::synthetic_use::make(&store, p.id, views, days, seed, today).await?;
            store.close().await;
            println!(
                "{}'s Local Offer: made up {} page views in {} visits and {} searches over {} days (synthetic).",
                p.name, made.page_views, made.visits, made.searches, made.days
            );
            Ok(())
        }
        LocalOfferCommand::Import {
            path,
            partnership,
            skip_invalid,
            dry_run,
        } => {
            let feed = if path.starts_with("https://") || path.starts_with("http://") {
                sendplan_web::feeds::fetch_feed(&path, sendplan_web::feeds::Reach::Anywhere)
                    .await
                    .map_err(anyhow::Error::msg)
            } else {
                read_feed(Path::new(&path))
            }
            .with_context(|| format!("{path} is not a feed sendplan can read"))?;
            print_feed(&path, &feed, "can be taken");
            if !feed.rejected.is_empty() {
                print_rejected(&feed);
                if !skip_invalid {
                    bail!(
                        "nothing was imported: put the records above right in the feed, or import the rest with --skip-invalid"
                    );
                }
            }
            let store = crate::open_store(url).await?;
            let Ok(p) = store.get_partnership(PartnershipId(partnership)).await else {
                bail!(
                    "there is no partnership with id {partnership} (see `sendplan partnerships`)"
                );
            };
            let source = if path.contains("://") {
                path.clone()
            } else {
                Path::new(&path)
                    .file_name()
                    .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned())
            };
            let outcome = store
                .import_directory(Actor(None), p.id, &feed.directory, &source, !dry_run)
                .await?;
            store.close().await;
            let verb = if dry_run { "would be" } else { "were" };
            println!(
                "{}'s Local Offer: {} services {verb} added, {} changed, {} unchanged.",
                p.name,
                outcome.added.len(),
                outcome.changed.len(),
                outcome.unchanged
            );
            for (name, fields) in &outcome.changed {
                println!("- changed: {name} ({})", fields.join(", "));
            }
            if !outcome.not_in_feed.is_empty() {
                println!(
                    "{} services of the Local Offer are not in this feed and were left as they are: {}.",
                    outcome.not_in_feed.len(),
                    outcome.not_in_feed.join("; ")
                );
            }
            if dry_run {
                println!("Nothing was changed (--dry-run).");
            }
            Ok(())
        }
        LocalOfferCommand::CheckFeed { path } => check_feed(&path).await,
        LocalOfferCommand::Postcodes { path, partnership } => {
            load_postcodes(&path, partnership, url).await
        }
    }
}
