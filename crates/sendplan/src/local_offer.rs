//! `sendplan local-offer ...`: bringing a Local Offer directory in from an Open Referral UK
//! feed. All or nothing: a feed with any record that cannot be taken imports nothing,
//! unless `--skip-invalid` says to take the rest, when every record left out is listed.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use sendplan_domain::PartnershipId;
use sendplan_interchange::oruk::{read_csv_tables, read_json_pages, FeedRead, MAX_FEED_BYTES};
use sendplan_storage::Actor;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum LocalOfferCommand {
    /// Import a directory from an Open Referral UK feed: a JSON file (ORUK 3.0 or 1.0: a
    /// page of services, a list, NDJSON), a folder of such pages, or a folder of ORUK's
    /// CSV tables. Records are matched by their ids, so a feed can be imported again.
    Import {
        /// The file or folder.
        path: PathBuf,
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
        LocalOfferCommand::Import {
            path,
            partnership,
            skip_invalid,
            dry_run,
        } => {
            let feed = read_feed(&path)
                .with_context(|| format!("{} is not a feed sendplan can read", path.display()))?;
            println!(
                "{}: {} ({} services, {} organisations, {} taxonomy terms can be taken).",
                path.display(),
                feed.format.label(),
                feed.directory.services.len(),
                feed.directory.organizations.len(),
                feed.directory.terms.len()
            );
            for note in &feed.notes {
                println!("Note: {note}.");
            }
            if !feed.rejected.is_empty() {
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
            let source = path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
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
    }
}
