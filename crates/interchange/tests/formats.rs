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

fn measures_fixture(name: &str) -> Option<String> {
    let path = format!(
        "{}/../../fixtures/measures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).ok()
}

/// A seed plan's document with its seed measures attached, and, on its first measure, a
/// value, a revision of it and two comparators, so round trips carry all of them.
fn with_measures(name: &str) -> String {
    use sendplan_interchange::document::{Comparator, Value};
    let mut document: Document = serde_json::from_str(&fixture(name)).expect("json");
    if name == "wolverhampton" {
        let path = format!(
            "{}/../../fixtures/surveys/wolverhampton-v4p-2021.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let survey = std::fs::read_to_string(&path).expect("survey fixture");
        sendplan_interchange::seeds::attach_survey(&mut document, &survey).expect("attach");
    }
    if let Some(measures) = measures_fixture(name) {
        sendplan_interchange::seeds::attach(&mut document, &measures).expect("attach");
        let measure = &mut document.plans[0].measures[0];
        let period = match measure.frequency.as_str() {
            "monthly" => "2022-06",
            other => panic!("the first {name} measure is {other}; give it a period here"),
        };
        for (value, status) in [(40.0, "provisional"), (42.0, "final")] {
            measure.values.push(Value {
                period: period.to_owned(),
                value,
                status: status.to_owned(),
                note: Some("Illustrative".to_owned()),
                recorded_at: Some("2022-07-04T09:30:00Z".to_owned()),
            });
        }
        for (series, value) in [("England", Some(58.7)), ("West Midlands", None)] {
            measure.comparators.push(Comparator {
                series: series.to_owned(),
                period: "2022".to_owned(),
                period_end: "2022-12-31".to_owned(),
                value,
                source: "DfE EHC plans 2025".to_owned(),
            });
        }
    }
    serde_json::to_string(&document).expect("json")
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
    let (_, import) = read(&with_measures(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
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
async fn the_seed_plans_impact_measures_load_with_their_baselines_targets_and_actions() {
    use sendplan_domain::measures::Point;
    let (store, path, partnership, plan) = imported("warwickshire").await;
    let measures = store
        .list_measures(partnership, plan)
        .await
        .expect("measures");
    assert_eq!(measures.len(), 37, "every Warwickshire impact measure");
    let wait = measures
        .iter()
        .find(|m| m.name == "Longest wait for an autism diagnostic assessment")
        .expect("the autism wait");
    // 242 weeks, no date given, so as at the plan's start; 125 by June 2023; 13 by March 2024.
    assert_eq!(
        wait.trajectory.baseline,
        Some(Point {
            date: date!(2022 - 01 - 01),
            value: 242.0
        })
    );
    assert_eq!(
        wait.trajectory.targets,
        vec![
            Point {
                date: date!(2023 - 06 - 30),
                value: 125.0
            },
            Point {
                date: date!(2024 - 03 - 31),
                value: 13.0
            },
        ]
    );
    let action = store
        .get_action(partnership, wait.actions[0])
        .await
        .expect("action");
    assert_eq!(action.number.to_string(), "1.1.1");
    assert!(
        measures.iter().all(|m| m.actions.len() == 1),
        "each is linked to its action"
    );
    store.close().await;
    remove(&path);
    for (name, expected) in [("wolverhampton", 4), ("worcestershire", 12)] {
        let (store, path, partnership, plan) = imported(name).await;
        let measures = store
            .list_measures(partnership, plan)
            .await
            .expect("measures");
        assert_eq!(measures.len(), expected, "{name}");
        store.close().await;
        remove(&path);
    }
}

#[tokio::test]
async fn the_voice_4_parents_2021_survey_loads_with_its_published_percentages_exactly() {
    use sendplan_domain::surveys::format_share;
    let (store, path, partnership, _) = imported("wolverhampton").await;
    let surveys = store.list_surveys(partnership).await.expect("surveys");
    assert_eq!(surveys.len(), 1);
    let survey = store
        .get_survey(partnership, surveys[0].id)
        .await
        .expect("survey")
        .survey;
    assert_eq!(survey.respondents, Some(245));
    assert_eq!(survey.questions.len(), 50);
    assert_eq!(
        survey
            .questions
            .iter()
            .map(|q| q.options.len())
            .sum::<usize>(),
        128
    );
    let la = &survey.questions[0];
    assert_eq!(la.text, "How supported do you feel by the local authority?");
    let shares: Vec<(String, String)> = la
        .options
        .iter()
        .map(|o| {
            (
                o.label.clone(),
                format_share(la.share(o, survey.respondents).expect("share")),
            )
        })
        .collect();
    assert_eq!(
        shares,
        vec![
            ("Very supported".to_owned(), "4%".to_owned()),
            ("Some support".to_owned(), "40%".to_owned()),
            ("Not supported at all".to_owned(), "35%".to_owned()),
        ],
        "as published in the plan's appendix 4"
    );
    let help = survey
        .questions
        .iter()
        .find(|q| {
            q.text
                .starts_with("What would help you to feel more supported")
        })
        .expect("the help question");
    assert!(help.multiple, "its shares add up to more than 100%");
    store.close().await;
    remove(&path);
}

#[tokio::test]
async fn bad_measures_are_refused_with_a_reason_each() {
    let mut document: serde_json::Value =
        serde_json::from_str(&with_measures("warwickshire")).expect("json");
    let measures = &mut document["plans"][0]["measures"];
    measures[1]["values"] = serde_json::json!([
        { "period": "2022-06", "value": 140 },
        { "period": "Spring 2023", "value": 20 }
    ]);
    measures[2]["baseline"] = serde_json::json!({ "date": "2023-01-01", "value": 50 });
    measures[2]["targets"] = serde_json::json!([{ "date": "2022-12-31", "value": 70 }]);
    measures[3]["unit"] = "furlongs".into();
    measures[4]["actions"] = serde_json::json!(["9.9.9"]);
    measures[5]["name"] = measures[6]["name"].clone();
    let error = read(&document.to_string())
        .expect_err("refused")
        .to_string();
    for expected in [
        "plans[0].measures[1].values[0].value: ",
        "plans[0].measures[1].values[1].period: \"Spring 2023\" is not a monthly period",
        "plans[0].measures[2].targets: A target is dated 2022-12-31 but the baseline is 2023-01-01",
        "plans[0].measures[3].unit: \"furlongs\" is not one of",
        "plans[0].measures[4].actions[0]: there is no action 9.9.9 in this plan",
        "is listed twice",
    ] {
        assert!(
            error.contains(expected),
            "missing {expected:?} in:\n{error}"
        );
    }
    measures_fixture("warwickshire").expect("fixture");
    let mut text_value = document.clone();
    text_value["plans"][0]["measures"][1]["values"] =
        serde_json::json!([{ "period": "2022-06", "value": "lots" }]);
    assert!(
        read(&text_value.to_string()).is_err(),
        "a value must be a number"
    );
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

// ----- spreadsheets ---------------------------------------------------------------------

use sendplan_interchange::sheet::{
    read_table, suggest_mapping, table_to_document, Field, SheetError, SheetTarget,
};
use sendplan_interchange::sheet_export;

fn target(ratings: sendplan_domain::rating::RatingPreset) -> SheetTarget {
    SheetTarget {
        partnership: sendplan_interchange::document::Partnership {
            name: "Test area".into(),
            la_code: "E06000001".into(),
        },
        people: vec![],
        organisations: vec![],
        title: "Imported plan".into(),
        kind: "wsoa".into(),
        status: "active".into(),
        ratings: ratings.ratings(),
        as_at: TODAY,
    }
}

#[tokio::test]
async fn an_xlsx_export_reimports_cleanly_with_no_mapping() {
    let (store, path, partnership, plan) = imported("wolverhampton").await;
    let document = export_plan(&store, partnership, plan)
        .await
        .expect("export");
    let bytes = sheet_export::to_xlsx(&sheet_export::rows(&document)).expect("xlsx");
    let table = read_table(&bytes, "plan.xlsx").expect("reads back");
    let mapping = suggest_mapping(&table);
    assert_eq!(
        mapping.len(),
        Field::ALL.len(),
        "every column is recognised from its header"
    );
    let sheet_document = table_to_document(
        &table,
        &mapping,
        &target(sendplan_domain::rating::RatingPreset::Wolverhampton),
    )
    .expect("valid");
    let (_, import) =
        read(&serde_json::to_string(&sheet_document).expect("json")).expect("checks pass");
    let (again, again_path) = fresh_store().await;
    let summary = again
        .import_plan(Actor(None), &import, TODAY)
        .await
        .expect("imports");
    let c = counts(
        &again,
        summary.partnership.expect("partnership"),
        summary.plans[0],
    )
    .await;
    assert_eq!((c.areas, c.actions, c.milestones), (6, 68, 62));
    let original = store
        .plan_overview(partnership, plan, TODAY)
        .await
        .expect("overview");
    let reimported = again
        .plan_overview(summary.partnership.expect("p"), summary.plans[0], TODAY)
        .await
        .expect("overview");
    for (a, b) in original.actions.iter().zip(&reimported.actions) {
        assert_eq!(
            (a.number.to_string(), &a.description, a.completion_date),
            (b.number.to_string(), &b.description, b.completion_date)
        );
    }
    let csv = sheet_export::to_csv(&sheet_export::rows(&document));
    let from_csv = read_table(&csv, "plan.csv").expect("csv reads back");
    assert_eq!(from_csv.rows.len(), 68);
    assert_eq!(
        from_csv.rows,
        table
            .rows
            .iter()
            .map(|r| sendplan_interchange::sheet::TableRow {
                line: r.line,
                cells: r.cells.clone()
            })
            .collect::<Vec<_>>()
    );
    for s in [store, again] {
        s.close().await;
    }
    remove(&path);
    remove(&again_path);
}

#[test]
fn workbooks_with_merged_cells_hidden_sheets_dates_and_formulas_are_read_as_people_see_them() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
    let mut workbook = Workbook::new();
    let hidden = workbook.add_worksheet();
    hidden.set_name("Old version").expect("name");
    hidden.write_string(0, 0, "Number").expect("write");
    hidden.write_string(0, 1, "Action").expect("write");
    hidden.write_string(1, 0, "9.9").expect("write");
    hidden.set_hidden(true);
    let sheet = workbook.add_worksheet();
    sheet.set_active(true); // Excel never hides the active sheet
    sheet
        .write_string(0, 0, "SEND action tracker (merged title)")
        .expect("write");
    for (c, h) in [
        "Number",
        "Area",
        "Actions for implementation",
        "Lead Officer",
        "Completion date",
        "Progress (BRAG)",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, c as u16, *h).expect("write");
    }
    sheet
        .merge_range(3, 1, 5, 1, "Autism assessment waits", &Format::new())
        .expect("merge");
    for (r, number) in ["1.1", "1.2", "1.3"].iter().enumerate() {
        let row = 3 + r as u32;
        sheet.write_string(row, 0, *number).expect("write");
        sheet
            .write_string(row, 2, format!("Action {number}"))
            .expect("write");
    }
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(
            3,
            4,
            ExcelDateTime::from_ymd(2022, 2, 28).expect("date"),
            &date,
        )
        .expect("write");
    sheet.write_string(4, 4, "Autumn Term 2022").expect("write");
    sheet
        .write_formula(5, 4, Formula::new("=\"Ongoing\"").set_result("Ongoing"))
        .expect("formula");
    sheet.write_string(3, 5, "green").expect("write");
    let bytes = workbook.save_to_buffer().expect("xlsx");

    let table = read_table(&bytes, "tracker.xlsx").expect("reads");
    assert_eq!(
        table.rows.len(),
        3,
        "the hidden sheet is skipped and the header row found below the title"
    );
    assert_eq!(
        table.rows[0].line, 4,
        "rows are numbered as the spreadsheet shows them"
    );
    let mapping = suggest_mapping(&table);
    let column = |field| {
        table
            .rows
            .iter()
            .map(|r| r.cells[mapping[&field]].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        column(Field::AreaTitle),
        ["Autism assessment waits"; 3],
        "a merged cell applies to every row it covers"
    );
    assert_eq!(
        column(Field::Completion),
        ["2022-02-28", "Autumn Term 2022", "Ongoing"],
        "dates stored as numbers and formula results are read"
    );
    let document = table_to_document(
        &table,
        &mapping,
        &target(sendplan_domain::rating::RatingPreset::Warwickshire),
    )
    .expect("valid");
    let plan = &document.plans[0];
    assert_eq!(plan.areas[0].title, "Autism assessment waits");
    assert_eq!(
        plan.actions[0].updates[0].rating, "Green",
        "ratings match whatever their case"
    );
}

#[test]
fn a_windows_1252_csv_is_read_with_its_pound_signs() {
    let text = "Number,Action,Resources\r\n1.1,Recruit practitioner,\u{a3}45,000 additional\r\n,,\r\n1.2,Train staff,Existing\r\n";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
    let table = read_table(&bytes, "plan.csv").expect("reads");
    assert_eq!(table.rows.len(), 2, "empty rows are dropped");
    assert!(table.rows[0].cells.iter().any(|c| c.contains('\u{a3}')));
}

#[test]
fn files_that_are_not_spreadsheets_are_refused_plainly() {
    assert_eq!(read_table(b"", "plan.csv"), Err(SheetError::Empty));
    assert!(matches!(
        read_table(b"Number,Action\n1.1,x\n", "plan.xlsx"),
        Err(SheetError::NotXlsx(_))
    ));
    assert_eq!(
        read_table(&[0xD0, 0xCF, 0x11, 0xE0, 0, 0], "plan.xls"),
        Err(SheetError::OldExcel)
    );
    let png = [
        0x89u8, b'P', b'N', b'G', 0, 0, 0, 13, 1, 2, 3, 4, 0, 0, 0, 0, 5, 6,
    ];
    assert_eq!(
        read_table(&png, "plan.csv"),
        Err(SheetError::NotASpreadsheet)
    );
    assert!(matches!(
        read_table(b"PK\x03\x04 not really a zip", "plan.xlsx"),
        Err(SheetError::BrokenWorkbook(_))
    ));
    let huge = vec![b'a'; sendplan_interchange::sheet::MAX_SHEET_BYTES + 1];
    assert!(matches!(
        read_table(&huge, "plan.csv"),
        Err(SheetError::TooLarge(_))
    ));
}

#[test]
fn every_problem_is_named_by_row_and_column() {
    let csv = "Number,Action,Lead,Progress\n1.1,First,PeRi,GREEN\n1.1,Duplicate,,\nx,Bad number,,\n1.3,,,PURPLE\n";
    let table = read_table(csv.as_bytes(), "plan.csv").expect("reads");
    let problems = table_to_document(
        &table,
        &suggest_mapping(&table),
        &target(sendplan_domain::rating::RatingPreset::Wolverhampton),
    )
    .expect_err("refused");
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    for expected in [
        "Row 3, column A (Number): action 1.1 is also on row 2",
        "Row 4, column A (Number): \"x\"",
        "Row 5, column B (Action): action 1.3 has no description",
        "Row 5, column D (Progress): \"PURPLE\" is not one of the plan's ratings",
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(expected)),
            "missing {expected:?} in {text:#?}"
        );
    }
    let no_number = read_table(b"Action,Lead\nDo it,PeRi\n", "plan.csv").expect("reads");
    let problems = table_to_document(
        &no_number,
        &suggest_mapping(&no_number),
        &target(sendplan_domain::rating::RatingPreset::Rag),
    )
    .expect_err("refused");
    assert!(problems[0].to_string().contains("this column is required"));
}

#[test]
fn leads_resolve_to_known_people_and_the_rest_are_listed_for_review() {
    let csv = "Number,Action,Lead\n1.1,First,\"PeRi SEND GM\"\n1.2,Second,\"Matt Biggs, Darren Barrow\"\n";
    let table = read_table(csv.as_bytes(), "plan.csv").expect("reads");
    let mut t = target(sendplan_domain::rating::RatingPreset::Rag);
    t.people = vec![sendplan_interchange::document::Person {
        key: "p1".into(),
        name: Some("Penny Richardson".into()),
        job_title: Some("SEND General Manager".into()),
        organisation: None,
        short_code: Some("PeRi".into()),
        email: None,
        to_review: false,
    }];
    let document = table_to_document(&table, &suggest_mapping(&table), &t).expect("valid");
    let actions = &document.plans[0].actions;
    assert_eq!(actions[0].leads, ["p1"]);
    assert_eq!(actions[0].lead_text.as_deref(), Some("PeRi SEND GM"));
    assert_eq!(actions[1].leads.len(), 2);
    let added: Vec<_> = document
        .people
        .iter()
        .filter(|p| p.to_review)
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(
        added,
        [
            Some("Matt Biggs".to_owned()),
            Some("Darren Barrow".to_owned())
        ]
    );
}

// ----- fuzzing the spreadsheet reader ---------------------------------------------------

/// Every file in tests/corpus (awkward real-world shapes, and inputs that once failed) is
/// read without panicking and with an answer: a table, or a plain reason.
#[test]
fn the_corpus_of_awkward_files_gets_clear_answers() {
    let dir = format!("{}/tests/corpus", env!("CARGO_MANIFEST_DIR"));
    let mut read = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("file")
            .to_owned();
        match read_table(&bytes, &name) {
            Ok(table) => {
                let mapping = suggest_mapping(&table);
                if let Err(problems) = table_to_document(
                    &table,
                    &mapping,
                    &target(sendplan_domain::rating::RatingPreset::Rag),
                ) {
                    assert!(problems.iter().all(|p| !p.message.is_empty()), "{name}");
                }
            }
            Err(error) => assert!(!error.to_string().is_empty(), "{name}"),
        }
        read += 1;
    }
    assert!(read >= 6, "the corpus has gone missing");
    let tabs = read_table(
        &std::fs::read(format!("{dir}/tab-separated.csv")).expect("file"),
        "tab-separated.csv",
    )
    .expect("tabs");
    assert_eq!(tabs.rows.len(), 2);
    let titled = read_table(
        &std::fs::read(format!("{dir}/title-rows-and-multiline.csv")).expect("file"),
        "t.csv",
    )
    .expect("titled");
    assert_eq!(
        titled.headers[1], "Actions for implementation",
        "the header row is found below title rows"
    );
    let problems = table_to_document(
        &titled,
        &suggest_mapping(&titled),
        &target(sendplan_domain::rating::RatingPreset::Rag),
    )
    .expect_err("too deep");
    assert!(problems[0].to_string().contains("1.1.1.1"));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        #[test]
        fn any_bytes_get_an_answer_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000), zip in any::<bool>()) {
            let mut bytes = bytes;
            if zip {
                bytes.splice(0..0, b"PK\x03\x04".iter().copied());
            }
            let _ = read_table(&bytes, if zip { "f.xlsx" } else { "f.csv" });
        }

        #[test]
        fn any_csv_text_maps_to_a_document_or_named_problems(
            rows in proptest::collection::vec(proptest::collection::vec("[ -~£–\n]{0,12}", 0..6), 0..12)
        ) {
            let mut text = String::from("Number,Action,Lead,Completion date,Progress,Key milestones\n");
            for row in &rows {
                let cells: Vec<String> = row.iter().map(|c| format!("\"{}\"", c.replace('"', "\"\""))).collect();
                text.push_str(&cells.join(","));
                text.push('\n');
            }
            if let Ok(table) = read_table(text.as_bytes(), "f.csv") {
                let mapping = suggest_mapping(&table);
                match table_to_document(&table, &mapping, &target(sendplan_domain::rating::RatingPreset::Rag)) {
                    Ok(document) => {
                        // Whatever the sheet produced must pass the document checks too.
                        let json = serde_json::to_string(&document).expect("json");
                        prop_assert!(read(&json).is_ok(), "a sheet that passed became an invalid document: {:?}", read(&json).err());
                    }
                    Err(problems) => prop_assert!(problems.iter().all(|p| p.row == 0 || p.row >= 2)),
                }
            }
        }
    }
}

// ----- DfE statistics (issue 4 groundwork) ------------------------------------------------

#[test]
fn the_published_dfe_files_read_with_england_and_wolverhampton_series() {
    use sendplan_interchange::dfe::{
        local_authority_series, read_statistics, Area, Statistic, StatisticsPeriod,
    };
    // The published files, as published, are kept in the repository (fixtures/dfe, Open
    // Government Licence), so the suite needs nothing beside it.
    let dir = format!("{}/../../fixtures/dfe", env!("CARGO_MANIFEST_DIR"));
    let read = |file: &str| {
        std::fs::read_to_string(format!("{dir}/{file}"))
            .unwrap_or_else(|e| panic!("{dir}/{file}: {e}"))
    };
    let timeliness = read("ehcp_2025release_timeliness_20_week_all_plans_by_la_2019-2024.csv");
    let excluding = read_statistics(
        &timeliness,
        Statistic::IssuedWithin20WeeksExcludingExceptions,
    )
    .expect("timeliness");
    let england_2019 = excluding
        .iter()
        .find(|f| f.area == Area::England && f.period == StatisticsPeriod::Calendar(2019))
        .expect("England 2019");
    assert_eq!(
        england_2019.value,
        Some(60.4),
        "the published headline figure"
    );
    let including = read_statistics(
        &timeliness,
        Statistic::IssuedWithin20WeeksIncludingExceptions,
    )
    .expect("timeliness");
    assert_eq!(
        including
            .iter()
            .find(|f| f.area == Area::England && f.period == StatisticsPeriod::Calendar(2019))
            .and_then(|f| f.value),
        Some(58.7)
    );
    let wolverhampton = local_authority_series(&excluding, "E08000031");
    assert!(
        wolverhampton.len() >= 5,
        "a figure for each year 2019 to 2024"
    );
    assert!(wolverhampton.iter().all(|f| f.name == "Wolverhampton"));
    let requests = read_statistics(
        &read("ehcp_2025release_requests_all_by_la_2019-2024.csv"),
        Statistic::RequestsForAssessment,
    )
    .expect("requests");
    assert_eq!(
        requests
            .iter()
            .find(|f| f.area == Area::England && f.period == StatisticsPeriod::Calendar(2019))
            .and_then(|f| f.value),
        Some(82329.0)
    );
    let caseload = read_statistics(
        &read("ehcp_2025release_caseload_all_plans_by_la_2019-2025.csv"),
        Statistic::ActivePlans,
    )
    .expect("caseload");
    assert_eq!(
        caseload
            .iter()
            .find(|f| f.area == Area::England && f.period == StatisticsPeriod::Academic(2018))
            .and_then(|f| f.value),
        Some(353995.0)
    );
}

// ----- hostile workbooks (issue 12: bounded readers) -------------------------------------

/// A small workbook with a table at the top and `extra` written to it.
fn workbook_with(extra: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Number").expect("write");
    sheet.write_string(0, 1, "Action").expect("write");
    sheet.write_string(1, 0, "1.1").expect("write");
    sheet
        .write_string(1, 1, "Publish the Local Offer")
        .expect("write");
    extra(sheet);
    workbook.save_to_buffer().expect("save")
}

#[test]
fn a_cell_at_the_far_corner_of_a_sheet_is_refused_by_name_without_sizing_the_sheet_from_it() {
    // The probe's file: A1 and XFD1048576, 1.5 KB, once asked for 550 GB and aborted.
    let bytes = workbook_with(|sheet| {
        sheet.write_string(1_048_575, 16_383, "x").expect("write");
    });
    assert!(bytes.len() < 10_000);
    let started = std::time::Instant::now();
    let error = read_table(&bytes, "bomb.xlsx").expect_err("refused");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let message = error.to_string();
    assert!(matches!(error, SheetError::TooBig(_)), "{message}");
    assert!(
        message.contains("row 1048576") && message.contains("at most 10000 rows"),
        "{message}"
    );
}

#[test]
fn a_sheet_wider_than_the_limit_is_refused_naming_the_columns() {
    let bytes = workbook_with(|sheet| {
        sheet.write_string(1, 200, "far right").expect("write");
    });
    let message = read_table(&bytes, "wide.xlsx")
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("column GS") && message.contains("at most 150 columns"),
        "{message}"
    );
}

#[test]
fn a_zip_that_would_unzip_to_far_more_than_it_holds_is_refused_before_unzipping() {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("[Content_Types].xml", options)
        .expect("file");
    zip.write_all(b"<Types/>").expect("write");
    zip.start_file("xl/worksheets/sheet1.xml", options)
        .expect("file");
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..40 {
        zip.write_all(&zeros).expect("write");
    }
    let bytes = zip.finish().expect("zip").into_inner();
    assert!(bytes.len() < 1024 * 1024, "{} bytes", bytes.len());
    let message = read_table(&bytes, "bomb.xlsx")
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("would unzip to") && message.contains("times its size"),
        "{message}"
    );
}

#[test]
fn a_csv_wider_or_longer_than_the_limits_is_refused_line_by_line() {
    let wide = format!("Number,Action{}\n1.1,Do it\n", ",x".repeat(200));
    let message = read_table(wide.as_bytes(), "wide.csv")
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("line 1 has 202 columns") && message.contains("at most 150"),
        "{message}"
    );
    let long: String = std::iter::once("Number,Action\n".to_owned())
        .chain((0..10_001).map(|i| format!("1.{i},Action {i}\n")))
        .collect();
    let message = read_table(long.as_bytes(), "long.csv")
        .expect_err("refused")
        .to_string();
    assert!(message.contains("more than 10000 lines"), "{message}");
    // Trailing empty columns (a spreadsheet saved with a wide selection) are fine.
    let trailing = format!(
        "Number,Action{}\n1.1,Do it{}\n",
        ",".repeat(400),
        ",".repeat(400)
    );
    assert_eq!(
        read_table(trailing.as_bytes(), "ok.csv")
            .expect("reads")
            .rows
            .len(),
        1
    );
}
