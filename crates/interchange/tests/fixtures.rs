//! The four seed plans, transcribed in `fixtures/plans/`, must import completely and
//! exactly, and every plan must survive export and re-import unchanged.

use sendplan_interchange::{export_plan, read, Document};
use sendplan_storage::{Actor, Store};
use time::macros::date;

const TODAY: time::Date = date!(2026 - 11 - 23);

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/plans/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn fresh_store() -> (Store, std::path::PathBuf) {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random");
    let path = std::env::temp_dir().join(format!(
        "sendplan-fixture-{}.db",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    (
        Store::open(&format!("sqlite://{}", path.display()))
            .await
            .expect("open"),
        path,
    )
}

fn remove(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Imports a fixture; returns the store and the first plan's id with its partnership.
async fn imported(
    name: &str,
) -> (
    Store,
    std::path::PathBuf,
    sendplan_domain::PartnershipId,
    sendplan_domain::PlanId,
) {
    let (_, import) = read(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (store, path) = fresh_store().await;
    let summary = store
        .import_plan(Actor(None), &import, TODAY)
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    (
        store,
        path,
        summary.partnership.expect("partnership"),
        summary.plans[0],
    )
}

struct Counts {
    areas: usize,
    objectives: usize,
    actions: usize,
    milestones: usize,
    findings: usize,
}

async fn counts(
    store: &Store,
    partnership: sendplan_domain::PartnershipId,
    plan: sendplan_domain::PlanId,
) -> Counts {
    let overview = store
        .plan_overview(partnership, plan, TODAY)
        .await
        .expect("overview");
    let mut milestones = 0;
    for action in &overview.actions {
        milestones += store
            .list_milestones(partnership, action.id)
            .await
            .expect("milestones")
            .len();
    }
    Counts {
        areas: overview.areas.len(),
        objectives: overview.objectives.len(),
        actions: overview.actions.len(),
        milestones,
        findings: store
            .list_findings(partnership, overview.plan.inspection_id)
            .await
            .expect("findings")
            .len(),
    }
}

#[tokio::test]
async fn wolverhampton_wsoa_is_complete_and_exact() {
    let (store, path, partnership, plan) = imported("wolverhampton").await;
    let c = counts(&store, partnership, plan).await;
    assert_eq!(
        (c.areas, c.actions, c.milestones),
        (6, 68, 62),
        "6 areas, actions 1.1 to 6.13, 62 milestones"
    );
    assert_eq!(
        c.findings, 44,
        "6 significant weaknesses, 17 strengths, 21 areas for development"
    );
    let overview = store
        .plan_overview(partnership, plan, TODAY)
        .await
        .expect("overview");
    let numbers: Vec<String> = overview
        .actions
        .iter()
        .map(|a| a.number.to_string())
        .collect();
    assert_eq!(numbers.first().map(String::as_str), Some("1.1"));
    assert_eq!(numbers.last().map(String::as_str), Some("6.13"));
    let a12 = overview
        .actions
        .iter()
        .find(|a| a.number.to_string() == "1.2")
        .expect("1.2");
    assert_eq!(a12.description, "Develop a clear All Age Autism pathway for diagnostics and support (under and over 5) shared on the Local Offer");
    let action = store.get_action(partnership, a12.id).await.expect("action");
    assert_eq!(action.written.completion, "Feb 2022");
    assert_eq!(action.completion_date, Some(date!(2022 - 02 - 28)));
    let labels: Vec<String> = store
        .list_ratings(partnership, plan)
        .await
        .expect("ratings")
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert_eq!(labels, ["RED", "AMBER", "GREEN", "BLUE", "PINK"]);
    store.close().await;
    remove(&path);
}

#[tokio::test]
async fn warwickshire_wsoa_is_complete_and_exact() {
    let (store, path, partnership, plan) = imported("warwickshire").await;
    let c = counts(&store, partnership, plan).await;
    assert_eq!(
        (c.areas, c.objectives, c.actions, c.milestones, c.findings),
        (5, 10, 19, 58, 5)
    );
    let overview = store
        .plan_overview(partnership, plan, TODAY)
        .await
        .expect("overview");
    let first = overview
        .actions
        .iter()
        .find(|a| a.number.to_string() == "1.1.1")
        .expect("1.1.1");
    let action = store
        .get_action(partnership, first.id)
        .await
        .expect("action");
    assert_eq!(
        action.written.completion,
        "June 2023: 125 weeks March 2024: 13 weeks"
    );
    assert_eq!(
        action.completion_date,
        Some(date!(2024 - 03 - 31)),
        "the trajectory's last date is the deadline"
    );
    let labels: Vec<String> = store
        .list_ratings(partnership, plan)
        .await
        .expect("ratings")
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert_eq!(labels, ["Blue", "Green", "Amber", "Red", "Grey"]);
    let areas = store.list_areas(partnership, plan).await.expect("areas");
    assert!(
        areas.iter().all(|a| a.senior_responsible_officer.is_some()),
        "every area has its senior responsible officer"
    );
    store.close().await;
    remove(&path);
}

#[tokio::test]
async fn worcestershire_plan_is_complete_and_exact() {
    let (store, path, partnership, plan) = imported("worcestershire").await;
    let c = counts(&store, partnership, plan).await;
    assert_eq!(
        (c.areas, c.objectives, c.actions, c.findings),
        (6, 30, 125, 12),
        "safeguarding and five workstreams, twelve key concerns"
    );
    let people = store.list_people(partnership).await.expect("people");
    let peri = people
        .iter()
        .find(|p| p.short_code == "PeRi")
        .expect("PeRi is in the glossary");
    let overview = store
        .plan_overview(partnership, plan, TODAY)
        .await
        .expect("overview");
    assert!(
        overview.actions.iter().any(|a| a.leads.contains(&peri.id)),
        "initials resolve through the glossary to people"
    );
    assert!(
        people.iter().any(|p| p.to_review),
        "initials the glossary does not resolve are listed for review"
    );
    let rated = overview
        .actions
        .iter()
        .filter(|a| a.rating.is_some())
        .count();
    assert_eq!(rated, 17, "every progress check is an update");
    store.close().await;
    remove(&path);
}

#[tokio::test]
async fn walsall_app_keeps_the_revisit_judgements() {
    let (store, path, partnership, plan) = imported("walsall").await;
    let c = counts(&store, partnership, plan).await;
    assert_eq!(
        (c.areas, c.objectives, c.findings),
        (2, 6, 9),
        "two areas carried into the APP, six projects, nine original weaknesses"
    );
    let inspection = store
        .get_plan(partnership, plan)
        .await
        .expect("plan")
        .inspection_id
        .expect("inspection");
    let revisits = store
        .list_revisits(partnership, inspection)
        .await
        .expect("revisits");
    let sufficient = revisits[0]
        .judgements
        .iter()
        .filter(|j| j.sufficient_progress)
        .count();
    assert_eq!((sufficient, revisits[0].judgements.len()), (7, 9));
    store.close().await;
    remove(&path);
}

/// Sources are dated on export; everything else must match exactly.
fn without_source(mut document: Document) -> Document {
    document.source = None;
    document
}

#[tokio::test]
async fn export_then_import_gives_back_identical_data() {
    for name in ["wolverhampton", "warwickshire", "worcestershire", "walsall"] {
        let (store, path, partnership, plan) = imported(name).await;
        let first = export_plan(&store, partnership, plan)
            .await
            .expect("export");
        let json = serde_json::to_string(&first).expect("json");
        let (_, import) =
            read(&json).unwrap_or_else(|e| panic!("{name}: the export does not read back: {e}"));
        let (again, again_path) = fresh_store().await;
        let summary = again
            .import_plan(Actor(None), &import, TODAY)
            .await
            .expect("re-import");
        let second = export_plan(
            &again,
            summary.partnership.expect("partnership"),
            summary.plans[0],
        )
        .await
        .expect("export again");
        let (first, second) = (without_source(first), without_source(second));
        if first != second {
            let dir = std::env::temp_dir();
            std::fs::write(
                dir.join(format!("{name}-first.json")),
                serde_json::to_string_pretty(&first).expect("json"),
            )
            .expect("write");
            std::fs::write(
                dir.join(format!("{name}-second.json")),
                serde_json::to_string_pretty(&second).expect("json"),
            )
            .expect("write");
            panic!("{name} changed on the way round: compare {name}-first.json and {name}-second.json in {}", dir.display());
        }
        for s in [store, again] {
            s.close().await;
        }
        remove(&path);
        remove(&again_path);
    }
}

#[tokio::test]
async fn a_bad_document_is_refused_with_every_problem_and_changes_nothing() {
    let mut document: serde_json::Value =
        serde_json::from_str(&fixture("wolverhampton")).expect("json");
    document["plans"][0]["actions"][3]["leads"][0] = "nobody".into();
    document["plans"][0]["actions"][5]["number"] = "1.1".into();
    document["plans"][0]["actions"][7]["updates"] =
        serde_json::json!([{ "date": "2022-13-01", "rating": "PURPLE", "narrative": "x" }]);
    document["organisations"][0]["kind"] = "council".into();
    let error = read(&document.to_string())
        .expect_err("refused")
        .to_string();
    for expected in [
        "plans[0].actions[3].leads[0]: there is no person with key \"nobody\"",
        "plans[0].actions[5].number: action 1.1 is listed twice",
        "plans[0].actions[7].updates[0].date",
        "plans[0].actions[7].updates[0].rating: \"PURPLE\" is not a rating of this plan",
        "organisations[0].kind: \"council\" is not one of",
    ] {
        assert!(
            error.contains(expected),
            "missing {expected:?} in:\n{error}"
        );
    }
    assert!(read("{ not json").is_err());
    assert!(read("{\"format\": \"something else\"}").is_err());
}

#[tokio::test]
async fn an_import_that_fails_in_the_database_leaves_nothing_behind() {
    let (_, mut import) = read(&fixture("warwickshire")).expect("valid");
    // A rating position the plan does not have can only be caught while writing.
    import.plans[0].actions[3]
        .updates
        .push(sendplan_domain::import::UpdateImport {
            date: TODAY,
            rating: 99,
            narrative: "x".into(),
            evidence_links: vec![],
            recorded_by: String::new(),
        });
    let (store, path) = fresh_store().await;
    assert!(store
        .import_plan(Actor(None), &import, TODAY)
        .await
        .is_err());
    assert!(
        store.list_partnerships().await.expect("list").is_empty(),
        "the failed import left a partnership behind"
    );
    store.close().await;
    remove(&path);
}

#[test]
fn the_committed_json_schema_is_the_one_the_code_defines() {
    let path = format!(
        "{}/../../docs/interchange.schema.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let generated = sendplan_interchange::schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "docs/interchange.schema.json is out of date: run UPDATE_SCHEMA=1 cargo test -p sendplan-interchange");
}
