//! The demonstration partnerships for `sendplan serve --demo`: the four seed plans,
//! transcribed in `fixtures/plans/` and loaded through the same importer as any other
//! plan document.
//!
//! The published Wolverhampton plan records no progress, so the demo adds a spread of
//! progress updates to it, each saying plainly that it is illustrative. Warwickshire's
//! plan publishes its monitoring arrangements, which the demo loads as its boards and
//! reporting cycle.

use anyhow::{Context, Result};
use sendplan_domain::access::Role;
use sendplan_domain::input::UpdateInput;
use sendplan_domain::local_offer::geo::{normalise_postcode, Point};
use sendplan_domain::*;
use sendplan_storage::{Actor, Store};
use std::collections::HashMap;

/// The plan documents built into the binary, by name.
pub const FIXTURES: &[(&str, &str)] = &[
    (
        "wolverhampton",
        include_str!("../../../fixtures/plans/wolverhampton.json"),
    ),
    (
        "warwickshire",
        include_str!("../../../fixtures/plans/warwickshire.json"),
    ),
    (
        "worcestershire",
        include_str!("../../../fixtures/plans/worcestershire.json"),
    ),
    (
        "walsall",
        include_str!("../../../fixtures/plans/walsall.json"),
    ),
    // A whole history rather than one plan: its inspections, plans, DfE intervention and
    // reviews, for the timeline (issue 13).
    (
        "oxfordshire",
        include_str!("../../../fixtures/history/oxfordshire.json"),
    ),
];
/// The impact measures each seed plan states with numbers, by plan name.
pub const MEASURE_FIXTURES: &[(&str, &str)] = &[
    (
        "wolverhampton",
        include_str!("../../../fixtures/measures/wolverhampton.json"),
    ),
    (
        "warwickshire",
        include_str!("../../../fixtures/measures/warwickshire.json"),
    ),
    (
        "worcestershire",
        include_str!("../../../fixtures/measures/worcestershire.json"),
    ),
];

/// The surveys the seed plans report, by plan name.
pub const SURVEY_FIXTURES: &[(&str, &str)] = &[(
    "wolverhampton",
    include_str!("../../../fixtures/surveys/wolverhampton-v4p-2021.json"),
)];

/// A seed plan's document with its measures and surveys attached, ready to import.
pub fn seed_document(
    name: &str,
    json: &str,
) -> Result<(
    sendplan_interchange::Document,
    sendplan_domain::import::PlanImport,
)> {
    let mut document: sendplan_interchange::Document =
        serde_json::from_str(json).with_context(|| format!("the {name} demo data is not valid"))?;
    if let Some((_, measures)) = MEASURE_FIXTURES.iter().find(|(n, _)| *n == name) {
        sendplan_interchange::seeds::attach(&mut document, measures)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("the {name} measures do not fit the plan"))?;
    }
    for (_, survey) in SURVEY_FIXTURES.iter().filter(|(n, _)| *n == name) {
        sendplan_interchange::seeds::attach_survey(&mut document, survey)
            .map_err(anyhow::Error::msg)
            .with_context(|| format!("the {name} survey does not fit the plan"))?;
    }
    let import = sendplan_interchange::to_import(&document)
        .map_err(sendplan_interchange::ReadError::Problems)
        .with_context(|| format!("the {name} demo data is not valid"))?;
    Ok((document, import))
}

/// `.invalid` can never be a real address (RFC 2606).
pub const DEMO_EMAIL: &str = "demo@sendplan.invalid";

/// Loads the demonstration partnerships that are not there yet and gives the demo account
/// a new password. Returns the account's email and password.
pub async fn load(store: &Store) -> Result<(String, String)> {
    let password = generate_password();
    let hash = sendplan_web::hash_password(&password).map_err(anyhow::Error::msg)?;
    // The demo account administers the deployment as well as its partnerships, so that
    // adding a partnership and managing accounts can be tried too.
    let user = match store.find_user_by_email(DEMO_EMAIL).await? {
        Some(user) => {
            store
                .set_password(Actor(None), user.id, &hash, None)
                .await?;
            store
                .set_account_disabled(Actor(None), user.id, false)
                .await?;
            store
                .set_deployment_admin(Actor(None), user.id, true)
                .await?;
            user.id
        }
        None => {
            store
                .create_user(DEMO_EMAIL, "Demo administrator", &hash, true)
                .await?
        }
    };
    let today = time::OffsetDateTime::now_utc().date();
    let partnerships = store.list_partnerships().await?;
    // The published statistics are read only if a partnership is being created.
    let mut timeliness = None;
    for (name, json) in FIXTURES {
        let (document, import) = seed_document(name, json)?;
        let existing = partnerships
            .iter()
            .find(|p| p.la_code == document.partnership.la_code);
        let partnership = match existing {
            Some(p) => p.id,
            None => {
                let summary = store.import_plan(Actor(None), &import, today).await?;
                let partnership = summary
                    .partnership
                    .context("the import made no partnership")?;
                if *name == "wolverhampton" {
                    for plan in &summary.plans {
                        add_illustrative_updates(store, partnership, *plan, user).await?;
                    }
                    add_demo_local_offer(store, partnership).await?;
                    // The plan's Local Offer area measures itself by the directory.
                    if let Some(plan) = summary.plans.first() {
                        for what in sendplan_domain::local_offer::measures::LocalOfferMeasure::ALL {
                            store
                                .add_local_offer_measure(
                                    Actor(None),
                                    partnership,
                                    *plan,
                                    *what,
                                    today,
                                )
                                .await?;
                        }
                    }
                }
                if *name == "warwickshire" {
                    for plan in &summary.plans {
                        add_monitoring_arrangements(store, partnership, *plan).await?;
                    }
                }
                if timeliness.is_none() {
                    timeliness = Some(
                        sendplan_interchange::dfe::read_statistics(DFE_TIMELINESS, TIMELINESS)
                            .map_err(anyhow::Error::msg)?,
                    );
                }
                let figures = timeliness.as_deref().unwrap_or_default();
                if *name == "walsall" || *name == "wolverhampton" {
                    add_synthetic_casework(store, partnership, &document.partnership.la_code)
                        .await?;
                    let mut open = None;
                    for plan in &summary.plans {
                        if store.get_plan(partnership, *plan).await?.status
                            != sendplan_domain::plan::PlanStatus::Closed
                        {
                            open = Some(*plan);
                            break;
                        }
                    }
                    if let Some(plan) = open {
                        add_casework_measures(
                            store,
                            partnership,
                            plan,
                            &document.partnership.la_code,
                            figures,
                        )
                        .await?;
                    }
                }
                // Plans of the past (a closed WSOA) are not measured any more.
                for plan in &summary.plans {
                    if store.get_plan(partnership, *plan).await?.status
                        == sendplan_domain::plan::PlanStatus::Closed
                    {
                        continue;
                    }
                    add_published_timeliness(
                        store,
                        partnership,
                        *plan,
                        &document.partnership.la_code,
                        figures,
                    )
                    .await?;
                }
                partnership
            }
        };
        let me = busiest_lead(store, partnership, today).await?;
        store
            .grant_role(Actor(None), user, partnership, Role::Admin, me)
            .await?;
        // The demonstration's account sees the synthetic casework; a real administrator
        // must be given it, like anyone else.
        if !store.casework_imports(partnership).await?.is_empty() {
            store
                .set_casework_access(Actor(None), partnership, user, true)
                .await?;
        }
    }
    Ok((DEMO_EMAIL.to_owned(), password))
}

/// Wolverhampton's demonstration Local Offer: invented services under the WSOA's own
/// sections, each plainly marked as demonstration data (fixtures/local_offer/SOURCES.md).
const DEMO_LOCAL_OFFER: &str =
    include_str!("../../../fixtures/local_offer/wolverhampton-demo.json");

/// A provider's change waiting for the Local Offer officer, so the approval can be tried:
/// the Saturday Sunshine Club opening on Sundays too. Its provider account has no
/// password (it cannot sign in); it is there to be named as the change's author.
async fn add_demo_provider_change(
    store: &Store,
    partnership: PartnershipId,
    directory: &sendplan_domain::local_offer::Directory,
) -> Result<()> {
    use sendplan_domain::local_offer::{Day, Schedule};
    let Some(club) = directory
        .services
        .iter()
        .find(|s| s.name == "Saturday Sunshine Club")
    else {
        anyhow::bail!("the demonstration Local Offer has no Saturday Sunshine Club");
    };
    let provider = match store
        .find_user_by_email("provider@sendplan.invalid")
        .await?
    {
        Some(user) => user.id,
        None => {
            store
                .create_user(
                    "provider@sendplan.invalid",
                    "Sam Provider (demonstration)",
                    "",
                    false,
                )
                .await?
        }
    };
    store
        .grant_provider(Actor(None), provider, partnership, &club.organization_key)
        .await?;
    let mut changed = club.clone();
    changed.schedules.push(Schedule {
        days: vec![Day::Sunday],
        opens_at: "11:00".to_owned(),
        closes_at: "14:00".to_owned(),
        description: String::new(),
    });
    let current = store.local_offer_service(partnership, &club.key).await?;
    store
        .propose_service_change(
            Actor(Some(provider)),
            partnership,
            Some(&club.organization_key),
            &changed,
            current.version,
        )
        .await?;
    Ok(())
}

async fn add_demo_local_offer(store: &Store, partnership: PartnershipId) -> Result<()> {
    let feed = sendplan_interchange::oruk::read_json(DEMO_LOCAL_OFFER.as_bytes())
        .map_err(|e| anyhow::anyhow!("the demonstration Local Offer: {e}"))?;
    anyhow::ensure!(
        feed.rejected.is_empty(),
        "the demonstration Local Offer has records that cannot be taken: {:?}",
        feed.rejected
    );
    store
        .import_directory(
            Actor(None),
            partnership,
            &feed.directory,
            "the demonstration Local Offer",
            true,
        )
        .await?;
    add_demo_provider_change(store, partnership, &feed.directory).await?;
    // A demonstration postcode table, so "near a postcode" can be tried: the postcodes
    // of the demonstration services' own addresses at their own positions. A real
    // partnership loads the ONS Postcode Directory (`sendplan local-offer postcodes`).
    let mut postcodes: Vec<(String, Point)> = feed
        .directory
        .services
        .iter()
        .flat_map(|s| &s.locations)
        .filter_map(|l| {
            Some((
                normalise_postcode(&l.postcode).filter(|p| p.contains(' '))?,
                Point {
                    latitude: l.latitude?,
                    longitude: l.longitude?,
                },
            ))
        })
        .collect();
    postcodes.sort_by(|a, b| a.0.cmp(&b.0));
    postcodes.dedup_by(|a, b| a.0 == b.0);
    store
        .load_postcodes(
            Actor(None),
            partnership,
            &postcodes,
            "the demonstration Local Offer's addresses",
        )
        .await?;
    Ok(())
}

/// The calendar years of the demo's synthetic SEN2 returns (each made the January after):
/// two, so the casework pages can set a year against the one before.
const CASEWORK_YEARS: [i32; 2] = [2023, 2024];

/// Synthetic SEN2 returns for the authority with ONS code `la_code`, built to its
/// published timeliness and requests (so `sendplan casework measures --year 2024` gives
/// back the DfE's figures), with open assessments, refusals, reviews and phase transfers
/// around them, and marked as synthetic: the file name and the records' keys say so.
async fn add_synthetic_casework(
    store: &Store,
    partnership: PartnershipId,
    la_code: &str,
) -> Result<()> {
    use sendplan_interchange::dfe_published::{caseload, demand, timeliness};
    use sendplan_interchange::sen2_synthetic::{cases, surrounding_cases};
    for year in CASEWORK_YEARS {
        let Some(row) = timeliness(la_code, year) else {
            continue;
        };
        let mut people = cases(&row.counts, 18).map_err(anyhow::Error::msg)?;
        let requests = demand(la_code, year).authority.0.map(|n| n as u64);
        people.extend(surrounding_cases(
            &row.counts,
            &people,
            requests,
            caseload(la_code, year + 1),
            18,
        ));
        store
            .import_casework(
                Actor(None),
                partnership,
                &sendplan_storage::CaseworkFile {
                    source: "sen2",
                    collection_year: year + 1,
                    la_code: &row.counts.la,
                    reference_date: time::Date::from_calendar_date(
                        year + 1,
                        time::Month::January,
                        16,
                    )
                    .ok(),
                    file_name: "synthetic SEN2 return (demonstration, not real children)",
                    people: &people,
                },
            )
            .await?;
    }
    Ok(())
}

/// The plan's measures kept by sendplan from the synthetic casework, month by month, the
/// 20-week one beside England's, the region's and the authority's published figures.
async fn add_casework_measures(
    store: &Store,
    partnership: PartnershipId,
    plan: PlanId,
    la_code: &str,
    figures: &[sendplan_interchange::dfe::Figure],
) -> Result<()> {
    use sendplan_domain::casework::plan_measures::CaseworkMeasure;
    for what in CaseworkMeasure::ALL {
        let measure = store
            .add_casework_measure(Actor(None), partnership, plan, *what)
            .await?;
        if *what == CaseworkMeasure::TwentyWeeksExcluding {
            if let Ok(c) = sendplan_interchange::dfe::comparison(
                figures,
                la_code,
                "DfE, Education, health and care plans 2025",
            ) {
                let mut comparators = c.comparators;
                comparators.extend(c.published);
                store
                    .set_comparators(Actor(None), partnership, measure, &comparators)
                    .await?;
            }
        }
    }
    Ok(())
}

/// The statistic the demo's timeliness measure shows.
const TIMELINESS: sendplan_interchange::dfe::Statistic =
    sendplan_interchange::dfe::Statistic::IssuedWithin20WeeksExcludingExceptions;

/// The DfE's published EHC plan timeliness, 2019 to 2024 (Open Government Licence).
const DFE_TIMELINESS: &str = sendplan_interchange::dfe_published::TIMELINESS;

/// Adds the measure every plan is judged on, the share of new EHC plans issued within 20
/// weeks, with the local authority's published figures as its values and England's and
/// the region's as comparators. Real figures; the measure itself is the demo's addition.
async fn add_published_timeliness(
    store: &Store,
    partnership: PartnershipId,
    plan: PlanId,
    la_code: &str,
    figures: &[sendplan_interchange::dfe::Figure],
) -> Result<()> {
    use sendplan_domain::measures::*;
    use sendplan_interchange::dfe;
    let statistic = TIMELINESS;
    let source = "DfE, Education, health and care plans 2025";
    let Ok(comparison) = dfe::comparison(figures, la_code, source) else {
        return Ok(());
    };
    let input = MeasureInput {
        name: "New EHC plans issued within 20 weeks (excluding exceptions)".to_owned(),
        definition: format!(
            "{}. Added for the demonstration: the values are {}'s figures as the DfE published them, and the comparators England's and the region's.",
            statistic.label(),
            comparison.name
        ),
        unit: Unit::Percentage,
        frequency: sendplan_domain::periods::Frequency::CalendarYear,
        trajectory: Trajectory::new(None, vec![], Polarity::HigherIsBetter, 0.0)
            .map_err(anyhow::Error::msg)?,
        owner: None,
        source: MeasureSource::Imported,
        areas: vec![],
        actions: vec![],
    };
    let measure = store
        .create_measure(Actor(None), partnership, plan, &input)
        .await?;
    store
        .set_comparators(Actor(None), partnership, measure, &comparison.comparators)
        .await?;
    let values: Vec<DataPointInput> = comparison
        .local
        .iter()
        .filter_map(|(period, value)| {
            Some(DataPointInput {
                period: input.frequency.parse_period(&period.label()).ok()?,
                value: (*value)?,
                status: DataStatus::Final,
                note: format!("Published figure ({source})"),
            })
        })
        .collect();
    store
        .record_data_points(Actor(None), partnership, measure, &values)
        .await?;
    Ok(())
}

/// The person who leads the most actions, so that "My actions" has something to show.
async fn busiest_lead(
    store: &Store,
    partnership: PartnershipId,
    today: time::Date,
) -> Result<Option<PersonId>> {
    let mut counts: HashMap<PersonId, usize> = HashMap::new();
    for plan in store.list_plans(partnership).await? {
        for action in &store
            .plan_overview(partnership, plan.id, today)
            .await?
            .actions
        {
            for lead in &action.leads {
                *counts.entry(*lead).or_default() += 1;
            }
        }
    }
    Ok(counts
        .into_iter()
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(id.0)))
        .map(|(id, _)| id))
}

/// A spread of ratings across the plan, dated over the last three months. Every one says
/// it is illustrative: the published plan records no progress.
async fn add_illustrative_updates(
    store: &Store,
    partnership: PartnershipId,
    plan: PlanId,
    user: UserId,
) -> Result<()> {
    let ratings = store.list_ratings(partnership, plan).await?;
    let by_label = |label: &str| ratings.iter().find(|r| r.label == label).map(|r| r.id);
    let pattern = [
        "GREEN", "AMBER", "GREEN", "BLUE", "RED", "GREEN", "PINK", "", "AMBER", "GREEN",
    ];
    let today = time::OffsetDateTime::now_utc().date();
    let actions: Vec<ActionId> = store
        .plan_overview(partnership, plan, today)
        .await?
        .actions
        .iter()
        .map(|a| a.id)
        .collect();
    for (n, action) in actions.iter().enumerate() {
        let Some(rating) = by_label(pattern[n % pattern.len()]) else {
            continue;
        };
        let days_ago = (n * 37 % 90) as i64;
        let input = UpdateInput {
            update_date: today - time::Duration::days(days_ago),
            rating_id: rating,
            narrative: "Illustrative update added by the sendplan demonstration: the published plan records no progress.".to_owned(),
            evidence_links: Vec::new(),
        };
        store
            .add_update(Actor(Some(user)), partnership, *action, &input)
            .await?;
    }
    Ok(())
}

/// A password of 20 characters from an alphabet without look-alike characters.
fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes)
        .expect("the operating system's random number generator is available");
    bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

/// Warwickshire's boards as its WSoA describes them (section 6, "Local Area Monitoring
/// Arrangements", and appendix 1): name, purpose, chair, members (roles, not names).
const WARWICKSHIRE_BOARDS: &[(&str, &str, &str, &str)] = &[
    (
        "SEND and Inclusion Board",
        "Receives the full WSoA update each quarter, as do the SEND Member Panel, NHS England and the DfE.",
        "",
        "",
    ),
    (
        "SEND and Inclusion Steering Group",
        "Oversees the workstreams with partnership accountability for delivering the WSoA; receives targeted updates every 6 weeks, reporting issues by exception.",
        "Strategic Director Communities",
        "Strategic Director People (WCC)\nDirector of Joint Commissioning (CWCCG)\nSenior Transformation Manager (CWCCG)\nWarwickshire Parent Carer Voice, Chair (WPCV)\nDirector of Nursing (SWFT)\nAssistant Director Education (WCC)\nStrategy and Commissioning Manager, SEND and Inclusion (WCC)\nAssistant Director People, Strategy and Commissioning (WCC)\nAssistant Director Children & Families (WCC)\nAssistant Director People, Adult Social Care (Delivery) (WCC)\nChief Operating Officer (CWPT)\nChange Delivery Lead (WCC)\nProgramme Manager (WCC)",
    ),
    (
        "Children and Young People's Overview and Scrutiny Committee",
        "Receives the full WSoA update every 6 months.",
        "",
        "",
    ),
];

/// Warwickshire's published reporting cycle: board, report, cadence, and first due date
/// (day, month, year). The plan gives the cadences, not the dates, so the demo starts
/// each in the plan's first months (January 2022).
const WARWICKSHIRE_CYCLE: &[(&str, &str, &str, [&str; 3])] = &[
    (
        "SEND and Inclusion Steering Group",
        "exception",
        "six_weekly",
        ["15", "2", "2022"],
    ),
    (
        "SEND and Inclusion Board",
        "progress",
        "quarterly",
        ["31", "3", "2022"],
    ),
    (
        "Children and Young People's Overview and Scrutiny Committee",
        "progress",
        "six_monthly",
        ["30", "6", "2022"],
    ),
];

async fn add_monitoring_arrangements(
    store: &Store,
    partnership: PartnershipId,
    plan: PlanId,
) -> Result<()> {
    use sendplan_domain::governance::{BoardInput, ReportingLineInput};
    use sendplan_domain::input::RawForm;
    let mut boards = HashMap::new();
    for (name, purpose, chair, members) in WARWICKSHIRE_BOARDS {
        let input = BoardInput::parse(&RawForm::from_pairs(&[
            ("name", name),
            ("purpose", purpose),
            ("chair", chair),
            ("members", members),
        ]))
        .map_err(|e| anyhow::anyhow!("demo board {name}: {e:?}"))?;
        boards.insert(
            *name,
            store.create_board(Actor(None), partnership, &input).await?,
        );
    }
    for (board, kind, cadence, [day, month, year]) in WARWICKSHIRE_CYCLE {
        let board = boards
            .get(board)
            .with_context(|| format!("no demo board {board}"))?
            .to_string();
        let input = ReportingLineInput::parse(&RawForm::from_pairs(&[
            ("board", &board),
            ("kind", kind),
            ("cadence", cadence),
            ("first_due-day", day),
            ("first_due-month", month),
            ("first_due-year", year),
        ]))
        .map_err(|e| anyhow::anyhow!("demo reporting line: {e:?}"))?;
        store
            .create_reporting_line(Actor(None), partnership, plan, &input)
            .await?;
    }
    Ok(())
}
