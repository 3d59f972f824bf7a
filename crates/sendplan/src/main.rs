//! The `sendplan` command: one binary that serves the web application and administers it.
//!
//! Errors reaching `main` are explained in plain English on standard error with exit
//! code 1 (2 for unusable arguments, which clap reports itself).

mod casework;
mod demo;
mod local_offer;
mod sheets;
mod synthetic_use;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use sendplan_domain::access::Role;
use sendplan_domain::PartnershipId;
use sendplan_storage::{Actor, Store};
use sendplan_web::{hash_password, AppState, WebConfig};
use std::io::{IsTerminal, Read};
use std::net::SocketAddr;

/// sendplan: run a local area's SEND improvement plan in the open.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug)]
struct DatabaseArgs {
    /// Database URL: sqlite://PATH (the default, a file under ./data) or postgres://USER@HOST/DB.
    #[arg(
        long,
        global = true,
        env = "SENDPLAN_DATABASE_URL",
        default_value = "sqlite://data/sendplan.db"
    )]
    database_url: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application.
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "SENDPLAN_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Load the demonstration partnership (the Wolverhampton WSOA) and print a fresh
        /// password for its demo account.
        #[arg(long)]
        demo: bool,
        /// Mark cookies Secure (HTTPS only). Defaults to on unless listening on loopback;
        /// set it to true behind an HTTPS reverse proxy.
        #[arg(long, env = "SENDPLAN_SECURE_COOKIES")]
        secure_cookies: Option<bool>,
        /// How often, in seconds, reminders are queued and sent (with SENDPLAN_SMTP_URL set).
        #[arg(long, env = "SENDPLAN_REMINDER_INTERVAL", default_value_t = 300)]
        reminder_interval: u64,
        /// The address people reach sendplan at, such as https://send.example.gov.uk, for the
        /// links in emails (reminders, invitations, password resets) and the identity
        /// provider's return address. Defaults to http:// and the address listened on.
        #[arg(long, env = "SENDPLAN_BASE_URL")]
        base_url: Option<String>,
        /// Hours a session lasts without being used.
        #[arg(long, env = "SENDPLAN_SESSION_IDLE_HOURS", default_value_t = 8)]
        session_idle_hours: i64,
        /// Days a session lasts at most, however much it is used.
        #[arg(long, env = "SENDPLAN_SESSION_MAX_DAYS", default_value_t = 30)]
        session_max_days: i64,
        /// Requests handled at once; more are answered "busy, try again" (503) at once.
        #[arg(long, env = "SENDPLAN_MAX_IN_FLIGHT", default_value_t = sendplan_web::DEFAULT_MAX_IN_FLIGHT)]
        max_in_flight: usize,
        /// Addresses of reverse proxies in front of sendplan, separated by commas: only
        /// requests from these have their X-Forwarded-For header believed.
        #[arg(long, env = "SENDPLAN_TRUSTED_PROXIES", value_delimiter = ',')]
        trusted_proxies: Vec<std::net::IpAddr>,
    },
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Write a consistent copy of the SQLite database to FILE while it is in use.
    Backup {
        /// Where to write the copy (must not exist).
        file: String,
    },
    /// List partnerships with their ids (for `user add --partnership`), or add one.
    Partnerships {
        #[command(subcommand)]
        command: Option<PartnershipCommand>,
    },
    /// EHC casework: import the SEN2 return, and the DfE's measures worked out from it.
    Casework {
        #[command(subcommand)]
        command: casework::CaseworkCommand,
    },
    /// The Local Offer: bring a directory in from an Open Referral UK feed.
    LocalOffer {
        #[command(subcommand)]
        command: local_offer::LocalOfferCommand,
    },
    /// Import a plan document (the interchange format, docs/interchange.md): everything in
    /// it, or nothing if any part of it is wrong.
    Import {
        /// A plan document (.json), or a spreadsheet of actions (.xlsx or .csv) whose
        /// columns are recognised from their headers.
        file: std::path::PathBuf,
        /// Check the file and say what it would create, without changing anything.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        sheet: SheetOptions,
    },
    /// Export a plan, with everything it refers to, as a plan document.
    Export {
        /// The plan's id (see `sendplan plans`).
        plan: i64,
        /// The file format.
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Where to write it (standard output if not given).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Export a partnership's whole history as one plan document: every inspection with
    /// its findings, revisits and monitoring inspections, every plan, and every DfE and
    /// NHS England intervention and review.
    ExportHistory {
        /// The partnership's local authority code (E10000025).
        la_code: String,
        /// Where to write it (standard output if not given).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Produce a board report from a plan's records as they stood on a day, for scheduled
    /// jobs: the same report the Reports page produces.
    Report {
        /// The plan's id (see `sendplan plans`).
        plan: i64,
        /// Which report.
        #[arg(long, value_enum)]
        kind: ReportKindArg,
        /// The file format.
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        /// The day the report describes, YYYY-MM-DD (today if not given).
        #[arg(long)]
        as_at: Option<String>,
        /// The date to compare with, YYYY-MM-DD (the previous report; the changes report needs it).
        #[arg(long)]
        since: Option<String>,
        /// Where to write it (standard output if not given).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// List every plan with its id, partnership and title.
    Plans {
        /// As JSON, for scripts.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ExportFormat {
    /// The plan interchange format (docs/interchange.md).
    Json,
    /// An Excel workbook, one action per row, that re-imports as it is.
    Xlsx,
    /// CSV, one action per row, in the same columns.
    Csv,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ReportKindArg {
    /// Actions off track, with some concerns or overdue; measures off their trajectory.
    Exception,
    /// Every area and action, with milestones and measures.
    Progress,
    /// What moved between --since and --as-at.
    Changes,
    /// For the DfE and NHS England 6, 12 and 18 month reviews: per area, milestones at 3, 6
    /// and 12 months and evidence of impact.
    Review,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ReportFormat {
    /// A self-contained paper to read, print or publish.
    Html,
    /// The paper as PDF, printed by Chromium (SENDPLAN_CHROMIUM, or chromium on the PATH).
    Pdf,
    /// A Word document.
    Docx,
    /// One row per action, as an Excel workbook.
    Xlsx,
    /// One row per action, as CSV.
    Csv,
}

/// Reads a YYYY-MM-DD date given on the command line.
fn cli_date(text: &str, option: &str) -> Result<time::Date> {
    time::Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| anyhow::anyhow!("{option} {text} is not a date written as YYYY-MM-DD"))
}

/// What a spreadsheet import needs to know that a spreadsheet does not say.
#[derive(Args, Debug)]
struct SheetOptions {
    /// The partnership the plan belongs to (see `sendplan partnerships`).
    #[arg(long)]
    partnership: Option<i64>,
    /// The plan's title.
    #[arg(long)]
    title: Option<String>,
    /// wsoa, app, priority_action_plan or strategic.
    #[arg(long, default_value = "wsoa")]
    kind: String,
    /// draft, submitted, approved, active or closed.
    #[arg(long, default_value = "active")]
    status: String,
    /// The rating scheme: wolverhampton, warwickshire, rag or five_step (suggested from
    /// the rating values when not given).
    #[arg(long)]
    ratings: Option<String>,
    /// The choices for the spreadsheet's sheets, columns and rating values: a mapping file
    /// as the check page's "Download these choices" gives (suggested when not given).
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
    /// Where to write the mapping used, to change it and import again with --mapping.
    #[arg(long)]
    save_mapping: Option<std::path::PathBuf>,
    /// The date (2022-03-31) of ratings in a column whose heading has no date.
    #[arg(long)]
    as_at: Option<String>,
}

/// The largest plan document `import` reads.
const MAX_IMPORT_BYTES: u64 = sendplan_interchange::document::limits::MAX_DOCUMENT_BYTES as u64;

#[derive(Subcommand, Debug)]
enum PartnershipCommand {
    /// Add a partnership (a local area), then invite its first administrator in the pages
    /// or give one a role with `user add --role admin --partnership ID`.
    Add {
        /// The local area's name, such as Wolverhampton.
        name: String,
        /// The local authority's 9-character ONS code, such as E08000031.
        #[arg(long)]
        la_code: String,
    },
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// List every account: id, email, name, whether it can sign in, deployment
    /// administrator, and its partnerships.
    List,
    /// Stop an account signing in, everywhere, and end its sessions at once.
    Disable { email: String },
    /// Let a disabled account sign in again.
    Enable { email: String },
    /// Print a single-use link, valid for an hour, that sets a new password for the
    /// account (give it to its owner). Earlier links stop working.
    ResetPassword {
        email: String,
        /// The address people reach sendplan at, for the link.
        #[arg(long, env = "SENDPLAN_BASE_URL")]
        base_url: Option<String>,
    },
    /// Create an account. The password is read from standard input when that is not a
    /// terminal, otherwise asked for.
    Add {
        email: String,
        /// The person's name as shown to others.
        #[arg(long)]
        name: Option<String>,
        /// Their role in --partnership: admin, plan_manager, action_lead, viewer,
        /// local_offer_officer, or provider (with --organisation).
        #[arg(long, requires = "partnership")]
        role: Option<String>,
        /// The partnership's id (see `sendplan partnerships`).
        #[arg(long)]
        partnership: Option<i64>,
        /// For a provider: the id of the Local Offer organisation whose services they keep.
        #[arg(long, requires = "role")]
        organisation: Option<String>,
        /// Also give them casework in --partnership: case-level data about children, which
        /// no role brings (for the SEND team members who need it).
        #[arg(long, requires = "role")]
        casework: bool,
        /// A deployment administrator: can create partnerships and act in all of them.
        #[arg(long)]
        admin: bool,
    },
}

fn main() {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("sendplan: could not start: {error}");
            std::process::exit(1);
        }
    };
    if let Err(error) = runtime.block_on(run(cli)) {
        eprintln!("sendplan: {error:#}");
        std::process::exit(1);
    }
}

fn init_tracing() {
    let level = std::env::var("SENDPLAN_LOG")
        .ok()
        .and_then(|l| l.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
}

async fn open_store(url: &str) -> Result<Store> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create the folder {}", parent.display()))?;
        }
    }
    Store::open(url)
        .await
        .context("could not open the database")
}

async fn run(cli: Cli) -> Result<()> {
    let url = cli.database.database_url;
    match cli.command {
        Command::Serve {
            bind,
            demo,
            secure_cookies,
            reminder_interval,
            base_url,
            session_idle_hours,
            session_max_days,
            max_in_flight,
            trusted_proxies,
        } => {
            // A mail server that is set but wrong is an error now, not a silent
            // absence of reminders later.
            let mailer = sendplan_web::mail::MailSettings::from_env()
                .and_then(|s| s.map(|s| sendplan_web::mail::Mailer::new(&s)).transpose())
                .map_err(anyhow::Error::msg)?;
            if reminder_interval == 0 {
                bail!("--reminder-interval must be at least 1 second");
            }
            if session_idle_hours < 1
                || session_max_days < 1
                || session_idle_hours > session_max_days * 24
            {
                bail!("sessions must last at least an hour idle and a day at most, and the idle time cannot be longer than the most");
            }
            let store = open_store(&url).await?;
            if demo {
                let (email, password) = demo::load(&store)
                    .await
                    .context("could not load the demonstration data")?;
                println!("Demo account: {email}");
                println!("Demo password (new at every start): {password}");
            }
            let listener = tokio::net::TcpListener::bind(bind)
                .await
                .with_context(|| format!("could not listen on {bind}"))?;
            let address = listener.local_addr()?;
            // The identity provider sends people back to an address registered with it, so
            // it must be the one people use, not a guess from the address listened on.
            let oidc_wanted =
                std::env::var("SENDPLAN_OIDC_ISSUER").is_ok_and(|v| !v.trim().is_empty());
            if oidc_wanted && base_url.is_none() {
                bail!("single sign-on needs SENDPLAN_BASE_URL (or --base-url): the address people reach sendplan at, which the identity provider sends them back to");
            }
            let base_url = base_url.unwrap_or_else(|| format!("http://{address}"));
            let sso = sendplan_web::sso::SsoSettings::from_env(Some(&base_url))
                .map_err(anyhow::Error::msg)?
                .map(sendplan_web::sso::SsoClient::new);
            let config = WebConfig {
                secure_cookies: secure_cookies.unwrap_or(!bind.ip().is_loopback()),
                mailer: mailer.clone(),
                sessions: sendplan_domain::accounts::SessionTimes {
                    idle: time::Duration::hours(session_idle_hours),
                    absolute: time::Duration::days(session_max_days),
                },
                trusted_proxies,
                base_url: Some(base_url.clone()),
                sso,
                max_in_flight,
                ..WebConfig::default()
            };
            let state = AppState::new(store.clone(), config);
            sendplan_web::local_offer_analytics::spawn_writer(&state);
            sendplan_web::scheduler::spawn_housekeeping(
                store.clone(),
                time::Duration::days(session_max_days),
                state.measures_stale.clone(),
            );
            match mailer {
                Some(mailer) => {
                    sendplan_web::scheduler::spawn(
                        store.clone(),
                        mailer,
                        Some(base_url),
                        std::time::Duration::from_secs(reminder_interval),
                        state.mail_waiting.clone(),
                    );
                }
                None => println!(
                    "No mail server is set (SENDPLAN_SMTP_URL), so no reminders, invitations or password reset links will be emailed."
                ),
            }
            println!("sendplan is listening on http://{address}");
            serve(store, listener, state).await
        }
        Command::Migrate => {
            let store = open_store(&url).await?;
            println!("The database schema is up to date.");
            store.close().await;
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    role,
                    partnership,
                    organisation,
                    casework,
                    admin,
                },
        } => {
            let store = open_store(&url).await?;
            let role = role
                .map(|r| {
                    Role::from_code(&r).with_context(|| {
                        format!(
                            "unknown role {r:?}: use admin, plan_manager, action_lead, viewer, local_offer_officer or provider"
                        )
                    })
                })
                .transpose()?;
            if role.is_none() && !admin {
                bail!("say what the account may do: --role ROLE --partnership ID, or --admin");
            }
            if let Some(id) = partnership {
                if store.get_partnership(PartnershipId(id)).await.is_err() {
                    bail!("there is no partnership with id {id} (see `sendplan partnerships`)");
                }
            }
            // A provider's organisation is checked before the account is made, so a
            // mistake leaves nothing behind.
            match (role, &organisation, partnership) {
                (Some(Role::Provider), None, _) => bail!(
                    "a provider keeps one Local Offer organisation's services: give its id with --organisation"
                ),
                (Some(Role::Provider), Some(key), Some(id)) => {
                    let known = store.local_offer_organisations(PartnershipId(id)).await?;
                    if !known.iter().any(|(k, _)| k == key) {
                        bail!("the Local Offer of partnership {id} has no organisation with id {key}");
                    }
                }
                (_, Some(_), _) => bail!("--organisation is only for a provider (--role provider)"),
                _ => {}
            }
            if casework && role == Some(Role::Provider) {
                bail!("a provider cannot be given casework: it is for the partnership's SEND team");
            }
            let name = name.unwrap_or_else(|| email.split('@').next().unwrap_or(&email).to_owned());
            let password = read_password()?;
            if let Some(problem) =
                sendplan_domain::passwords::new_password_problem(&password, &[&email, &name])
            {
                bail!("{problem}");
            }
            let hash = hash_password(&password).map_err(anyhow::Error::msg)?;
            let user = store.create_user(&email, &name, &hash, admin).await?;
            match (role, partnership, &organisation) {
                (Some(Role::Provider), Some(partnership), Some(key)) => {
                    store
                        .grant_provider(Actor(None), user, PartnershipId(partnership), key)
                        .await?
                }
                (Some(role), Some(partnership), _) => {
                    store
                        .grant_role(Actor(None), user, PartnershipId(partnership), role, None)
                        .await?
                }
                _ => {}
            }
            if let (true, Some(partnership)) = (casework, partnership) {
                store
                    .set_casework_access(Actor(None), PartnershipId(partnership), user, true)
                    .await?;
            }
            println!("Account {email} created.");
            store.close().await;
            Ok(())
        }
        Command::Backup { file } => {
            let store = open_store(&url).await?;
            store.backup_to(&file).await?;
            println!("Backup written to {file}.");
            store.close().await;
            Ok(())
        }
        Command::Import {
            file,
            dry_run,
            sheet,
        } => {
            let size = std::fs::metadata(&file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .len();
            if size > MAX_IMPORT_BYTES {
                bail!(
                    "{} is {} MB; plan documents can be at most {} MB",
                    file.display(),
                    size / 1_048_576,
                    MAX_IMPORT_BYTES / 1_048_576
                );
            }
            let name = file.display().to_string();
            let json = if name.to_lowercase().ends_with(".json") {
                std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {name} as UTF-8 text"))?
            } else {
                let bytes = std::fs::read(&file).with_context(|| format!("cannot read {name}"))?;
                let store = open_store(&url).await?;
                let document = sheets::to_document(&store, &bytes, &name, &sheet).await?;
                store.close().await;
                serde_json::to_string(&document)?
            };
            let (document, import) = sendplan_interchange::read(&json).map_err(|e| {
                anyhow::anyhow!("{name} was not imported; nothing was changed.\n{e}")
            })?;
            let actions: usize = document.plans.iter().map(|p| p.actions.len()).sum();
            if dry_run {
                println!("{} is valid: {} plan(s), {actions} actions, {} people. Nothing was changed (--dry-run).", file.display(), document.plans.len(), document.people.len());
                return Ok(());
            }
            let store = open_store(&url).await?;
            let today = time::OffsetDateTime::now_utc().date();
            let summary = store
                .import_plan(Actor(None), &import, today)
                .await
                .context("the import failed; nothing was changed")?;
            println!(
                "Imported into partnership {}: {} plan(s) ({}), {} areas, {} objectives, {} actions, {} milestones, {} updates, {} findings, {} interventions and reviews, {} new people.",
                summary.partnership.map(|p| p.to_string()).unwrap_or_default(),
                summary.plans.len(),
                summary.plans.iter().map(|p| format!("id {p}")).collect::<Vec<_>>().join(", "),
                summary.areas,
                summary.objectives,
                summary.actions,
                summary.milestones,
                summary.updates,
                summary.findings,
                summary.interventions,
                summary.people
            );
            if summary.people_to_review > 0 || summary.dates_to_review > 0 {
                println!(
                    "To review: {} people the document named that could not be matched, and {} actions whose dates sendplan could only partly read (their text is kept).",
                    summary.people_to_review, summary.dates_to_review
                );
            }
            store.close().await;
            Ok(())
        }
        Command::Export {
            plan,
            format,
            output,
        } => {
            let store = open_store(&url).await?;
            let Ok(found) = store.find_plan(sendplan_domain::PlanId(plan)).await else {
                bail!("there is no plan with id {plan} (see `sendplan plans`)");
            };
            let document =
                sendplan_interchange::export_plan(&store, found.partnership_id, found.id).await?;
            let rows = || sendplan_interchange::sheet_export::rows(&document);
            let bytes = match format {
                ExportFormat::Json => {
                    (serde_json::to_string_pretty(&document)? + "\n").into_bytes()
                }
                ExportFormat::Xlsx => sendplan_interchange::sheet_export::plan_to_xlsx(
                    &sendplan_interchange::sheet_export::plan_sheets(&document),
                )?,
                ExportFormat::Csv => sendplan_interchange::sheet_export::to_csv(&rows()),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("Plan {plan} written to {}.", path.display());
                }
                None if matches!(format, ExportFormat::Xlsx) => {
                    bail!("an Excel workbook cannot be written to the terminal: give --output FILE.xlsx")
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            store.close().await;
            Ok(())
        }
        Command::LocalOffer { command } => local_offer::run(command, &url).await,
        Command::Casework { command } => casework::run(command, &url).await,
        Command::ExportHistory { la_code, output } => {
            let store = open_store(&url).await?;
            let Some(partnership) = store
                .list_partnerships()
                .await?
                .into_iter()
                .find(|p| p.la_code.eq_ignore_ascii_case(la_code.trim()))
            else {
                bail!("there is no partnership with local authority code {la_code} (see `sendplan partnerships`)");
            };
            let document = sendplan_interchange::export_partnership(&store, partnership.id).await?;
            let bytes = (serde_json::to_string_pretty(&document)? + "\n").into_bytes();
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "{}'s history written to {}.",
                        partnership.name,
                        path.display()
                    );
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            store.close().await;
            Ok(())
        }
        Command::Report {
            plan,
            kind,
            format,
            as_at,
            since,
            output,
        } => {
            use sendplan_domain::reports::{build, ReportKind};
            let kind = match kind {
                ReportKindArg::Exception => ReportKind::Exception,
                ReportKindArg::Progress => ReportKind::Progress,
                ReportKindArg::Changes => ReportKind::Changes,
                ReportKindArg::Review => ReportKind::Review,
            };
            let as_at = match as_at {
                Some(text) => cli_date(&text, "--as-at")?,
                None => time::OffsetDateTime::now_utc().date(),
            };
            let since = since.map(|text| cli_date(&text, "--since")).transpose()?;
            if kind == ReportKind::Changes && since.is_none() {
                bail!("the changes report needs --since DATE: it lists what moved since then");
            }
            if since.is_some_and(|s| s >= as_at) {
                bail!("--since must be before the as-at date ({as_at})");
            }
            let store = open_store(&url).await?;
            let Ok(found) = store.find_plan(sendplan_domain::PlanId(plan)).await else {
                bail!("there is no plan with id {plan} (see `sendplan plans`)");
            };
            let partnership = store.get_partnership(found.partnership_id).await?;
            let data = store.report_data(found.partnership_id, found.id).await?;
            let report = build(kind, &data.facts(), as_at, since);
            let local_offer =
                sendplan_web::reports::local_offer_use(&store, found.partnership_id, as_at).await?;
            let paper = sendplan_web::reports::BoardPaper {
                report: &report,
                partnership: &partnership.name,
                stale_after_days: data.plan.stale_after_days,
                measures: &data.measures,
                issue: None,
                local_offer: local_offer.as_ref(),
            };
            let bytes = match format {
                ReportFormat::Html => paper.html()?.into_bytes(),
                ReportFormat::Pdf => {
                    sendplan_web::pdf::PdfPrinter::find()?
                        .print(&paper.html()?)
                        .await?
                }
                ReportFormat::Docx => paper.docx().map_err(anyhow::Error::msg)?,
                ReportFormat::Xlsx => {
                    sendplan_web::reports::report_xlsx(&report).map_err(anyhow::Error::msg)?
                }
                ReportFormat::Csv => sendplan_web::reports::report_csv(&report),
            };
            match output {
                Some(path) => {
                    std::fs::write(&path, bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!(
                        "{} as at {as_at} ({} actions) written to {}.",
                        report.title(),
                        report.action_count(),
                        path.display()
                    );
                }
                None if matches!(
                    format,
                    ReportFormat::Xlsx | ReportFormat::Docx | ReportFormat::Pdf
                ) =>
                {
                    bail!("a workbook, PDF or Word document cannot be written to the terminal: give --output FILE")
                }
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
            store.close().await;
            Ok(())
        }
        Command::Plans { json } => {
            let store = open_store(&url).await?;
            let partnerships = store.list_partnerships().await?;
            let rows: Vec<serde_json::Value> = store
                .list_all_plans()
                .await?
                .into_iter()
                .map(|plan| {
                    let partnership = partnerships.iter().find(|p| p.id == plan.partnership_id);
                    serde_json::json!({
                        "id": plan.id.0,
                        "partnership_id": plan.partnership_id.0,
                        "partnership": partnership.map(|p| p.name.clone()),
                        "la_code": partnership.map(|p| p.la_code.clone()),
                        "title": plan.title,
                        "kind": plan.kind.code(),
                        "status": plan.status.code(),
                    })
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for row in &rows {
                    println!(
                        "{}\t{}\t{}",
                        row["id"],
                        row["partnership"].as_str().unwrap_or(""),
                        row["title"].as_str().unwrap_or("")
                    );
                }
            }
            store.close().await;
            Ok(())
        }
        Command::Partnerships { command: None } => {
            let store = open_store(&url).await?;
            for p in store.list_partnerships().await? {
                println!("{}\t{}\t{}", p.id, p.la_code, p.name);
            }
            store.close().await;
            Ok(())
        }
        Command::Partnerships {
            command: Some(PartnershipCommand::Add { name, la_code }),
        } => {
            let form = sendplan_domain::input::RawForm(vec![
                ("name".to_owned(), name),
                ("la_code".to_owned(), la_code),
            ]);
            let input =
                sendplan_domain::input::PartnershipInput::parse(&form).map_err(|errors| {
                    anyhow::anyhow!(
                        "the partnership was not added: {}",
                        errors
                            .0
                            .iter()
                            .map(|e| e.message.clone())
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                })?;
            let store = open_store(&url).await?;
            let id = store.create_partnership(Actor(None), &input).await?;
            println!("Partnership {} added with id {id}.", input.name);
            store.close().await;
            Ok(())
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let store = open_store(&url).await?;
            for account in store.list_accounts().await? {
                let user = &account.user;
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    user.id.0,
                    user.email,
                    user.display_name,
                    if user.disabled { "disabled" } else { "active" },
                    if user.deployment_admin {
                        "deployment-admin"
                    } else {
                        "-"
                    },
                    account
                        .memberships
                        .iter()
                        .map(|(p, role)| format!("{p}: {}", role.code()))
                        .collect::<Vec<_>>()
                        .join("; ")
                );
            }
            store.close().await;
            Ok(())
        }
        Command::User {
            command: UserCommand::Disable { email },
        } => set_disabled(&url, &email, true).await,
        Command::User {
            command: UserCommand::Enable { email },
        } => set_disabled(&url, &email, false).await,
        Command::User {
            command: UserCommand::ResetPassword { email, base_url },
        } => {
            let store = open_store(&url).await?;
            let user = account_by_email(&store, &email).await?;
            if user.disabled {
                bail!("{email}'s account is disabled: enable it first with `sendplan user enable {email}`");
            }
            let token = sendplan_web::random_token();
            let now = time::OffsetDateTime::now_utc();
            store
                .create_password_reset(
                    user.id,
                    &sendplan_web::token_hash(&token),
                    now,
                    now + sendplan_domain::accounts::RESET_VALID_FOR,
                    None,
                )
                .await?;
            let base = base_url.unwrap_or_default();
            println!("{}/reset-password/{token}", base.trim_end_matches('/'));
            eprintln!("Give this link to {email} only. It works once, within an hour; earlier links no longer work.");
            store.close().await;
            Ok(())
        }
    }
}

async fn account_by_email(store: &Store, email: &str) -> Result<sendplan_storage::UserRecord> {
    store
        .find_user_by_email(email)
        .await?
        .with_context(|| format!("there is no account for {email} (see `sendplan user list`)"))
}

async fn set_disabled(url: &str, email: &str, disabled: bool) -> Result<()> {
    let store = open_store(url).await?;
    let user = account_by_email(&store, email).await?;
    let changed = store
        .set_account_disabled(Actor(None), user.id, disabled)
        .await?;
    println!(
        "{email}'s account {} {}.",
        if changed { "is now" } else { "was already" },
        if disabled {
            "disabled (and signed out everywhere)"
        } else {
            "enabled"
        }
    );
    store.close().await;
    Ok(())
}

/// Passwords come from standard input (scripts) or an interactive prompt; never from
/// arguments, which other users of the machine can read.
fn read_password() -> Result<String> {
    let mut password = String::new();
    if std::io::stdin().is_terminal() {
        eprint!("Password for the new account (input is shown): ");
        std::io::stdin().read_line(&mut password)?;
    } else {
        std::io::stdin().read_to_string(&mut password)?;
    }
    let password = password.trim_end_matches(['\n', '\r']).to_owned();
    Ok(password)
}

async fn serve(store: Store, listener: tokio::net::TcpListener, state: AppState) -> Result<()> {
    let app = sendplan_web::router(state);
    sendplan_web::serve(listener, app, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    store.close().await;
    Ok(())
}
