//! The storage behaviour suite. Every test runs twice, against SQLite and PostgreSQL,
//! through the same `Store` API. PostgreSQL must be reachable (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, or `SENDPLAN_TEST_POSTGRES_URL`): when it
//! is not, the PostgreSQL half fails rather than skips.

use sendplan_domain::access::Role;
use sendplan_domain::accounts::{
    InvitationInput, SessionTimes, RESET_VALID_FOR, SIGN_IN_PER_ACCOUNT,
};
use sendplan_domain::input::*;
use sendplan_domain::rating::{RatingClass, RatingPreset};
use sendplan_domain::*;
use sendplan_storage::{
    Accepting, Actor, Backend, CaseworkFile, Claim, NewSession, OutgoingMail, Placed, ResetLink,
    Store, StoreError,
};
use std::future::Future;
use time::macros::date;
use time::OffsetDateTime;

fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn postgres_admin_url() -> String {
    std::env::var("SENDPLAN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// Runs `test` on a fresh, migrated database of the given backend, then removes it.
async fn with_store<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Store, String) -> Fut,
    Fut: Future<Output = ()>,
{
    match backend {
        Backend::Sqlite => {
            let path = std::env::temp_dir().join(format!("sendplan-test-{}.db", random_suffix()));
            let url = format!("sqlite://{}", path.display());
            let store = Store::open(&url).await.expect("open sqlite");
            test(store, url).await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url();
            let admin = Store::connect(&admin_url).await.unwrap_or_else(|e| {
                panic!("PostgreSQL is not reachable at {admin_url} ({e}); start it or set SENDPLAN_TEST_POSTGRES_URL")
            });
            let name = format!("sendplan_test_{}", random_suffix());
            admin
                .execute_unchecked(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create database");
            let (base, _) = admin_url.rsplit_once('/').expect("url has a database");
            let url = format!("{base}/{name}");
            let store = Store::open(&url).await.expect("open postgres");
            test(store.clone(), url).await;
            store.close().await;
            admin
                .execute_unchecked(&format!("DROP DATABASE {name} WITH (FORCE)"))
                .await
                .expect("drop database");
        }
    }
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite { $(#[tokio::test] async fn $name() { super::with_store(super::Backend::Sqlite, super::$name).await })+ }
        mod postgres { $(#[tokio::test] async fn $name() { super::with_store(super::Backend::Postgres, super::$name).await })+ }
    };
}

on_both_backends!(
    records_round_trip_with_versions,
    a_stale_edit_is_refused_not_applied,
    another_partnerships_records_are_not_found,
    updates_set_the_current_rating_and_keep_history,
    overview_flags_overdue_stale_and_blocked_actions,
    dependency_loops_and_duplicate_numbers_are_refused,
    every_kind_of_change_is_audited,
    history_cannot_be_rewritten_even_with_sql,
    sessions_expire_and_can_be_ended,
    parallel_attempts_never_pass_the_limit,
    invitations_are_single_use_and_audited,
    leavers_lose_access_at_once_and_someone_always_administers,
    the_data_version_moves_with_each_change_and_only_then,
    memberships_give_roles_per_partnership,
    merging_a_person_moves_everything_that_names_them,
    measures_keep_their_trajectory_and_every_revision,
    surveys_are_stored_whole_and_kept_to_their_partnership,
    issued_papers_cannot_be_changed,
    public_profiles_are_saved_once_per_version,
    a_local_offer_is_imported_whole_and_again_by_its_ids,
    postcodes_are_placed_exactly_or_by_their_area,
    a_providers_change_waits_for_an_officer_and_never_overwrites_theirs,
    a_review_email_is_sent_once_and_its_link_records_the_check,
    the_local_offers_figures_are_a_plans_measures_recorded_when_they_change,
    page_views_are_rolled_up_by_day_and_read_back_over_any_range,
    an_answer_takes_one_comment_and_publishing_makes_a_you_said_entry,
    a_casework_return_is_imported_whole_and_again_replaces_it,
    casework_is_granted_apart_from_roles_and_the_plans_measures_follow_each_import,
    reminders_are_queued_once_and_sent_by_one_sender,
    a_form_token_is_claimed_once_however_many_send_it,
    a_deleted_record_comes_back_exactly_and_is_purged_after_thirty_days,
    a_correction_supersedes_an_update_and_both_stay_in_the_history,
    an_archived_plan_leaves_the_lists_reminders_and_public_pages,
    a_new_plan_is_deleted_with_its_history_and_restored_and_an_old_one_is_not,
    one_entry_is_split_into_the_people_it_names,
    a_paper_is_corrected_by_a_new_one_that_takes_its_public_place,
);

const TODAY: Date = date!(2022 - 06 - 01);
const ACTOR: Actor = Actor(None);

#[derive(Clone, Copy)]
struct Fixture {
    partnership: PartnershipId,
    plan: PlanId,
    area: AreaId,
    lead: PersonId,
    author: UserId,
}

fn form(pairs: &[(&str, &str)]) -> RawForm {
    RawForm::from_pairs(pairs)
}

async fn fixture(store: &Store, la_code: &str) -> Fixture {
    let partnership = store
        .create_partnership(
            ACTOR,
            &PartnershipInput {
                name: format!("Area {la_code}"),
                la_code: la_code.to_owned(),
            },
        )
        .await
        .expect("partnership");
    let lead = store
        .create_person(
            ACTOR,
            partnership,
            &PersonInput::parse(&form(&[("name", "Pete Rix"), ("short_code", "PeRi")]))
                .expect("valid"),
        )
        .await
        .expect("person");
    let plan_input = PlanInput::parse(
        &form(&[
            ("kind", "wsoa"),
            ("title", "Written Statement of Action"),
            ("status", "active"),
            ("stale_after_days", "42"),
            ("rating_preset", "wolverhampton"),
        ]),
        true,
    )
    .expect("valid plan");
    let plan = store
        .create_plan(
            ACTOR,
            partnership,
            &plan_input,
            &RatingPreset::Wolverhampton.ratings(),
        )
        .await
        .expect("plan");
    let area = store
        .create_area(
            ACTOR,
            partnership,
            plan,
            &AreaInput::parse(&form(&[("number", "1"), ("title", "Autism pathway")]))
                .expect("valid"),
        )
        .await
        .expect("area");
    let author = store
        .create_user(
            &format!("lead-{la_code}@example.org"),
            "Pete Rix",
            "hash",
            false,
        )
        .await
        .expect("user");
    Fixture {
        partnership,
        plan,
        area,
        lead,
        author,
    }
}

async fn add_action(store: &Store, f: &Fixture, number: &str, extra: &[(&str, &str)]) -> ActionId {
    let lead = f.lead.to_string();
    let mut pairs = vec![
        ("number", number),
        ("description", "Develop an all-age autism pathway"),
        ("leads", lead.as_str()),
    ];
    pairs.extend_from_slice(extra);
    let input = ActionInput::parse(&form(&pairs), |_| {
        sendplan_domain::numbering::ItemNumber::parse("1").ok()
    })
    .expect("valid action");
    store
        .create_action(ACTOR, f.partnership, f.area, &input, date!(2022 - 01 - 10))
        .await
        .expect("action")
}

async fn rate(store: &Store, f: &Fixture, action: ActionId, label: &str, on: Date) {
    let ratings = store
        .list_ratings(f.partnership, f.plan)
        .await
        .expect("ratings");
    let rating = ratings
        .iter()
        .find(|r| r.label == label)
        .expect("rating exists");
    let input = UpdateInput {
        update_date: on,
        rating_id: rating.id,
        narrative: format!("Rated {label}"),
        evidence_links: vec![],
    };
    store
        .add_update(Actor(Some(f.author)), f.partnership, action, &input)
        .await
        .expect("update");
}

async fn records_round_trip_with_versions(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(
        &store,
        &f,
        "1.2",
        &[
            ("resource-0-kind", "additional"),
            ("resource-0-description", "Autism practitioner"),
            ("resource-0-amount", "£45,000"),
            ("completion_date-day", "28"),
            ("completion_date-month", "2"),
            ("completion_date-year", "2022"),
        ],
    )
    .await;
    let stored = store.get_action(f.partnership, action).await.expect("get");
    assert_eq!(stored.number.to_string(), "1.2");
    assert_eq!(stored.leads, vec![f.lead]);
    assert_eq!(stored.resources[0].amount_pence, Some(4_500_000));
    assert_eq!(stored.completion_date, Some(date!(2022 - 02 - 28)));
    assert_eq!(stored.version, 1);
    let plan = store.get_plan(f.partnership, f.plan).await.expect("plan");
    assert_eq!(plan.stale_after_days, 42);
    let ratings = store
        .list_ratings(f.partnership, f.plan)
        .await
        .expect("ratings");
    let labels: Vec<_> = ratings.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["RED", "AMBER", "GREEN", "BLUE", "PINK"]);
}

async fn a_stale_edit_is_refused_not_applied(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    let edit = |description: &str| {
        ActionInput::parse(
            &form(&[("number", "1.1"), ("description", description)]),
            |_| sendplan_domain::numbering::ItemNumber::parse("1").ok(),
        )
        .expect("valid")
    };
    store
        .update_action(
            ACTOR,
            f.partnership,
            action,
            1,
            &edit("First editor's text"),
        )
        .await
        .expect("first save");
    let second = store
        .update_action(
            ACTOR,
            f.partnership,
            action,
            1,
            &edit("Second editor's text"),
        )
        .await;
    assert!(matches!(second, Err(StoreError::Conflict)), "{second:?}");
    let stored = store.get_action(f.partnership, action).await.expect("get");
    assert_eq!(stored.description, "First editor's text");
    assert_eq!(stored.version, 2);
}

async fn another_partnerships_records_are_not_found(store: Store, _url: String) {
    let ours = fixture(&store, "E08000031").await;
    let theirs = fixture(&store, "E10000031").await;
    let action = add_action(&store, &theirs, "1.1", &[]).await;
    assert!(matches!(
        store.get_action(ours.partnership, action).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_plan(ours.partnership, theirs.plan).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.get_person(ours.partnership, theirs.lead).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .plan_overview(ours.partnership, theirs.plan, TODAY)
            .await,
        Err(StoreError::NotFound)
    ));
    // Nor can our records point at theirs.
    let their_lead = theirs.lead.to_string();
    let input = ActionInput::parse(
        &form(&[
            ("number", "1.5"),
            ("description", "x"),
            ("leads", &their_lead),
        ]),
        |_| sendplan_domain::numbering::ItemNumber::parse("1").ok(),
    )
    .expect("valid");
    assert!(matches!(
        store
            .create_action(ACTOR, ours.partnership, ours.area, &input, TODAY)
            .await,
        Err(StoreError::Rule(_))
    ));
    // And their rating cannot be used on our action.
    let our_action = add_action(&store, &ours, "1.1", &[]).await;
    let their_rating = store
        .list_ratings(theirs.partnership, theirs.plan)
        .await
        .expect("ratings")[0]
        .id;
    let update = UpdateInput {
        update_date: TODAY,
        rating_id: their_rating,
        narrative: "x".into(),
        evidence_links: vec![],
    };
    assert!(matches!(
        store
            .add_update(
                Actor(Some(ours.author)),
                ours.partnership,
                our_action,
                &update
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    assert!(store
        .list_audit(ours.partnership, None, 500)
        .await
        .expect("audit")
        .iter()
        .all(|e| e.partnership_id == Some(ours.partnership)));
}

async fn updates_set_the_current_rating_and_keep_history(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    rate(&store, &f, action, "AMBER", date!(2022 - 03 - 01)).await;
    // Read (and so cache) the overview, then change the plan: the next read must see it.
    let cached = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    assert_eq!(
        cached.actions[0].rating.as_ref().map(|r| r.label.as_str()),
        Some("AMBER")
    );
    rate(&store, &f, action, "GREEN", date!(2022 - 05 - 01)).await;
    // An update back-dated to before the latest one does not become the current rating.
    rate(&store, &f, action, "RED", date!(2022 - 04 - 01)).await;
    let overview = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    let row = overview
        .actions
        .iter()
        .find(|a| a.id == action)
        .expect("row");
    assert_eq!(row.rating.as_ref().map(|r| r.label.as_str()), Some("GREEN"));
    assert_eq!(row.latest_update, Some(date!(2022 - 05 - 01)));
    assert_eq!(overview.counts().get(RatingClass::OnTrack), 1);
    let history = store
        .list_updates(f.partnership, action)
        .await
        .expect("history");
    let dates: Vec<_> = history.iter().map(|u| u.update_date).collect();
    assert_eq!(
        dates,
        [
            date!(2022 - 05 - 01),
            date!(2022 - 04 - 01),
            date!(2022 - 03 - 01)
        ]
    );
    assert_eq!(history[0].author_name, "Pete Rix");
}

async fn overview_flags_overdue_stale_and_blocked_actions(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let overdue = add_action(
        &store,
        &f,
        "1.1",
        &[
            ("completion_date-day", "1"),
            ("completion_date-month", "5"),
            ("completion_date-year", "2022"),
        ],
    )
    .await;
    let done = add_action(
        &store,
        &f,
        "1.2",
        &[
            ("completion_date-day", "1"),
            ("completion_date-month", "5"),
            ("completion_date-year", "2022"),
        ],
    )
    .await;
    rate(&store, &f, done, "BLUE", date!(2022 - 04 - 20)).await;
    let stale = add_action(&store, &f, "1.3", &[]).await;
    rate(&store, &f, stale, "GREEN", date!(2022 - 03 - 01)).await;
    let overdue_text = overdue.to_string();
    let blocked = add_action(&store, &f, "1.4", &[("depends_on", overdue_text.as_str())]).await;
    let milestone = MilestoneInput {
        title: "Launch strategy".into(),
        due_date: Some(date!(2022 - 05 - 15)),
        success_criteria: String::new(),
        done_date: None,
        due_text: String::new(),
        done_evidence: String::new(),
    };
    store
        .create_milestone(ACTOR, f.partnership, overdue, &milestone)
        .await
        .expect("milestone");

    let overview = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    let flags = |id| {
        overview
            .actions
            .iter()
            .find(|a| a.id == id)
            .expect("row")
            .flags
    };
    assert!(flags(overdue).overdue);
    assert_eq!(flags(overdue).overdue_milestones, 1);
    assert!(!flags(done).overdue && flags(done).complete);
    assert!(flags(stale).needs_update);
    assert!(flags(blocked).blocked);
    assert_eq!(overview.attention().overdue_milestones, 1);
    assert_eq!(overview.attention().overdue, 1);
    let numbers: Vec<_> = overview
        .actions
        .iter()
        .map(|a| a.number.to_string())
        .collect();
    assert_eq!(numbers, ["1.1", "1.2", "1.3", "1.4"]);
    let summary = store
        .partnership_summary(f.partnership, TODAY)
        .await
        .expect("summary");
    assert_eq!(summary.plans.len(), 1);
    assert_eq!(summary.plans[0].counts.get(RatingClass::Complete), 1);
    assert_eq!(summary.plans[0].counts.unrated, 2);
}

async fn dependency_loops_and_duplicate_numbers_are_refused(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let first = add_action(&store, &f, "1.1", &[]).await;
    let first_text = first.to_string();
    let second = add_action(&store, &f, "1.2", &[("depends_on", first_text.as_str())]).await;
    let second_text = second.to_string();
    let input = ActionInput::parse(
        &form(&[
            ("number", "1.1"),
            ("description", "x"),
            ("depends_on", &second_text),
        ]),
        |_| sendplan_domain::numbering::ItemNumber::parse("1").ok(),
    )
    .expect("valid");
    assert!(matches!(
        store
            .update_action(ACTOR, f.partnership, first, 1, &input)
            .await,
        Err(StoreError::Rule(_))
    ));
    let duplicate = ActionInput::parse(&form(&[("number", "1.2"), ("description", "x")]), |_| {
        sendplan_domain::numbering::ItemNumber::parse("1").ok()
    })
    .expect("valid");
    assert!(matches!(
        store
            .create_action(ACTOR, f.partnership, f.area, &duplicate, TODAY)
            .await,
        Err(StoreError::Duplicate(_))
    ));
}

async fn every_kind_of_change_is_audited(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    rate(&store, &f, action, "GREEN", TODAY).await;
    let milestone = MilestoneInput {
        title: "Launch".into(),
        due_date: None,
        success_criteria: String::new(),
        done_date: None,
        due_text: String::new(),
        done_evidence: String::new(),
    };
    let m = store
        .create_milestone(ACTOR, f.partnership, action, &milestone)
        .await
        .expect("milestone");
    store
        .update_milestone(
            ACTOR,
            f.partnership,
            m,
            1,
            &MilestoneInput {
                done_date: Some(TODAY),
                ..milestone
            },
        )
        .await
        .expect("done");
    let org = store
        .create_organisation(
            ACTOR,
            f.partnership,
            &OrganisationInput {
                name: "Voice 4 Parents".into(),
                kind: sendplan_domain::partnership::OrganisationKind::ParentCarerForum,
            },
        )
        .await
        .expect("org");
    store
        .update_organisation(
            ACTOR,
            f.partnership,
            org,
            1,
            &OrganisationInput {
                name: "Voice4Parents".into(),
                kind: sendplan_domain::partnership::OrganisationKind::ParentCarerForum,
            },
        )
        .await
        .expect("org edit");
    let inspection = store
        .create_inspection(
            ACTOR,
            f.partnership,
            &InspectionInput {
                framework: sendplan_domain::inspection::Framework::Joint2016,
                start_date: date!(2021 - 09 - 13),
                end_date: date!(2021 - 09 - 17),
                published_date: Some(date!(2021 - 11 - 12)),
                outcome: sendplan_domain::inspection::InspectionOutcome::WsoaRequired,
                date_precision: sendplan_domain::history::DatePrecision::Days,
                inspectors: "HMI".into(),
                main_findings: "Leaders are committed".into(),
            },
        )
        .await
        .expect("inspection");
    let weakness = store
        .add_finding(
            ACTOR,
            f.partnership,
            inspection,
            &FindingInput {
                kind: sendplan_domain::inspection::FindingKind::SignificantWeakness,
                heading: None,
                text: "Waits".into(),
            },
        )
        .await
        .expect("finding");
    store
        .add_revisit(
            ACTOR,
            f.partnership,
            inspection,
            &RevisitInput {
                date: TODAY,
                summary: String::new(),
                judgements: vec![(weakness, true, String::new())],
            },
        )
        .await
        .expect("revisit");
    store
        .add_rating(
            ACTOR,
            f.partnership,
            f.plan,
            &RatingInput {
                label: "GREY".into(),
                colour: sendplan_domain::rating::TagColour::Grey,
                meaning: "Not due".into(),
                class: RatingClass::NotYetDue,
            },
        )
        .await
        .expect("rating");
    let user = store
        .create_user("viewer@example.org", "Viewer", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, user, f.partnership, Role::Viewer, None)
        .await
        .expect("role");

    let events = store
        .list_audit(f.partnership, None, 500)
        .await
        .expect("audit");
    let kinds: std::collections::BTreeSet<(String, String)> = events
        .iter()
        .map(|e| (e.entity.clone(), e.change.clone()))
        .collect();
    for expected in [
        ("partnership", "created"),
        ("person", "created"),
        ("plan", "created"),
        ("area", "created"),
        ("action", "created"),
        ("update", "added"),
        ("milestone", "created"),
        ("milestone", "updated"),
        ("organisation", "created"),
        ("organisation", "updated"),
        ("inspection", "created"),
        ("finding", "created"),
        ("revisit", "created"),
        ("rating", "created"),
        ("membership", "granted"),
    ] {
        assert!(
            kinds.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "no audit entry for {expected:?}: {kinds:?}"
        );
    }
    let edit = events
        .iter()
        .find(|e| e.entity == "organisation" && e.change == "updated")
        .expect("edit");
    assert!(edit
        .before
        .as_deref()
        .is_some_and(|b| b.contains("Voice 4 Parents")));
    assert!(edit
        .after
        .as_deref()
        .is_some_and(|a| a.contains("Voice4Parents")));
}

async fn history_cannot_be_rewritten_even_with_sql(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    rate(&store, &f, action, "GREEN", TODAY).await;
    assert!(store
        .execute_unchecked("UPDATE updates SET narrative = 'rewritten'")
        .await
        .is_err());
    assert!(store
        .execute_unchecked("DELETE FROM updates")
        .await
        .is_err());
    assert!(store
        .execute_unchecked("DELETE FROM audit_events")
        .await
        .is_err());
    assert_eq!(
        store
            .list_updates(f.partnership, action)
            .await
            .expect("history")[0]
            .narrative,
        "Rated GREEN"
    );
}

fn session<'a>(token: &'a str, user: UserId, now: OffsetDateTime) -> NewSession<'a> {
    NewSession {
        token_hash: token,
        handle: token,
        user,
        csrf_token: "csrf",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0",
        now,
        expires_at: now + time::Duration::days(30),
    }
}

async fn sessions_expire_and_can_be_ended(store: Store, _url: String) {
    let user = store
        .create_user("a@example.org", "A", "hash", false)
        .await
        .expect("user");
    let times = SessionTimes::default();
    let now = OffsetDateTime::now_utc();
    store
        .create_session(&session("live", user, now))
        .await
        .expect("session");
    store
        .create_session(&NewSession {
            expires_at: now - time::Duration::hours(1),
            ..session("old", user, now - time::Duration::days(31))
        })
        .await
        .expect("session");
    store
        .create_session(&session("idle", user, now - time::Duration::hours(9)))
        .await
        .expect("session");
    let found = store.find_session("live", times, now).await.expect("find");
    assert_eq!(
        found.map(|s| (s.user.id, s.handle)),
        Some((user, "live".to_owned()))
    );
    assert!(store
        .find_session("old", times, now)
        .await
        .expect("find")
        .is_none());
    assert!(
        store
            .find_session("idle", times, now)
            .await
            .expect("find")
            .is_none(),
        "a session unused for longer than the idle time-out has ended"
    );
    // Using a session keeps it alive past the idle time-out from its start.
    let later = now + time::Duration::hours(7);
    assert!(store
        .find_session("live", times, later)
        .await
        .expect("find")
        .is_some());
    assert!(store
        .find_session("live", times, later + time::Duration::hours(7))
        .await
        .expect("find")
        .is_some());
    assert_eq!(
        store
            .list_sessions(user)
            .await
            .expect("list")
            .iter()
            .map(|s| s.handle.as_str())
            .collect::<Vec<_>>()[0],
        "live"
    );
    store
        .create_session(&session("second", user, now))
        .await
        .expect("session");
    store
        .end_sessions(user, Some("second"))
        .await
        .expect("end others");
    let left: Vec<String> = store
        .list_sessions(user)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.handle)
        .collect();
    assert_eq!(left, vec!["second".to_owned()]);
    store.end_session(user, "second").await.expect("end");
    assert!(store
        .find_session("second", times, now)
        .await
        .expect("find")
        .is_none());
    store.delete_session("live").await.expect("delete");
    assert!(store
        .find_session("live", times, now)
        .await
        .expect("find")
        .is_none());
    assert!(matches!(
        store.create_user("A@example.org", "A", "hash", false).await,
        Err(StoreError::Duplicate(_))
    ));
}

/// Sixty attempts at once against one bucket: exactly the limit get through, because the
/// count and the check are one statement (the old in-memory throttle let 49 through).
async fn parallel_attempts_never_pass_the_limit(store: Store, _url: String) {
    let now = OffsetDateTime::now_utc();
    let limit = SIGN_IN_PER_ACCOUNT;
    let attempts = (0..60).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.count_attempt("sign-in-account:x", limit, now).await })
    });
    let mut allowed = 0;
    let mut counts = Vec::new();
    for attempt in attempts {
        let attempt = attempt.await.expect("task").expect("count");
        counts.push(attempt.count);
        if attempt.allowed(limit) {
            allowed += 1;
        }
    }
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=60).collect::<Vec<i64>>(),
        "each attempt saw its own count"
    );
    assert_eq!(allowed, limit.attempts);
    // Another key is unaffected; the window passing starts the count again.
    assert!(store
        .count_attempt("sign-in-account:y", limit, now)
        .await
        .expect("count")
        .allowed(limit));
    let after = now + limit.window + time::Duration::seconds(1);
    assert_eq!(
        store
            .count_attempt("sign-in-account:x", limit, after)
            .await
            .expect("count")
            .count,
        1
    );
    store
        .clear_attempts("sign-in-account:x")
        .await
        .expect("clear");
    assert_eq!(
        store
            .count_attempt("sign-in-account:x", limit, after)
            .await
            .expect("count")
            .count,
        1
    );
}

/// Invitations: one open per address, a link that works once, resend replaces the link,
/// withdrawal and expiry end it, and accepting gives the role, all audited.
async fn invitations_are_single_use_and_audited(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let admin = store
        .create_user("admin@example.org", "Ann", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, admin, f.partnership, Role::Admin, None)
        .await
        .expect("admin");
    let now = OffsetDateTime::now_utc();
    let input = InvitationInput {
        email: "lead@example.org".into(),
        role: Role::ActionLead,
        person: Some(f.lead),
        organisation: None,
    };
    let mail = OutgoingMail {
        partnership: Some(f.partnership),
        purpose: "invitation",
        to: sendplan_domain::reminders::Recipient {
            name: String::new(),
            email: input.email.clone(),
        },
        subject: "Invited".into(),
        body: "Open http://x/invitations/first".into(),
        secret: true,
    };
    let id = store
        .create_invitation(
            Actor(Some(admin)),
            f.partnership,
            &input,
            "first",
            now,
            Some(&mail),
        )
        .await
        .expect("invite");
    assert!(
        matches!(
            store
                .create_invitation(
                    Actor(Some(admin)),
                    f.partnership,
                    &input,
                    "again",
                    now,
                    None
                )
                .await,
            Err(StoreError::Duplicate(_))
        ),
        "a second open invitation to the same address is refused"
    );
    store
        .resend_invitation(Actor(Some(admin)), f.partnership, id, "second", now, None)
        .await
        .expect("resend");
    assert!(
        store
            .invitation_by_token("first")
            .await
            .expect("find")
            .is_none(),
        "the old link stops working"
    );
    // Another partnership cannot see or touch it.
    let other = fixture(&store, "E10000031").await;
    assert!(matches!(
        store.get_invitation(other.partnership, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .withdraw_invitation(ACTOR, other.partnership, id, now)
            .await,
        Err(StoreError::NotFound)
    ));
    // Accepting makes the account and gives the role, once.
    let accepting = Accepting::NewAccount {
        display_name: "Lee",
        password_hash: "hash",
    };
    let (user, partnership) = store
        .accept_invitation("second", accepting.clone(), now)
        .await
        .expect("accept")
        .expect("accepted");
    assert_eq!(partnership, f.partnership);
    assert_eq!(
        store.membership(user, f.partnership).await.expect("m"),
        Some((Role::ActionLead, Some(f.lead)))
    );
    assert!(store
        .accept_invitation("second", accepting, now)
        .await
        .expect("again")
        .is_none());
    assert!(
        matches!(
            store
                .create_invitation(ACTOR, f.partnership, &input, "third", now, None)
                .await,
            Err(StoreError::Rule(_))
        ),
        "a member is not invited again"
    );
    // An expired invitation is not accepted; a withdrawn one neither.
    let late = InvitationInput {
        email: "late@example.org".into(),
        role: Role::Viewer,
        person: None,
        organisation: None,
    };
    store
        .create_invitation(
            ACTOR,
            f.partnership,
            &late,
            "late",
            now - time::Duration::days(8),
            None,
        )
        .await
        .expect("invite");
    let viewer = Accepting::NewAccount {
        display_name: "Late",
        password_hash: "hash",
    };
    assert!(store
        .accept_invitation("late", viewer.clone(), now)
        .await
        .expect("expired")
        .is_none());
    let gone = InvitationInput {
        email: "gone@example.org".into(),
        role: Role::Viewer,
        person: None,
        organisation: None,
    };
    let gone_id = store
        .create_invitation(ACTOR, f.partnership, &gone, "gone", now, None)
        .await
        .expect("invite");
    store
        .withdraw_invitation(ACTOR, f.partnership, gone_id, now)
        .await
        .expect("withdraw");
    store
        .withdraw_invitation(ACTOR, f.partnership, gone_id, now)
        .await
        .expect("withdrawing twice is fine");
    assert!(store
        .accept_invitation("gone", viewer, now)
        .await
        .expect("withdrawn")
        .is_none());
    // An existing account must be the invitation's address.
    let someone = InvitationInput {
        email: "someone@example.org".into(),
        role: Role::Viewer,
        person: None,
        organisation: None,
    };
    store
        .create_invitation(ACTOR, f.partnership, &someone, "someone", now, None)
        .await
        .expect("invite");
    assert!(matches!(
        store
            .accept_invitation("someone", Accepting::Account(admin), now)
            .await,
        Err(StoreError::Rule(_))
    ));
    let kinds: std::collections::BTreeSet<String> = store
        .list_audit(f.partnership, None, 100)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.entity == "invitation")
        .map(|e| e.change)
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        vec!["accepted", "created", "resent", "withdrawn"]
    );
    // The email went to the outbox; once sent, its link is blanked.
    let mail = store
        .claim_mail(now, time::Duration::minutes(10), 10)
        .await
        .expect("claim");
    assert_eq!(mail.len(), 1);
    assert_eq!(
        (mail[0].purpose.as_str(), mail[0].plan_id),
        ("invitation", None)
    );
    store.mail_sent(mail[0].id, now).await.expect("sent");
    let sent = store.get_mail(mail[0].id).await.expect("mail");
    assert!(sent.sent_at.is_some());
    assert!(
        !sent.body.contains("/invitations/"),
        "a sent link is not kept: {}",
        sent.body
    );
}

/// Leavers: removing a member or disabling an account ends its sessions at once; a
/// partnership always keeps an administrator; deployment keeps a deployment admin.
async fn leavers_lose_access_at_once_and_someone_always_administers(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let now = OffsetDateTime::now_utc();
    let times = SessionTimes::default();
    let admin = store
        .create_user("admin@example.org", "Ann", "hash", true)
        .await
        .expect("user");
    let lead = store
        .create_user("lead@example.org", "Lee", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, admin, f.partnership, Role::Admin, None)
        .await
        .expect("role");
    store
        .grant_role(ACTOR, lead, f.partnership, Role::ActionLead, None)
        .await
        .expect("role");
    assert!(
        matches!(
            store
                .change_role(ACTOR, f.partnership, admin, Role::Viewer, None, None)
                .await,
            Err(StoreError::Rule(_))
        ),
        "the only administrator cannot be made a viewer"
    );
    assert!(matches!(
        store.remove_member(ACTOR, f.partnership, admin).await,
        Err(StoreError::Rule(_))
    ));
    store
        .change_role(
            Actor(Some(admin)),
            f.partnership,
            lead,
            Role::PlanManager,
            None,
            None,
        )
        .await
        .expect("change");
    assert_eq!(
        store.membership(lead, f.partnership).await.expect("m"),
        Some((Role::PlanManager, None))
    );
    store
        .create_session(&session("lead-session", lead, now))
        .await
        .expect("session");
    assert!(store
        .remove_member(Actor(Some(admin)), f.partnership, lead)
        .await
        .expect("remove"));
    assert!(!store
        .remove_member(Actor(Some(admin)), f.partnership, lead)
        .await
        .expect("twice"));
    assert!(store
        .find_session("lead-session", times, now)
        .await
        .expect("find")
        .is_none());
    assert_eq!(
        store.membership(lead, f.partnership).await.expect("m"),
        None
    );
    // Disabling ends sessions and stops them being found; enabling lets sign-in again.
    store
        .create_session(&session("lead-again", lead, now))
        .await
        .expect("session");
    assert!(store
        .set_account_disabled(Actor(Some(admin)), lead, true)
        .await
        .expect("disable"));
    assert!(!store
        .set_account_disabled(Actor(Some(admin)), lead, true)
        .await
        .expect("twice"));
    assert!(store
        .find_session("lead-again", times, now)
        .await
        .expect("find")
        .is_none());
    assert!(store.get_user(lead).await.expect("user").disabled);
    store
        .set_account_disabled(Actor(Some(admin)), lead, false)
        .await
        .expect("enable");
    // The last deployment administrator stays one and cannot be disabled.
    assert!(matches!(
        store.set_deployment_admin(ACTOR, admin, false).await,
        Err(StoreError::Rule(_))
    ));
    assert!(matches!(
        store.set_account_disabled(ACTOR, admin, true).await,
        Err(StoreError::Rule(_))
    ));
    store
        .set_deployment_admin(Actor(Some(admin)), lead, true)
        .await
        .expect("make");
    store
        .set_deployment_admin(Actor(Some(lead)), admin, false)
        .await
        .expect("now possible");
    let history: Vec<String> = store
        .account_history(lead)
        .await
        .expect("history")
        .into_iter()
        .map(|e| e.change)
        .collect();
    assert_eq!(
        history,
        vec!["deployment_admin", "enabled", "disabled", "created"]
    );
    let membership: Vec<String> = store
        .list_audit(f.partnership, None, 100)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.entity == "membership")
        .map(|e| e.change)
        .collect();
    assert_eq!(membership, vec!["removed", "updated", "granted", "granted"]);
    // A reset link works once and ends every session.
    store
        .create_session(&session("before-reset", lead, now))
        .await
        .expect("session");
    store
        .create_password_reset(lead, "reset", now, now + RESET_VALID_FOR, None)
        .await
        .expect("reset");
    assert_eq!(
        store.password_reset("reset", now).await.expect("r"),
        Some(ResetLink::Usable(lead))
    );
    assert_eq!(
        store
            .use_password_reset("reset", "new-hash", now)
            .await
            .expect("use"),
        Ok(lead)
    );
    assert_eq!(
        store
            .use_password_reset("reset", "newer", now)
            .await
            .expect("use"),
        Err(ResetLink::Used)
    );
    assert!(store
        .find_session("before-reset", times, now)
        .await
        .expect("find")
        .is_none());
    assert_eq!(
        store.get_user(lead).await.expect("user").password_hash,
        "new-hash"
    );
    store
        .create_password_reset(
            lead,
            "stale",
            now - time::Duration::hours(2),
            now - time::Duration::hours(1),
            None,
        )
        .await
        .expect("reset");
    assert_eq!(
        store
            .use_password_reset("stale", "x", now)
            .await
            .expect("use"),
        Err(ResetLink::Expired)
    );
}

async fn memberships_give_roles_per_partnership(store: Store, _url: String) {
    let a = fixture(&store, "E08000031").await;
    let b = fixture(&store, "E10000031").await;
    let user = store
        .create_user("m@example.org", "M", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, user, a.partnership, Role::ActionLead, Some(a.lead))
        .await
        .expect("grant");
    assert_eq!(
        store.membership(user, a.partnership).await.expect("m"),
        Some((Role::ActionLead, Some(a.lead)))
    );
    assert_eq!(
        store.membership(user, b.partnership).await.expect("m"),
        None
    );
    // A person from another partnership cannot be linked.
    assert!(store
        .grant_role(ACTOR, user, a.partnership, Role::ActionLead, Some(b.lead))
        .await
        .is_err());
    let record = store
        .find_user_by_email("M@example.org")
        .await
        .expect("find")
        .expect("exists");
    let visible = store.partnerships_for(&record).await.expect("list");
    assert_eq!(visible.len(), 1);
    assert_eq!(visible[0].1, Some(Role::ActionLead));
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let mut schemas = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (tx, rx) = tokio::sync::oneshot::channel();
        with_store(backend, |store, _| async move {
            let _ = tx.send(store.describe_schema().await.expect("describe"));
        })
        .await;
        schemas.push(rx.await.expect("schema"));
    }
    assert!(
        schemas[0].len() > 100,
        "schema looks empty: {:?}",
        schemas[0]
    );
    assert_eq!(
        schemas[0], schemas[1],
        "SQLite and PostgreSQL schemas differ"
    );
}

#[tokio::test]
async fn a_backup_is_a_consistent_copy_that_opens() {
    with_store(Backend::Sqlite, |store, _| async move {
        let f = fixture(&store, "E08000031").await;
        let target = std::env::temp_dir().join(format!("sendplan-backup-{}.db", random_suffix()));
        let target_text = target.display().to_string();
        store.backup_to(&target_text).await.expect("backup");
        assert!(
            store.backup_to(&target_text).await.is_err(),
            "must not overwrite"
        );
        let copy = Store::open(&format!("sqlite://{target_text}"))
            .await
            .expect("open copy");
        assert_eq!(
            copy.get_plan(f.partnership, f.plan)
                .await
                .expect("plan")
                .title,
            "Written Statement of Action"
        );
        copy.close().await;
        let _ = std::fs::remove_file(&target);
    })
    .await;
}

async fn merging_a_person_moves_everything_that_names_them(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let mut review = PersonInput::parse(&form(&[("job_title", "PeRi SEND GM")])).expect("valid");
    review.to_review = true;
    let unknown = store
        .create_person(ACTOR, f.partnership, &review)
        .await
        .expect("person");
    let unknown_text = unknown.to_string();
    let both = add_action(&store, &f, "1.1", &[("leads", unknown_text.as_str())]).await;
    let only_unknown = ActionInput::parse(
        &form(&[
            ("number", "1.2"),
            ("description", "x"),
            ("leads", &unknown_text),
        ]),
        |_| sendplan_domain::numbering::ItemNumber::parse("1").ok(),
    )
    .expect("valid");
    let only = store
        .create_action(ACTOR, f.partnership, f.area, &only_unknown, TODAY)
        .await
        .expect("action");
    let area = store.get_area(f.partnership, f.area).await.expect("area");
    let sro = AreaInput {
        senior_responsible_officer: Some(unknown),
        ..AreaInput::parse(&form(&[("number", "1"), ("title", "Autism pathway")])).expect("valid")
    };
    store
        .update_area(ACTOR, f.partnership, f.area, area.version, &sro)
        .await
        .expect("sro");
    // A person who does not exist is refused in words, on both engines (SQLite's foreign
    // key check used to come first: a 500).
    let nobody = AreaInput {
        senior_responsible_officer: Some(PersonId(999_999)),
        ..sro.clone()
    };
    let current = store.get_area(f.partnership, f.area).await.expect("area");
    assert!(matches!(
        store
            .update_area(ACTOR, f.partnership, f.area, current.version, &nobody)
            .await,
        Err(StoreError::Rule(_))
    ));
    assert!(matches!(
        store
            .create_area(
                ACTOR,
                f.partnership,
                f.plan,
                &AreaInput {
                    number: sendplan_domain::numbering::ItemNumber::parse("9").expect("n"),
                    ..nobody.clone()
                }
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    let user = store
        .create_user("peri@example.org", "Penny", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, user, f.partnership, Role::ActionLead, Some(unknown))
        .await
        .expect("role");
    // The person owns a measure (merging such a person was a 500).
    store
        .execute_unchecked(&format!(
            "INSERT INTO measures (id, partnership_id, plan_id, name, definition, unit, polarity, frequency, baseline_date, baseline_value, tolerance, source, created_at, owner_person_id) \
             VALUES (901, {p}, {plan}, 'Owned', '', 'weeks', 'lower', 'monthly', '2022-01-01', 20, 0, 'entered', '2024-01-01T00:00:00Z', {owner})",
            p = f.partnership.0,
            plan = f.plan.0,
            owner = unknown.0
        ))
        .await
        .expect("measure");
    // And is named on an invitation not yet accepted.
    store
        .create_invitation(
            ACTOR,
            f.partnership,
            &InvitationInput {
                email: "invitee@example.org".into(),
                role: Role::Viewer,
                person: Some(unknown),
                organisation: None,
            },
            "merge-invitation",
            OffsetDateTime::now_utc(),
            None,
        )
        .await
        .expect("invitation");

    assert!(
        store
            .merge_person(ACTOR, f.partnership, unknown, unknown)
            .await
            .is_err(),
        "not into itself"
    );
    store
        .merge_person(ACTOR, f.partnership, unknown, f.lead)
        .await
        .expect("merge");
    assert_eq!(
        store
            .get_action(f.partnership, both)
            .await
            .expect("a")
            .leads,
        vec![f.lead],
        "no duplicate lead"
    );
    assert_eq!(
        store
            .get_action(f.partnership, only)
            .await
            .expect("a")
            .leads,
        vec![f.lead]
    );
    assert_eq!(
        store
            .get_area(f.partnership, f.area)
            .await
            .expect("area")
            .senior_responsible_officer,
        Some(f.lead)
    );
    assert_eq!(
        store.membership(user, f.partnership).await.expect("m"),
        Some((Role::ActionLead, Some(f.lead)))
    );
    assert_eq!(
        store
            .get_measure(f.partnership, MeasureId(901))
            .await
            .expect("measure")
            .owner,
        Some(f.lead)
    );
    assert!(matches!(
        store.get_person(f.partnership, unknown).await,
        Err(StoreError::NotFound)
    ));
    let events = store
        .list_audit(f.partnership, None, 5)
        .await
        .expect("audit");
    assert_eq!(
        (events[0].entity.as_str(), events[0].change.as_str()),
        ("person", "merged")
    );
}

async fn measures_keep_their_trajectory_and_every_revision(store: Store, _url: String) {
    use sendplan_domain::measures::*;
    use sendplan_domain::periods::Frequency;
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    let trajectory = Trajectory::new(
        Some(Point {
            date: date!(2022 - 01 - 01),
            value: 242.0,
        }),
        vec![
            Point {
                date: date!(2023 - 06 - 30),
                value: 125.0,
            },
            Point {
                date: date!(2024 - 03 - 31),
                value: 13.0,
            },
        ],
        Polarity::LowerIsBetter,
        10.0,
    )
    .expect("valid");
    let input = MeasureInput {
        name: "Longest wait for an autism assessment".into(),
        definition: "Weeks waited by the longest-waiting child on the list".into(),
        unit: Unit::Weeks,
        frequency: Frequency::Monthly,
        trajectory: trajectory.clone(),
        owner: Some(f.lead),
        source: MeasureSource::Entered,
        areas: vec![f.area],
        actions: vec![action],
    };
    // Plans set targets before measuring: a measure with no baseline stores and reads back.
    // It goes first, so PostgreSQL prepares the insert with a null baseline value before a
    // real one (sqlx's Any driver once typed that null as a 4-byte float).
    let unmeasured = MeasureInput {
        name: "Users who find what they are looking for".into(),
        trajectory: Trajectory::new(
            None,
            vec![Point {
                date: date!(2021 - 12 - 31),
                value: 70.0,
            }],
            Polarity::HigherIsBetter,
            0.0,
        )
        .expect("valid"),
        ..input.clone()
    };
    let id = store
        .create_measure(ACTOR, f.partnership, f.plan, &unmeasured)
        .await
        .expect("a measure with no baseline");
    assert_eq!(
        store
            .get_measure(f.partnership, id)
            .await
            .expect("get")
            .trajectory,
        unmeasured.trajectory
    );
    let measure = store
        .create_measure(ACTOR, f.partnership, f.plan, &input)
        .await
        .expect("measure");
    let stored = store
        .get_measure(f.partnership, measure)
        .await
        .expect("get");
    assert_eq!(stored.trajectory, trajectory);

    assert_eq!(
        (stored.areas.clone(), stored.actions.clone()),
        (vec![f.area], vec![action])
    );
    let june = Frequency::Monthly
        .parse_period("June 2023")
        .expect("period");
    let point = |value: f64| DataPointInput {
        period: june.clone(),
        value,
        status: DataStatus::Provisional,
        note: String::new(),
    };
    store
        .record_data_point(Actor(Some(f.author)), f.partnership, measure, &point(140.0))
        .await
        .expect("first");
    store
        .record_data_point(Actor(Some(f.author)), f.partnership, measure, &point(120.0))
        .await
        .expect("revision");
    let current = store
        .list_data_points(f.partnership, measure, false)
        .await
        .expect("current");
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0].value, current[0].status),
        (120.0, DataStatus::Revised)
    );
    let history = store
        .list_data_points(f.partnership, measure, true)
        .await
        .expect("history");
    assert_eq!(history.len(), 2, "the earlier value is kept");
    assert_eq!(history[0].replaced_by, Some(current[0].id));
    assert_eq!(
        stored.trajectory.rate(Point {
            date: june.span.end,
            value: current[0].value
        }),
        Some(MeasureStatus::OnTrack)
    );
    let england = |value: Option<f64>, source: &str| Comparator {
        series: "england".to_owned(),
        period: june.label.clone(),
        period_end: june.span.end,
        value,
        source: source.to_owned(),
    };
    store
        .set_comparator(f.partnership, measure, &england(Some(30.0), "example"))
        .await
        .expect("comparator");
    store
        .set_comparator(f.partnership, measure, &england(None, "suppressed"))
        .await
        .expect("update");
    assert_eq!(
        store
            .list_comparators(f.partnership, measure)
            .await
            .expect("list"),
        vec![england(None, "suppressed")]
    );
    let other = fixture(&store, "E10000031").await;
    assert!(matches!(
        store.get_measure(other.partnership, measure).await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .list_audit(f.partnership, None, 5)
        .await
        .expect("audit")
        .iter()
        .any(|e| e.change == "revised"));
}

async fn surveys_are_stored_whole_and_kept_to_their_partnership(store: Store, _url: String) {
    use sendplan_domain::surveys::*;
    let f = fixture(&store, "E08000031").await;
    let input = SurveyInput {
        title: "Voice 4 Parents annual survey 2021".into(),
        series: "Voice 4 Parents annual survey".into(),
        run_by: "Voice 4 Parents".into(),
        audience: "Parents and carers".into(),
        period: "2021".into(),
        respondents: Some(245),
        quotes: vec!["Thank you".into()],
        questions: vec![Question {
            number: "1".into(),
            topic: "Support".into(),
            text: "How supported do you feel by the local authority?".into(),
            multiple: false,
            answered: None,
            notes: String::new(),
            options: vec![
                // No percentage first: PostgreSQL prepares the insert with a null first.
                OptionResult {
                    label: "Not sure".into(),
                    percent: None,
                    count: Some(10),
                },
                OptionResult {
                    label: "Very supported".into(),
                    percent: Some(4.0),
                    count: None,
                },
                OptionResult {
                    label: "Not supported at all".into(),
                    percent: Some(35.0),
                    count: Some(86),
                },
            ],
        }],
    };
    let id = store
        .create_survey(ACTOR, f.partnership, f.plan, &input)
        .await
        .expect("survey");
    let stored = store.get_survey(f.partnership, id).await.expect("get");
    assert_eq!(stored.survey, input, "everything comes back exactly");
    let mut bad = input.clone();
    bad.questions[0].options[1].percent = Some(140.0);
    assert!(matches!(
        store.create_survey(ACTOR, f.partnership, f.plan, &bad).await,
        Err(StoreError::Rule(m)) if m.contains("between 0 and 100")
    ));
    assert_eq!(
        store.list_surveys(f.partnership).await.expect("list").len(),
        1,
        "the bad one left nothing"
    );
    let other = fixture(&store, "E10000031").await;
    assert!(matches!(
        store.get_survey(other.partnership, id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .create_survey(ACTOR, other.partnership, f.plan, &input)
            .await,
        Err(StoreError::NotFound)
    ));
}

#[tokio::test]
async fn a_database_with_measures_from_before_optional_baselines_keeps_them() {
    use sendplan_domain::measures::Point;
    // Version 4 rebuilds the SQLite measures table (with foreign keys on); the targets and
    // values that point at it must survive.
    let path = std::env::temp_dir().join(format!("sendplan-migrate-{}.db", random_suffix()));
    let url = format!("sqlite://{}", path.display());
    let old = Store::connect(&url).await.expect("connect");
    old.execute_unchecked(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await
    .expect("table");
    for m in &sendplan_storage::MIGRATIONS[..3] {
        old.execute_unchecked(m.sqlite)
            .await
            .expect("old migration");
        old.execute_unchecked(&format!(
            "INSERT INTO schema_migrations VALUES ({}, '{}', '2024-01-01T00:00:00Z')",
            m.version, m.name
        ))
        .await
        .expect("record");
    }
    // The fixture is written through today's code, which moves each partnership's data
    // version as it writes (migration 13 makes the table; it keeps one already there).
    old.execute_unchecked(
        "CREATE TABLE data_versions (partnership_id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
    )
    .await
    .expect("table");
    let f = fixture(&old, "E08000031").await;
    old.execute_unchecked(&format!(
        "INSERT INTO measures (id, partnership_id, plan_id, name, definition, unit, polarity, frequency, baseline_date, baseline_value, tolerance, source, created_at) \
         VALUES (900, {p}, {plan}, 'Wait', '', 'weeks', 'lower', 'monthly', '2022-01-01', 242, 0, 'entered', '2024-01-01T00:00:00Z'); \
         INSERT INTO measure_targets (measure_id, target_date, value) VALUES (900, '2023-06-30', 125); \
         INSERT INTO data_points (partnership_id, measure_id, period, period_start, period_end, value, status, note, recorded_at) \
         VALUES ({p}, 900, '2022-06', '2022-06-01', '2022-06-30', 230, 'final', '', '2024-01-01T00:00:00Z');",
        p = f.partnership.0,
        plan = f.plan.0
    ))
    .await
    .expect("version 3 rows");
    old.close().await;

    let store = Store::open(&url)
        .await
        .expect("migrates to the latest version");
    let measure = store
        .get_measure(f.partnership, MeasureId(900))
        .await
        .expect("the measure is still there");
    assert_eq!(
        measure.trajectory.baseline,
        Some(Point {
            date: date!(2022 - 01 - 01),
            value: 242.0
        })
    );
    assert_eq!(measure.trajectory.targets.len(), 1);
    let values = store
        .list_data_points(f.partnership, MeasureId(900), true)
        .await
        .expect("values");
    assert_eq!(values.len(), 1);
    assert!(
        store
            .execute_unchecked("UPDATE measures SET baseline_value = NULL WHERE id = 900")
            .await
            .is_err(),
        "half a baseline is refused by the database"
    );
    store.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

async fn issued_papers_cannot_be_changed(store: Store, _url: String) {
    use sendplan_domain::reports::ReportKind;
    let f = fixture(&store, "E08000031").await;
    let id = store
        .issue_report(
            ACTOR,
            f.partnership,
            f.plan,
            ReportKind::Exception,
            date!(2023 - 03 - 31),
            Some(date!(2023 - 02 - 28)),
            "SEND Improvement Board",
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<p>As issued</p>",
                document: None,
            },
        )
        .await
        .expect("issued");
    let issued = store
        .get_issued_report(f.partnership, id)
        .await
        .expect("get");
    assert_eq!(
        (issued.html.as_str(), issued.board.as_str()),
        ("<p>As issued</p>", "SEND Improvement Board")
    );
    assert_eq!(issued.since, Some(date!(2023 - 02 - 28)));
    assert_eq!(issued.format, "html");
    assert_eq!(
        store
            .get_issued_document(f.partnership, id)
            .await
            .expect("doc"),
        None
    );
    // A paper issued as PDF keeps its document byte for byte: every byte value, a NUL
    // and invalid UTF-8 included, survives both database engines.
    let document = sendplan_storage::IssuedDocument {
        format: "pdf".to_owned(),
        bytes: (0..=255u8).chain([0, 0xff, 0xfe, b'%']).collect(),
    };
    let pdf = store
        .issue_report(
            ACTOR,
            f.partnership,
            f.plan,
            ReportKind::Exception,
            date!(2023 - 03 - 31),
            None,
            "SEND Improvement Board",
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<p>As issued</p>",
                document: Some(&document),
            },
        )
        .await
        .expect("issued as PDF");
    assert_eq!(
        store
            .get_issued_document(f.partnership, pdf)
            .await
            .expect("doc"),
        Some(document)
    );
    let listed = store
        .list_issued_reports(f.partnership, f.plan)
        .await
        .expect("list");
    assert_eq!(
        listed
            .iter()
            .find(|r| r.id == pdf)
            .map(|r| r.format.as_str()),
        Some("pdf")
    );
    for sql in [
        "UPDATE issued_reports SET html = 'rewritten'",
        "DELETE FROM issued_reports",
    ] {
        assert!(
            store.execute_unchecked(sql).await.is_err(),
            "{sql} must be refused"
        );
    }
    let other = fixture(&store, "E10000031").await;
    assert!(matches!(
        store.get_issued_report(other.partnership, id).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .list_issued_reports(f.partnership, f.plan)
            .await
            .expect("list")
            .len(),
        2
    );
    // The document belongs to its partnership alone.
    assert!(matches!(
        store.get_issued_document(other.partnership, pdf).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_local_offer_is_imported_whole_and_again_by_its_ids(store: Store, _url: String) {
    use sendplan_domain::local_offer::*;
    let f = fixture(&store, "E08000031").await;
    let service = |key: &str, name: &str| Service {
        key: key.into(),
        organization_key: "org".into(),
        name: name.into(),
        fees: "Free".into(),
        minimum_age: Some(1.5),
        ..Service::default()
    };
    let mut directory = Directory {
        organizations: vec![Organization {
            key: "org".into(),
            name: "Bluebell Short Breaks".into(),
            ..Organization::default()
        }],
        services: vec![service("a", "Saturday club"), service("b", "Sibling group")],
        terms: vec![TaxonomyTerm {
            key: "t".into(),
            name: "Short breaks".into(),
            ..TaxonomyTerm::default()
        }],
    };
    // A trial run says what would happen and keeps nothing.
    let trial = store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", false)
        .await
        .expect("trial");
    assert_eq!(trial.added.len(), 2);
    assert!(store
        .local_offer(f.partnership)
        .await
        .expect("read")
        .services
        .is_empty());
    store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("import");
    let mut held = store.local_offer(f.partnership).await.expect("read");
    let before_import = OffsetDateTime::now_utc() - time::Duration::minutes(1);
    for s in &mut held.services {
        let modified = s
            .last_modified
            .take()
            .expect("when it last changed is kept");
        assert!(modified > before_import);
    }
    assert_eq!(held.services, directory.services, "records kept exactly");
    assert_eq!(held.organizations.len(), 1);
    // Again, with one service changed and one left out: matched by id, not duplicated.
    directory.services[0].fees = "£5 a session".into();
    directory.services.pop();
    let again = store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("again");
    assert_eq!(again.added, Vec::<String>::new());
    assert_eq!(
        again.changed,
        vec![("Saturday club".to_owned(), vec!["fees".to_owned()])]
    );
    assert_eq!(again.not_in_feed, vec!["Sibling group".to_owned()]);
    assert_eq!(
        store
            .local_offer(f.partnership)
            .await
            .expect("read")
            .services
            .len(),
        2
    );
    let other = fixture(&store, "E10000031").await;
    assert!(store
        .local_offer(other.partnership)
        .await
        .expect("other")
        .services
        .is_empty());
    let audit = store
        .list_audit(f.partnership, None, 1)
        .await
        .expect("audit");
    assert_eq!(
        (audit[0].entity.as_str(), audit[0].change.as_str()),
        ("local_offer", "imported")
    );
}

/// A partnership's postcode table: replaced whole, a postcode placed at its centroid, one
/// not in the table at the middle of its outward code, one from elsewhere not at all.
async fn postcodes_are_placed_exactly_or_by_their_area(store: Store, _url: String) {
    use sendplan_domain::local_offer::geo::Point;
    let f = fixture(&store, "E08000031").await;
    let at = |latitude: f64, longitude: f64| Point {
        latitude,
        longitude,
    };
    let many: Vec<(String, Point)> = (0..1000)
        .map(|i| {
            (
                format!("WV{} {}AA", 1 + i % 9, i % 10),
                at(52.5 + i as f64 / 10_000.0, -2.1),
            )
        })
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    store
        .load_postcodes(ACTOR, f.partnership, &many, "first")
        .await
        .expect("load");
    let table = vec![
        ("WV1 1AA".to_owned(), at(52.58, -2.12)),
        ("WV1 2BB".to_owned(), at(52.60, -2.14)),
    ];
    assert_eq!(
        store
            .load_postcodes(ACTOR, f.partnership, &table, "onspd.csv")
            .await
            .expect("reload"),
        2
    );
    assert_eq!(
        store.postcode_count(f.partnership).await.expect("count"),
        2,
        "replaced, not added to"
    );
    assert_eq!(
        store
            .postcode_centroid(f.partnership, "WV1 2BB")
            .await
            .expect("exact"),
        Some(Placed::Postcode(at(52.60, -2.14)))
    );
    let Some(Placed::Outcode(middle)) = store
        .postcode_centroid(f.partnership, "WV1 9ZZ")
        .await
        .expect("area")
    else {
        panic!("placed by its outward code");
    };
    assert!((middle.latitude - 52.59).abs() < 1e-9 && (middle.longitude + 2.13).abs() < 1e-9);
    assert_eq!(
        store
            .postcode_centroid(f.partnership, "B1 1AA")
            .await
            .expect("none"),
        None
    );
    let other = fixture(&store, "E10000031").await;
    assert_eq!(
        store
            .postcode_centroid(other.partnership, "WV1 2BB")
            .await
            .expect("other"),
        None
    );
    let audit = store
        .list_audit(f.partnership, None, 1)
        .await
        .expect("audit");
    assert_eq!(audit[0].change, "postcodes loaded");
}

async fn public_profiles_are_saved_once_per_version(store: Store, _url: String) {
    use sendplan_domain::public_profile::{LogoChange, PublicProfile, PublicProfileInput};
    let f = fixture(&store, "E08000031").await;
    let empty = store.get_public_profile(f.partnership).await.expect("get");
    assert_eq!(empty, PublicProfile::default());
    let logo = b"\x89PNG\r\n\x1a\n\x00\xff logo bytes".to_vec();
    let input = PublicProfileInput {
        profile: PublicProfile {
            colour: "#1d70b8".into(),
            local_offer_url: "https://win.wolverhampton.gov.uk/".into(),
            ..PublicProfile::default()
        },
        logo: LogoChange::Replace(logo.clone(), "image/png"),
    };
    store
        .save_public_profile(ACTOR, f.partnership, &input)
        .await
        .expect("first save");
    let saved = store.get_public_profile(f.partnership).await.expect("get");
    assert_eq!((saved.version, saved.logo_type.as_str()), (1, "image/png"));
    assert_eq!(
        store
            .get_public_logo(f.partnership)
            .await
            .expect("logo")
            .map(|l| l.bytes),
        Some(logo)
    );
    // A form shown before that save is refused, not applied over it.
    assert!(matches!(
        store
            .save_public_profile(ACTOR, f.partnership, &input)
            .await,
        Err(StoreError::Conflict)
    ));
    let mut removing = input.clone();
    removing.profile.version = 1;
    removing.logo = LogoChange::Remove;
    store
        .save_public_profile(ACTOR, f.partnership, &removing)
        .await
        .expect("second save");
    assert_eq!(
        store.get_public_logo(f.partnership).await.expect("logo"),
        None
    );
    let other = fixture(&store, "E10000031").await;
    assert_eq!(
        store
            .get_public_profile(other.partnership)
            .await
            .expect("other"),
        PublicProfile::default(),
        "one partnership's profile is its own"
    );
}

async fn reminders_are_queued_once_and_sent_by_one_sender(store: Store, _url: String) {
    use sendplan_domain::reminders::{Line, Recipient, Reminder, ReminderSettings};
    use time::{Duration, OffsetDateTime};
    let f = fixture(&store, "E08000031").await;
    let (settings, version) = store
        .reminder_settings(f.partnership, f.plan)
        .await
        .expect("settings");
    assert_eq!(
        (settings.enabled, version),
        (false, 0),
        "off until turned on"
    );
    let on = ReminderSettings {
        enabled: true,
        ..settings
    };
    store
        .set_reminder_settings(ACTOR, f.partnership, f.plan, 0, &on)
        .await
        .expect("saved");
    assert!(matches!(
        store
            .set_reminder_settings(ACTOR, f.partnership, f.plan, 0, &on)
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store.plans_with_reminders().await.expect("plans"),
        vec![(f.partnership, f.plan)]
    );
    let audit = store
        .list_audit(f.partnership, None, 1)
        .await
        .expect("audit");
    assert_eq!(audit[0].entity, "reminders");

    let ann = Recipient {
        name: "Ann Lead".into(),
        email: "ann@example.org".into(),
    };
    let email = |keys: &[&str]| Reminder {
        to: ann.clone(),
        subject: "Update needed".into(),
        intro: "Please update:".into(),
        lines: keys
            .iter()
            .map(|k| Line {
                key: (*k).to_owned(),
                text: format!("line {k}"),
            })
            .collect(),
    };
    let queue = |reminders: Vec<Reminder>| {
        let store = store.clone();
        async move {
            store
                .queue_reminders(
                    f.partnership,
                    f.plan,
                    "Plan",
                    &reminders,
                    None,
                    OffsetDateTime::now_utc(),
                )
                .await
                .expect("queued")
        }
    };
    assert_eq!(queue(vec![email(&["a", "b"])]).await, 1);
    assert_eq!(queue(vec![email(&["a", "b"])]).await, 0, "never twice");
    assert_eq!(queue(vec![email(&["b", "c"])]).await, 1);
    let mail = store
        .list_mail(f.partnership, f.plan, 10)
        .await
        .expect("mail");
    assert_eq!(mail.len(), 2);
    assert!(mail[0].body.contains("line c") && !mail[0].body.contains("line b"));
    let other = fixture(&store, "E10000031").await;
    assert!(store
        .list_mail(other.partnership, f.plan, 10)
        .await
        .expect("mail")
        .is_empty());

    let now = OffsetDateTime::now_utc();
    let lease = Duration::minutes(10);
    let claimed = store.claim_mail(now, lease, 10).await.expect("claim");
    assert_eq!(claimed.len(), 2);
    assert!(
        store
            .claim_mail(now, lease, 10)
            .await
            .expect("claim")
            .is_empty(),
        "a claimed email is left to its sender"
    );
    store.mail_sent(claimed[0].id, now).await.expect("sent");
    store
        .mail_failed(
            claimed[1].id,
            now,
            "connection refused",
            Some(now + Duration::minutes(1)),
        )
        .await
        .expect("failed");
    assert!(store
        .claim_mail(now, lease, 10)
        .await
        .expect("claim")
        .is_empty());
    let retry = store
        .claim_mail(now + Duration::minutes(2), lease, 10)
        .await
        .expect("claim");
    assert_eq!(
        retry.len(),
        1,
        "only the failed one comes back, once its wait is over"
    );
    assert_eq!(retry[0].attempts, 1);
    store
        .mail_failed(retry[0].id, now, "550 No such mailbox", None)
        .await
        .expect("refused");
    assert!(store
        .claim_mail(now + Duration::days(1), lease, 10)
        .await
        .expect("claim")
        .is_empty());
    let states: Vec<String> = store
        .list_mail(f.partnership, f.plan, 10)
        .await
        .expect("mail")
        .iter()
        .map(|m| m.state())
        .collect();
    assert_eq!(states, vec!["Not sent: the mail server refused it", "Sent"]);

    // A sender that stops half way (killed after the mail server may have taken the
    // email): when its claim runs out, the email is not sent again, and says why.
    store
        .create_invitation(
            ACTOR,
            f.partnership,
            &InvitationInput {
                email: "late@example.org".into(),
                role: Role::Viewer,
                person: None,
                organisation: None,
            },
            "interrupted",
            now,
            Some(&OutgoingMail {
                partnership: Some(f.partnership),
                purpose: "invitation",
                to: sendplan_domain::reminders::Recipient {
                    name: String::new(),
                    email: "late@example.org".into(),
                },
                subject: "Invited".into(),
                body: "Open http://x/invitations/interrupted".into(),
                secret: true,
            }),
        )
        .await
        .expect("invite");
    let later = now + Duration::days(2);
    let held = store.claim_mail(later, lease, 10).await.expect("claim");
    assert_eq!(held.len(), 1);
    assert!(
        store
            .claim_mail(later + Duration::minutes(11), lease, 10)
            .await
            .expect("claim")
            .is_empty(),
        "an email whose sender stopped is never sent a second time"
    );
    let interrupted = store.get_mail(held[0].id).await.expect("mail");
    assert!(
        interrupted.state().starts_with("Perhaps not sent"),
        "{}",
        interrupted.state()
    );
}

/// The data version moves with every change, in the change's own transaction: a refused
/// change leaves it where it was, and another partnership's changes do not move it.
async fn the_data_version_moves_with_each_change_and_only_then(store: Store, _url: String) {
    let a = fixture(&store, "E08000031").await;
    let b = fixture(&store, "E10000031").await;
    let start = store.data_version(a.partnership).await.expect("version");
    let other = store.data_version(b.partnership).await.expect("version");
    add_action(&store, &a, "1.5", &[]).await;
    let after_one = store.data_version(a.partnership).await.expect("version");
    assert!(after_one > start);
    assert!(matches!(
        store
            .create_action(
                ACTOR,
                a.partnership,
                a.area,
                &ActionInput::parse(
                    &form(&[("number", "1.5"), ("description", "Again")]),
                    |_| { sendplan_domain::numbering::ItemNumber::parse("1").ok() }
                )
                .expect("valid"),
                TODAY,
            )
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert_eq!(
        store.data_version(a.partnership).await.expect("version"),
        after_one,
        "a refused change does not move the version"
    );
    assert_eq!(
        store.data_version(b.partnership).await.expect("version"),
        other
    );
}

/// PostgreSQL only: a change whose transaction is slow to commit (its audit id is taken
/// first, but it commits last) still moves the data version when it commits. The version
/// used to be the highest audit id, which a reader saw reach the quick change's id while
/// the slow one was in flight and then never move again: the page cached in between was
/// served for good without the slow change (a GREEN after RED was confirmed, an unpublish
/// did not show). The test holds the first change open with a trigger that sleeps inside
/// its transaction, and checks both: that the old definition would have missed it (so
/// the race really happened) and that the data version does not.
#[tokio::test]
async fn a_change_that_commits_late_still_moves_the_data_version() {
    with_store(Backend::Postgres, |store: Store, _url: String| async move {
        let f = fixture(&store, "E08000031").await;
        store
            .execute_unchecked(
                "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.summary = 'Action 1.7 added' THEN PERFORM pg_sleep(1.5); END IF; RETURN NEW; END $$; \
                 CREATE TRIGGER slow_commit AFTER INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION slow_commit();",
            )
            .await
            .expect("trigger");
        let newest_audit_id = |store: Store| async move {
            store
                .list_audit(f.partnership, None, 1)
                .await
                .expect("audit")
                .first()
                .map(|e| e.id)
                .unwrap_or(0)
        };
        let slow = {
            let store = store.clone();
            tokio::spawn(async move { add_action(&store, &f, "1.7", &[]).await })
        };
        // The slow change has taken its audit id and is sleeping before it commits.
        tokio::time::sleep(std::time::Duration::from_millis(400)).await;
        add_action(&store, &f, "1.8", &[]).await;
        let (old_mid, version_mid) = (
            newest_audit_id(store.clone()).await,
            store.data_version(f.partnership).await.expect("version"),
        );
        let actions_mid = store.list_actions(f.partnership, f.plan).await.expect("actions").len();
        slow.await.expect("slow change");
        let (old_after, version_after) = (
            newest_audit_id(store.clone()).await,
            store.data_version(f.partnership).await.expect("version"),
        );
        let actions_after = store.list_actions(f.partnership, f.plan).await.expect("actions").len();
        assert_eq!(actions_after, actions_mid + 1, "the slow change was not visible mid-way");
        assert_eq!(
            old_mid, old_after,
            "the race happened: the highest audit id did not move when the slow change committed"
        );
        assert_ne!(
            version_mid, version_after,
            "the data version moved when the slow change committed, so nothing cached in between is served"
        );
    })
    .await;
}

/// Ten sendings of one form at once: one is first, the rest see it running, then done
/// with where it went; a sending that failed gives the token back; old claims are purged.
async fn a_form_token_is_claimed_once_however_many_send_it(store: Store, _url: String) {
    let now = OffsetDateTime::now_utc();
    let sendings: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_submission("token-a", now).await })
        })
        .collect();
    let mut claims = Vec::new();
    for sending in sendings {
        claims.push(sending.await.expect("joined").expect("claim"));
    }
    assert_eq!(claims.iter().filter(|c| **c == Claim::First).count(), 1);
    assert!(claims
        .iter()
        .all(|c| matches!(c, Claim::First | Claim::Running { .. })));
    store
        .finish_submission("token-a", Some("/p/1/plans/2"), now)
        .await
        .expect("finish");
    assert_eq!(
        store.claim_submission("token-a", now).await.expect("claim"),
        Claim::Done {
            location: Some("/p/1/plans/2".to_owned())
        }
    );
    assert_eq!(
        store.submission("token-a").await.expect("look"),
        Some(Claim::Done {
            location: Some("/p/1/plans/2".to_owned())
        }),
        "looking does not claim"
    );
    assert_eq!(store.submission("never-sent").await.expect("look"), None);
    // A refused sending gives its token back, so the corrected page can be sent.
    assert_eq!(
        store.claim_submission("token-b", now).await.expect("claim"),
        Claim::First
    );
    store.release_submission("token-b").await.expect("release");
    assert_eq!(
        store.claim_submission("token-b", now).await.expect("claim"),
        Claim::First
    );
    // A finished claim is never given back.
    store.release_submission("token-a").await.expect("release");
    assert!(matches!(
        store.claim_submission("token-a", now).await.expect("claim"),
        Claim::Done { .. }
    ));
    assert_eq!(
        store
            .purge_submissions(now + time::Duration::seconds(1))
            .await
            .expect("purge"),
        2
    );
    assert_eq!(
        store.claim_submission("token-a", now).await.expect("claim"),
        Claim::First
    );
}

async fn a_deleted_record_comes_back_exactly_and_is_purged_after_thirty_days(
    store: Store,
    _url: String,
) {
    use sendplan_domain::lifecycle::RecordKind;
    let f = fixture(&store, "E08000031").await;
    let first = add_action(
        &store,
        &f,
        "1.1",
        &[
            ("resource-0-kind", "additional"),
            ("resource-0-description", "Autism practitioner"),
            ("resource-0-amount", "£45,000"),
        ],
    )
    .await;
    let first_dependency = first.to_string();
    let second = add_action(
        &store,
        &f,
        "1.2",
        &[("depends_on", first_dependency.as_str())],
    )
    .await;
    store
        .create_milestone(
            ACTOR,
            f.partnership,
            first,
            &MilestoneInput {
                title: "Pathway agreed".into(),
                due_date: Some(date!(2022 - 05 - 15)),
                success_criteria: "Signed off by the board".into(),
                done_date: None,
                due_text: "May 2022".into(),
                done_evidence: String::new(),
            },
        )
        .await
        .expect("milestone");
    let action_before = store.get_action(f.partnership, first).await.expect("get");
    let milestones_before = store
        .list_milestones(f.partnership, first)
        .await
        .expect("ms");
    let second_before = store.get_action(f.partnership, second).await.expect("get");

    // Another action depends on it: the preview says so and the deletion is refused.
    let preview = store
        .deletion_preview(f.partnership, RecordKind::Action, first.0)
        .await
        .expect("preview");
    assert_eq!(preview.goes_with, ["1 resource", "1 milestone"]);
    assert_eq!(preview.blocked_by.len(), 1, "{:?}", preview.blocked_by);
    assert!(preview.blocked_by[0].starts_with("1 other action depends on it"));
    assert!(matches!(
        store
            .delete_record(ACTOR, f.partnership, RecordKind::Action, first.0, Some(1))
            .await,
        Err(StoreError::Rule(_))
    ));
    // Another partnership cannot see or delete it; a stale version is refused.
    let other = fixture(&store, "E08000030").await;
    assert!(matches!(
        store
            .deletion_preview(other.partnership, RecordKind::Action, first.0)
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .delete_record(ACTOR, f.partnership, RecordKind::Action, second.0, Some(7))
            .await,
        Err(StoreError::Conflict)
    ));

    let second_deleted = store
        .delete_record(ACTOR, f.partnership, RecordKind::Action, second.0, Some(1))
        .await
        .expect("delete the dependent action");
    let first_deleted = store
        .delete_record(ACTOR, f.partnership, RecordKind::Action, first.0, Some(1))
        .await
        .expect("delete the action");
    assert!(matches!(
        store.get_action(f.partnership, first).await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .list_milestones(f.partnership, first)
        .await
        .expect("ms")
        .is_empty());
    let deleted = store.list_deleted(f.partnership).await.expect("deleted");
    assert_eq!(deleted.len(), 2);
    assert_eq!(deleted[0].kind, RecordKind::Action);
    assert!(deleted[0].label.starts_with("Action 1.1"));
    assert!(store
        .list_deleted(other.partnership)
        .await
        .expect("deleted")
        .is_empty());
    assert!(matches!(
        store
            .restore_deleted(ACTOR, other.partnership, first_deleted)
            .await,
        Err(StoreError::NotFound)
    ));

    // The dependent action cannot come back before what it depends on.
    match store
        .restore_deleted(ACTOR, f.partnership, second_deleted)
        .await
    {
        Err(StoreError::Rule(why)) => assert!(why.contains("Restore that first"), "{why}"),
        other => panic!("restored out of order: {other:?}"),
    }
    let restored = store
        .restore_deleted(ACTOR, f.partnership, first_deleted)
        .await
        .expect("restore");
    assert_eq!(
        (restored.kind, restored.record_id, restored.parent_id),
        (RecordKind::Action, first.0, Some(f.plan.0))
    );
    store
        .restore_deleted(ACTOR, f.partnership, second_deleted)
        .await
        .expect("restore the dependent action");
    assert_eq!(
        store.get_action(f.partnership, first).await.expect("get"),
        action_before
    );
    assert_eq!(
        store
            .list_milestones(f.partnership, first)
            .await
            .expect("ms"),
        milestones_before
    );
    assert_eq!(
        store.get_action(f.partnership, second).await.expect("get"),
        second_before
    );
    assert!(store
        .list_deleted(f.partnership)
        .await
        .expect("deleted")
        .is_empty());

    // Progress updates are history: an action that has them is not deleted.
    rate(&store, &f, first, "AMBER", date!(2022 - 03 - 01)).await;
    let preview = store
        .deletion_preview(f.partnership, RecordKind::Action, second.0)
        .await
        .expect("preview");
    assert!(preview.blocked_by.is_empty());
    let preview = store
        .deletion_preview(f.partnership, RecordKind::Action, first.0)
        .await
        .expect("preview");
    assert!(
        preview
            .blocked_by
            .iter()
            .any(|b| b.starts_with("1 progress update is its history")),
        "{:?}",
        preview.blocked_by
    );

    // A deletion is purged after thirty days; the audit log keeps its last state.
    store
        .delete_record(ACTOR, f.partnership, RecordKind::Action, second.0, None)
        .await
        .expect("delete");
    let now = OffsetDateTime::now_utc();
    assert_eq!(
        store
            .purge_deleted(now + time::Duration::days(29))
            .await
            .expect("purge"),
        0
    );
    assert_eq!(
        store
            .purge_deleted(now + time::Duration::days(31))
            .await
            .expect("purge"),
        1
    );
    assert!(store
        .list_deleted(f.partnership)
        .await
        .expect("deleted")
        .is_empty());
    let audit = store
        .list_audit(f.partnership, None, 3)
        .await
        .expect("audit");
    assert_eq!(audit[0].change, "purged");
    assert_eq!(audit[1].change, "deleted");
    assert!(audit[1]
        .before
        .as_deref()
        .is_some_and(|b| b.contains("Develop an all-age autism pathway")));
}

async fn a_correction_supersedes_an_update_and_both_stay_in_the_history(
    store: Store,
    _url: String,
) {
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    rate(&store, &f, action, "AMBER", date!(2022 - 03 - 01)).await;
    let ratings = store
        .list_ratings(f.partnership, f.plan)
        .await
        .expect("ratings");
    let green = ratings.iter().find(|r| r.label == "GREEN").expect("green");
    let original = store.list_updates(f.partnership, action).await.expect("h")[0].clone();
    let corrected = UpdateInput {
        update_date: date!(2022 - 02 - 20),
        rating_id: green.id,
        narrative: "Rated GREEN: the pathway was agreed".into(),
        evidence_links: vec![],
    };
    let by = Actor(Some(f.author));
    let other = fixture(&store, "E08000030").await;
    assert!(matches!(
        store
            .correct_update(by, other.partnership, original.id, &corrected, "typo")
            .await,
        Err(StoreError::NotFound)
    ));
    let replacement = store
        .correct_update(
            by,
            f.partnership,
            original.id,
            &corrected,
            "Wrong rating chosen",
        )
        .await
        .expect("correct");
    // Someone else correcting the same update is refused, not applied on top.
    assert!(matches!(
        store
            .correct_update(by, f.partnership, original.id, &corrected, "again")
            .await,
        Err(StoreError::Conflict)
    ));
    let overview = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    assert_eq!(
        overview.actions[0]
            .rating
            .as_ref()
            .map(|r| r.label.as_str()),
        Some("GREEN")
    );
    assert_eq!(
        overview.actions[0].latest_update,
        Some(date!(2022 - 02 - 20))
    );
    let history = store.list_updates(f.partnership, action).await.expect("h");
    assert_eq!(history.len(), 2);
    let old = history.iter().find(|u| u.id == original.id).expect("old");
    let new = history.iter().find(|u| u.id == replacement).expect("new");
    assert!(!old.counts() && new.counts());
    let why = old.superseded.as_ref().expect("superseded");
    assert_eq!(why.reason, "Wrong rating chosen");
    assert_eq!(why.replacement, Some(replacement));
    assert_eq!(why.by_name, "Pete Rix");
    assert_eq!(new.corrects, Some(original.id));
    let counting = store
        .list_plan_updates(f.partnership, f.plan)
        .await
        .expect("plan updates");
    assert_eq!(
        counting.iter().map(|u| u.id).collect::<Vec<_>>(),
        [replacement]
    );

    // Withdrawing the correction leaves the action with no rating that counts.
    store
        .withdraw_update(by, f.partnership, replacement, "Posted on the wrong action")
        .await
        .expect("withdraw");
    assert!(matches!(
        store
            .withdraw_update(by, f.partnership, replacement, "twice")
            .await,
        Err(StoreError::Conflict)
    ));
    let overview = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    assert_eq!(overview.actions[0].rating, None);
    assert!(store
        .list_plan_updates(f.partnership, f.plan)
        .await
        .expect("plan updates")
        .is_empty());
    assert_eq!(
        store
            .list_updates(f.partnership, action)
            .await
            .expect("h")
            .len(),
        2
    );
    let audit = store
        .list_audit(f.partnership, None, 2)
        .await
        .expect("audit");
    assert_eq!(audit[0].change, "withdrawn");
    assert!(audit[0].summary.contains("Posted on the wrong action"));
    assert_eq!(audit[1].change, "corrected");
    assert!(audit[1].summary.contains("from AMBER to GREEN"));
    // The history itself still cannot be rewritten.
    assert!(store
        .execute_unchecked("DELETE FROM updates")
        .await
        .is_err());
}

async fn an_archived_plan_leaves_the_lists_reminders_and_public_pages(store: Store, _url: String) {
    use sendplan_domain::publication::Publication;
    use sendplan_domain::reminders::ReminderSettings;
    let f = fixture(&store, "E08000031").await;
    store
        .set_reminder_settings(
            ACTOR,
            f.partnership,
            f.plan,
            0,
            &ReminderSettings {
                enabled: true,
                ..ReminderSettings::default()
            },
        )
        .await
        .expect("reminders");
    store
        .set_publication(
            ACTOR,
            f.partnership,
            f.plan,
            0,
            &Publication {
                published: true,
                summary: "What we are doing".into(),
                ..Publication::default()
            },
        )
        .await
        .expect("publish");
    assert_eq!(
        store.published_plans(f.partnership).await.expect("p").len(),
        1
    );
    let plan = store.get_plan(f.partnership, f.plan).await.expect("plan");
    assert!(matches!(
        store
            .archive_plan(ACTOR, f.partnership, f.plan, plan.version + 1, "closed")
            .await,
        Err(StoreError::Conflict)
    ));
    store
        .archive_plan(
            ACTOR,
            f.partnership,
            f.plan,
            plan.version,
            "Plan closed in March 2023",
        )
        .await
        .expect("archive");
    assert!(store
        .list_plans(f.partnership)
        .await
        .expect("plans")
        .is_empty());
    let archived = store
        .list_archived_plans(f.partnership)
        .await
        .expect("archived");
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0].1.reason, "Plan closed in March 2023");
    assert!(store.plans_with_reminders().await.expect("r").is_empty());
    assert!(store
        .published_plans(f.partnership)
        .await
        .expect("p")
        .is_empty());
    // Still readable.
    store
        .get_plan(f.partnership, f.plan)
        .await
        .expect("readable");
    assert!(store
        .plan_archive(f.partnership, f.plan)
        .await
        .expect("archive")
        .is_some());
    let other = fixture(&store, "E08000030").await;
    assert!(matches!(
        store.unarchive_plan(ACTOR, other.partnership, f.plan).await,
        Err(StoreError::NotFound)
    ));
    store
        .unarchive_plan(ACTOR, f.partnership, f.plan)
        .await
        .expect("unarchive");
    assert_eq!(
        store.list_plans(f.partnership).await.expect("plans").len(),
        1
    );
    assert_eq!(store.plans_with_reminders().await.expect("r").len(), 1);
    assert!(matches!(
        store.unarchive_plan(ACTOR, f.partnership, f.plan).await,
        Err(StoreError::Conflict)
    ));
}

async fn a_new_plan_is_deleted_with_its_history_and_restored_and_an_old_one_is_not(
    store: Store,
    _url: String,
) {
    use sendplan_domain::lifecycle::RecordKind;
    let f = fixture(&store, "E08000031").await;
    let action = add_action(&store, &f, "1.1", &[]).await;
    rate(&store, &f, action, "AMBER", date!(2022 - 03 - 01)).await;
    store
        .issue_report(
            ACTOR,
            f.partnership,
            f.plan,
            sendplan_domain::reports::ReportKind::Exception,
            date!(2022 - 03 - 31),
            None,
            "SEND Improvement Board",
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<!DOCTYPE html><title>Exception report</title><p>As issued</p>",
                document: None,
            },
        )
        .await
        .expect("issue");
    let updates = store.list_updates(f.partnership, action).await.expect("u");
    let papers = store
        .list_issued_reports(f.partnership, f.plan)
        .await
        .expect("papers");
    let overview = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    let deleted = store
        .delete_record(ACTOR, f.partnership, RecordKind::Plan, f.plan.0, Some(1))
        .await
        .expect("delete");
    assert!(matches!(
        store.get_plan(f.partnership, f.plan).await,
        Err(StoreError::NotFound)
    ));
    store
        .restore_deleted(ACTOR, f.partnership, deleted)
        .await
        .expect("restore");
    assert_eq!(
        store.list_updates(f.partnership, action).await.expect("u"),
        updates
    );
    assert_eq!(
        store
            .list_issued_reports(f.partnership, f.plan)
            .await
            .expect("papers"),
        papers
    );
    let again = store
        .plan_overview(f.partnership, f.plan, TODAY)
        .await
        .expect("overview");
    let summary =
        |o: &sendplan_storage::PlanOverview| -> Vec<(ActionId, Option<String>, Option<Date>)> {
            o.actions
                .iter()
                .map(|a| {
                    (
                        a.id,
                        a.rating.as_ref().map(|r| r.label.clone()),
                        a.latest_update,
                    )
                })
                .collect()
        };
    assert_eq!(summary(&again), summary(&overview));
    // History stays append-only outside a plan's own deletion.
    assert!(store
        .execute_unchecked("DELETE FROM updates")
        .await
        .is_err());
    assert!(store
        .execute_unchecked("DELETE FROM issued_reports")
        .await
        .is_err());
    // A plan made more than 30 days ago is archived, not deleted.
    store
        .execute_unchecked("UPDATE plans SET created_at = '2020-01-06T09:00:00Z'")
        .await
        .expect("age");
    match store
        .delete_record(ACTOR, f.partnership, RecordKind::Plan, f.plan.0, None)
        .await
    {
        Err(StoreError::Rule(why)) => assert!(why.contains("Archive it instead"), "{why}"),
        other => panic!("an old plan was deleted: {other:?}"),
    }
}

async fn one_entry_is_split_into_the_people_it_names(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let first = add_action(&store, &f, "1.1", &[]).await;
    let second = add_action(&store, &f, "1.2", &[]).await;
    let person = store
        .get_person(f.partnership, f.lead)
        .await
        .expect("person");
    let people = [
        ("M.S".to_owned(), "City of York Council".to_owned()),
        (
            "K.McN".to_owned(),
            "Clinical commissioning group".to_owned(),
        ),
    ];
    assert!(matches!(
        store
            .split_person(ACTOR, f.partnership, f.lead, person.version + 1, &people)
            .await,
        Err(StoreError::Conflict)
    ));
    let ids = store
        .split_person(ACTOR, f.partnership, f.lead, person.version, &people)
        .await
        .expect("split");
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], f.lead);
    for action in [first, second] {
        let leads = store
            .get_action(f.partnership, action)
            .await
            .expect("a")
            .leads;
        assert_eq!(leads, ids, "each action names both people");
    }
    let renamed = store.get_person(f.partnership, f.lead).await.expect("p");
    assert_eq!(renamed.name, "M.S");
    let added = store.get_person(f.partnership, ids[1]).await.expect("p");
    assert_eq!(
        (added.name.as_str(), added.job_title.as_str()),
        ("K.McN", "Clinical commissioning group")
    );
    let audit = store
        .list_audit(f.partnership, None, 1)
        .await
        .expect("audit");
    assert_eq!(audit[0].change, "split");
}

async fn a_paper_is_corrected_by_a_new_one_that_takes_its_public_place(store: Store, _url: String) {
    let f = fixture(&store, "E08000031").await;
    let old = store
        .issue_report(
            ACTOR,
            f.partnership,
            f.plan,
            sendplan_domain::reports::ReportKind::Exception,
            date!(2022 - 03 - 31),
            None,
            "SEND Improvement Board",
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<p>Wrong</p>",
                document: None,
            },
        )
        .await
        .expect("issue");
    store
        .set_report_published(ACTOR, f.partnership, old, true)
        .await
        .expect("publish");
    let new = store
        .correct_report(
            ACTOR,
            f.partnership,
            old,
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<p>Right</p>",
                document: None,
            },
            "A wrong rating",
        )
        .await
        .expect("correct");
    assert!(matches!(
        store
            .correct_report(
                ACTOR,
                f.partnership,
                old,
                sendplan_storage::PaperContent {
                    title: "Exception report",
                    html: "<p>Again</p>",
                    document: None,
                },
                "again"
            )
            .await,
        Err(StoreError::Conflict)
    ));
    assert_eq!(
        store
            .get_issued_report(f.partnership, old)
            .await
            .expect("old")
            .html,
        "<p>Wrong</p>",
        "the paper as issued is kept"
    );
    let published = store
        .published_report_ids(f.partnership, f.plan)
        .await
        .expect("published");
    assert_eq!(published, vec![new]);
    let corrections = store
        .paper_corrections(f.partnership, f.plan)
        .await
        .expect("corrections");
    assert_eq!(corrections.len(), 1);
    assert_eq!(
        (corrections[0].report_id, corrections[0].replacement_id),
        (old, new)
    );
    assert_eq!(corrections[0].reason, "A wrong rating");
}

/// A provider's change is kept apart from the entry until an officer approves it; a change
/// made to an old version is refused; every version is kept and any can be restored; a
/// provider is tied to one of the Local Offer's own organisations.
async fn a_providers_change_waits_for_an_officer_and_never_overwrites_theirs(
    store: Store,
    _url: String,
) {
    use sendplan_domain::local_offer::changes::ProposalState;
    use sendplan_domain::local_offer::*;
    let f = fixture(&store, "E08000031").await;
    let service = |key: &str, organisation: &str, name: &str| Service {
        key: key.into(),
        organization_key: organisation.into(),
        name: name.into(),
        fees: "Free".into(),
        ..Service::default()
    };
    let organisation = |key: &str| Organization {
        key: key.into(),
        name: format!("Organisation {key}"),
        ..Organization::default()
    };
    let directory = Directory {
        organizations: vec![organisation("ours"), organisation("theirs")],
        services: vec![
            service("club", "ours", "Saturday club"),
            service("other", "theirs", "Their group"),
        ],
        terms: vec![],
    };
    store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("import");
    // A provider must be tied to one of this Local Offer's organisations.
    let provider = store
        .create_user("provider@example.org", "Pat Provider", "unused", false)
        .await
        .expect("user");
    assert!(matches!(
        store
            .grant_provider(ACTOR, provider, f.partnership, "nowhere")
            .await,
        Err(StoreError::Rule(_))
    ));
    assert!(matches!(
        store
            .grant_role(ACTOR, provider, f.partnership, Role::Provider, None)
            .await,
        Err(StoreError::Rule(_))
    ));
    store
        .grant_provider(ACTOR, provider, f.partnership, "ours")
        .await
        .expect("provider");
    assert_eq!(
        store
            .provider_organisation(provider, f.partnership)
            .await
            .expect("organisation")
            .as_deref(),
        Some("ours")
    );
    // Told of problems families report with their organisation's services, and only those.
    assert_eq!(
        store
            .local_offer_providers(f.partnership, "ours")
            .await
            .expect("providers")
            .len(),
        1
    );
    assert!(store
        .local_offer_providers(f.partnership, "theirs")
        .await
        .expect("providers")
        .is_empty());
    let as_provider = Actor(Some(provider));
    let current = store
        .local_offer_service(f.partnership, "club")
        .await
        .expect("entry");
    assert_eq!(current.version, 1);
    // Another organisation's service is not there for this provider.
    let mut theirs = service("other", "theirs", "Their group, renamed");
    assert!(matches!(
        store
            .propose_service_change(as_provider, f.partnership, Some("ours"), &theirs, 1)
            .await,
        Err(StoreError::NotFound)
    ));
    theirs.organization_key = "ours".into();
    assert!(matches!(
        store
            .propose_service_change(as_provider, f.partnership, Some("ours"), &theirs, 1)
            .await,
        Err(StoreError::NotFound)
    ));
    // Nothing changed is refused; a change waits, and the entry families see stays.
    assert!(matches!(
        store
            .propose_service_change(
                as_provider,
                f.partnership,
                Some("ours"),
                &current.service,
                1
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    let mut proposed = current.service.clone();
    proposed.fees = "£3 a session".into();
    proposed.last_modified = None;
    let first = store
        .propose_service_change(as_provider, f.partnership, Some("ours"), &proposed, 1)
        .await
        .expect("propose");
    proposed.fees = "£4 a session".into();
    let again = store
        .propose_service_change(as_provider, f.partnership, Some("ours"), &proposed, 1)
        .await
        .expect("propose again");
    assert_eq!(
        first, again,
        "a change still waiting is replaced, not doubled"
    );
    let held = store.local_offer(f.partnership).await.expect("read");
    assert!(
        held.services.iter().all(|s| s.fees == "Free"),
        "nothing unapproved is in the directory"
    );
    // An officer edits the entry meanwhile: approving the provider's change would
    // overwrite theirs, so it is refused.
    let mut officer_edit = current.service.clone();
    officer_edit.name = "Saturday Club".into();
    assert_eq!(
        store
            .edit_service(ACTOR, f.partnership, &officer_edit, 1)
            .await
            .expect("edit"),
        2
    );
    assert!(matches!(
        store
            .edit_service(ACTOR, f.partnership, &officer_edit, 1)
            .await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.approve_proposal(ACTOR, f.partnership, first).await,
        Err(StoreError::Conflict)
    ));
    store
        .return_proposal(
            ACTOR,
            f.partnership,
            first,
            "Please send it again on the new name",
        )
        .await
        .expect("return");
    assert!(matches!(
        store.approve_proposal(ACTOR, f.partnership, first).await,
        Err(StoreError::Rule(_))
    ));
    // Sent again on the current version, and approved: now it is the entry.
    proposed.name = "Saturday Club".into();
    let second = store
        .propose_service_change(as_provider, f.partnership, Some("ours"), &proposed, 2)
        .await
        .expect("propose on the new version");
    assert_ne!(second, first);
    store
        .approve_proposal(ACTOR, f.partnership, second)
        .await
        .expect("approve");
    let now = store
        .local_offer_service(f.partnership, "club")
        .await
        .expect("entry");
    assert_eq!(
        (now.version, now.service.fees.as_str()),
        (3, "£4 a session")
    );
    let proposals = store.list_proposals(f.partnership).await.expect("list");
    assert_eq!(
        proposals
            .iter()
            .map(|p| (p.id, p.state))
            .collect::<Vec<_>>(),
        vec![
            (second, ProposalState::Approved),
            (first, ProposalState::Returned)
        ]
    );
    assert_eq!(proposals[1].reason, "Please send it again on the new name");
    assert_eq!(proposals[0].proposed_by, "Pat Provider");
    // Every version is kept, and the first is restored as a fourth.
    let versions = store
        .service_versions(f.partnership, "club")
        .await
        .expect("versions");
    assert_eq!(
        versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        vec![3, 2, 1]
    );
    assert!(versions[0]
        .how
        .starts_with("approved change from Pat Provider"));
    assert_eq!(
        store
            .restore_service_version(ACTOR, f.partnership, "club", 1, 3)
            .await
            .expect("restore"),
        4
    );
    let restored = store
        .local_offer_service(f.partnership, "club")
        .await
        .expect("entry");
    assert_eq!(
        (
            restored.service.name.as_str(),
            restored.service.fees.as_str()
        ),
        ("Saturday club", "Free")
    );
    // Another partnership sees none of it.
    let other = fixture(&store, "E10000031").await;
    assert!(matches!(
        store.get_proposal(other.partnership, second).await,
        Err(StoreError::NotFound)
    ));
    assert!(store
        .service_versions(other.partnership, "club")
        .await
        .expect("versions")
        .is_empty());
}

/// The review programme's records: each email recorded and queued once a day whatever
/// runs it; the link confirms the entry as a new version checked today, once, by whoever
/// it was sent to; a round ends with the check; the policy is the partnership's own.
async fn a_review_email_is_sent_once_and_its_link_records_the_check(store: Store, _url: String) {
    use sendplan_domain::local_offer::review::{ReviewEmail, ReviewPolicy};
    use sendplan_domain::local_offer::*;
    use sendplan_storage::{OutgoingMail, ReviewEmailToSend};
    let f = fixture(&store, "E08000031").await;
    let directory = Directory {
        organizations: vec![Organization {
            key: "org".into(),
            name: "Sunshine Play Trust".into(),
            ..Organization::default()
        }],
        services: vec![Service {
            key: "club".into(),
            organization_key: "org".into(),
            name: "Saturday club".into(),
            email: "club@example.org".into(),
            assured_date: Some(date!(2026 - 06 - 02)),
            ..Service::default()
        }],
        terms: vec![],
    };
    store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("import");
    assert_eq!(
        store.review_policy(f.partnership).await.expect("policy"),
        (ReviewPolicy::default(), 0)
    );
    let now = OffsetDateTime::now_utc();
    let mail = OutgoingMail {
        partnership: Some(f.partnership),
        purpose: "local_offer_review",
        to: sendplan_domain::reminders::Recipient {
            name: String::new(),
            email: "club@example.org".into(),
        },
        subject: "Please check Saturday club".into(),
        body: "link".into(),
        secret: true,
    };
    let email = ReviewEmailToSend {
        service_key: "club",
        checked_on: Some(date!(2026 - 06 - 02)),
        kind: ReviewEmail::Invitation,
        recipient: "club@example.org",
        token_hash: Some("hash-one"),
        mails: std::slice::from_ref(&mail),
    };
    assert!(store
        .send_review_email(f.partnership, &email, now)
        .await
        .expect("send"));
    let again = ReviewEmailToSend {
        token_hash: Some("hash-two"),
        ..email.clone()
    };
    assert!(
        !store
            .send_review_email(f.partnership, &again, now)
            .await
            .expect("again"),
        "the same email is not sent twice on one day"
    );
    let rounds = store.review_rounds(f.partnership).await.expect("rounds");
    assert_eq!(rounds.len(), 1);
    assert_eq!(rounds[0].sent, vec![now.date()]);
    assert!(!rounds[0].officer_told);
    assert_eq!(rounds[0].entry.version, 1);
    assert_eq!(
        rounds[0].organisation.as_ref().map(|o| o.name.as_str()),
        Some("Sunshine Play Trust")
    );
    // Confirmed on an old version of the entry: refused, nothing recorded.
    assert!(matches!(
        store.confirm_unchanged("hash-one", 7, now).await,
        Err(StoreError::Conflict)
    ));
    assert!(matches!(
        store.confirm_unchanged("no-such-hash", 1, now).await,
        Err(StoreError::NotFound)
    ));
    let checked = store
        .confirm_unchanged("hash-one", 1, now)
        .await
        .expect("confirm");
    assert_eq!(checked.version, 2);
    assert_eq!(checked.service.assured_date, Some(now.date()));
    assert_eq!(checked.service.assurer_email, "club@example.org");
    let versions = store
        .service_versions(f.partnership, "club")
        .await
        .expect("versions");
    assert_eq!(versions[0].how, "confirmed unchanged by club@example.org");
    // The link has done its work, and the check began a new round with nothing sent.
    assert!(matches!(
        store.confirm_unchanged("hash-one", 2, now).await,
        Err(StoreError::Rule(_))
    ));
    let link = store
        .review_link("hash-one")
        .await
        .expect("link")
        .expect("kept");
    assert!(link.used_at.is_some());
    let rounds = store.review_rounds(f.partnership).await.expect("rounds");
    assert!(rounds[0].sent.is_empty());
    // An expired link is refused.
    let late = ReviewEmailToSend {
        checked_on: Some(now.date()),
        token_hash: Some("hash-three"),
        ..email.clone()
    };
    assert!(store
        .send_review_email(f.partnership, &late, now - time::Duration::days(40))
        .await
        .expect("old"));
    assert!(matches!(
        store.confirm_unchanged("hash-three", 2, now).await,
        Err(StoreError::Rule(_))
    ));
    // The policy is the partnership's, saved to a version.
    store
        .set_review_policy(ACTOR, f.partnership, 6, Some(28), 0)
        .await
        .expect("policy");
    assert!(matches!(
        store
            .set_review_policy(ACTOR, f.partnership, 3, None, 0)
            .await,
        Err(StoreError::Conflict)
    ));
    let (policy, version) = store.review_policy(f.partnership).await.expect("policy");
    assert_eq!(
        (policy.months, policy.hide_after_days, version),
        (6, Some(28), 1)
    );
    let other = fixture(&store, "E10000031").await;
    assert_eq!(
        store
            .review_policy(other.partnership)
            .await
            .expect("other")
            .0,
        ReviewPolicy::default()
    );
}

/// The Local Offer's figures on a plan: each added once, its value recorded at once and
/// again only when the directory changes it.
async fn the_local_offers_figures_are_a_plans_measures_recorded_when_they_change(
    store: Store,
    _url: String,
) {
    use sendplan_domain::local_offer::measures::LocalOfferMeasure;
    use sendplan_domain::local_offer::*;
    let f = fixture(&store, "E08000031").await;
    let today = OffsetDateTime::now_utc().date();
    let service = |key: &str, term: &str, checked: Option<Date>| Service {
        key: key.into(),
        organization_key: "org".into(),
        name: key.into(),
        terms: vec![term.into()],
        assured_date: checked,
        ..Service::default()
    };
    let term = |key: &str| TaxonomyTerm {
        key: key.into(),
        name: key.into(),
        ..TaxonomyTerm::default()
    };
    let mut directory = Directory {
        organizations: vec![Organization {
            key: "org".into(),
            name: "Org".into(),
            ..Organization::default()
        }],
        services: vec![
            service("a", "Education", Some(today)),
            service("b", "Health", None),
        ],
        terms: vec![term("Education"), term("Health"), term("Travel")],
    };
    store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("import");
    let share = store
        .add_local_offer_measure(
            ACTOR,
            f.partnership,
            f.plan,
            LocalOfferMeasure::ShareChecked,
            today,
        )
        .await
        .expect("add");
    let gaps = store
        .add_local_offer_measure(ACTOR, f.partnership, f.plan, LocalOfferMeasure::Gaps, today)
        .await
        .expect("add");
    assert!(matches!(
        store
            .add_local_offer_measure(ACTOR, f.partnership, f.plan, LocalOfferMeasure::Gaps, today)
            .await,
        Err(StoreError::Duplicate(_))
    ));
    let values = |id| {
        let store = store.clone();
        async move {
            store
                .list_data_points(f.partnership, id, false)
                .await
                .expect("points")
                .iter()
                .map(|p| (p.value, p.note.clone()))
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(values(share).await, vec![(50.0, String::new())]);
    assert_eq!(
        values(gaps).await,
        vec![(1.0, "No service under: Travel".to_owned())]
    );
    // Nothing changed: nothing written.
    assert_eq!(
        store
            .refresh_local_offer_measures(f.partnership, today)
            .await
            .expect("refresh"),
        0
    );
    // A travel service arrives: the gap closes and the share moves; the value is revised.
    directory.services.push(service("c", "Travel", Some(today)));
    store
        .import_directory(ACTOR, f.partnership, &directory, "feed.json", true)
        .await
        .expect("import");
    assert_eq!(
        store
            .refresh_local_offer_measures(f.partnership, today)
            .await
            .expect("refresh"),
        2
    );
    assert_eq!(
        values(gaps).await,
        vec![(0.0, "Every heading has a service".to_owned())]
    );
    let measure = store
        .get_measure(f.partnership, share)
        .await
        .expect("measure");
    assert_eq!(
        measure.source,
        sendplan_domain::measures::MeasureSource::Computed
    );
    assert_eq!(
        store
            .list_data_points(f.partnership, share, false)
            .await
            .expect("points")[0]
            .value,
        66.7
    );
    let other = fixture(&store, "E10000031").await;
    assert!(store
        .local_offer_measures(other.partnership)
        .await
        .expect("other")
        .is_empty());
}

/// Page views written in a batch are worked out live for a day not yet over, rolled up
/// once it is (and only once), read back the same either way, and deleted after their
/// keeping while the day's figures stay; searches and answers are counted beside them.
async fn page_views_are_rolled_up_by_day_and_read_back_over_any_range(store: Store, _url: String) {
    use sendplan_domain::local_offer::analytics::*;
    use sendplan_domain::local_offer::feedback::Answer;
    use sendplan_domain::local_offer::performance::Period;
    let f = fixture(&store, "E08000031").await;
    let day = date!(2026 - 11 - 10);
    let at = |h: i64, m: i64| {
        day.midnight().assume_utc() + time::Duration::hours(h) + time::Duration::minutes(m)
    };
    let view = |visitor: i64, when, path: &str, device, kind, name: &str| {
        (
            f.partnership,
            PageView {
                visitor,
                at: when,
                path: path.into(),
                section: "Health".into(),
                device,
                source: Source {
                    kind,
                    name: name.into(),
                },
            },
        )
    };
    let views = vec![
        view(
            1,
            at(9, 0),
            "",
            DeviceClass::Desktop,
            SourceKind::Search,
            "google.co.uk",
        ),
        view(
            1,
            at(9, 5),
            "/services/a",
            DeviceClass::Desktop,
            SourceKind::Direct,
            "",
        ),
        view(
            2,
            at(23, 50),
            "/services/a",
            DeviceClass::Mobile,
            SourceKind::Social,
            "t.co",
        ),
        // The same visit, after midnight: this day's visit, the next day's page view.
        view(
            2,
            at(24, 5),
            "",
            DeviceClass::Mobile,
            SourceKind::Direct,
            "",
        ),
    ];
    let search = SearchMade {
        at: at(9, 1),
        words: "zorbing".into(),
        age_band: Some(AgeBand::FiveToTen),
        need: None,
        category: String::new(),
        other_filters: "free only".into(),
        results: 0,
    };
    store
        .record_use(&views, &[(f.partnership, search.clone())])
        .await
        .expect("record");
    let month = Period::month(2026, time::Month::November).expect("a month");
    let live = store
        .period_figures(f.partnership, month)
        .await
        .expect("figures");
    let t = &live.figures.totals;
    assert_eq!(
        (t.visits, t.visitors, t.page_views, t.bounces),
        (2, 2, 4, 0)
    );
    assert_eq!(t.seconds, 5 * 60 + 15 * 60);
    assert_eq!(live.figures.visits_on(DeviceClass::Mobile), 1);
    assert_eq!((live.searches, live.searches_found_nothing), (1, 1));
    // Not over until half past midnight: nothing kept yet.
    assert_eq!(
        store
            .roll_up_local_offer_days(at(24, 20))
            .await
            .expect("roll"),
        0
    );
    // Over: the 10th and the 11th (whose one view belongs to the 10th's visit) are kept.
    let later = at(48, 40);
    assert_eq!(
        store.roll_up_local_offer_days(later).await.expect("roll"),
        2
    );
    assert_eq!(
        store.roll_up_local_offer_days(later).await.expect("roll"),
        0,
        "once"
    );
    let kept = store
        .period_figures(f.partnership, month)
        .await
        .expect("figures");
    assert_eq!(
        kept.figures, live.figures,
        "the kept figures are the live ones"
    );
    let tenth = store
        .period_figures(f.partnership, Period { from: day, to: day })
        .await
        .expect("figures");
    assert_eq!(
        tenth.figures.pages.iter().map(|(_, n)| n).sum::<i64>(),
        3,
        "the 10th's page views"
    );
    assert_eq!(
        store
            .daily_visits(f.partnership, month)
            .await
            .expect("days"),
        vec![(day, 2), (date!(2026 - 11 - 11), 0)]
    );
    let need = store
        .unmet_need(f.partnership, month.from, month.to)
        .await
        .expect("need");
    assert_eq!(need.by_words, vec![("zorbing".to_owned(), 1)]);
    assert_eq!(need.by_age_band, vec![(Some(AgeBand::FiveToTen), 1)]);
    assert_eq!(need.recent[0].other_filters, "free only");
    // A month on, the page views are gone and the figures stay.
    store
        .roll_up_local_offer_days(later + time::Duration::days(40))
        .await
        .expect("roll");
    let gone = store
        .period_figures(f.partnership, month)
        .await
        .expect("figures");
    assert_eq!(gone.figures, live.figures);
    // Answers count in their month.
    store
        .give_feedback(f.partnership, "", Answer::Found(true), "ref-a")
        .await
        .expect("answer");
    let today = Period::month_of(OffsetDateTime::now_utc().date());
    assert_eq!(
        store
            .period_figures(f.partnership, today)
            .await
            .expect("figures")
            .found_yes,
        1
    );
}

/// An answer takes one comment, within the hour; publishing it needs a plan and makes a
/// "You said, we did" entry, withdrawing takes that off the public pages, and a stale
/// triage is refused; a comment not published is deleted after the retention period.
async fn an_answer_takes_one_comment_and_publishing_makes_a_you_said_entry(
    store: Store,
    _url: String,
) {
    use sendplan_domain::local_offer::feedback::*;
    let f = fixture(&store, "E08000031").await;
    let other = fixture(&store, "E10000031").await;
    let now = OffsetDateTime::now_utc();
    let id = store
        .give_feedback(f.partnership, "/search", Answer::Found(false), "ref-1")
        .await
        .expect("answer");
    let comment = |text: &str| Comment {
        text: text.into(),
        flags: identifying(text),
    };
    assert!(!store
        .add_feedback_comment(other.partnership, "ref-1", &comment("not theirs"), now)
        .await
        .expect("comment"));
    assert!(!store
        .add_feedback_comment(
            f.partnership,
            "ref-1",
            &comment("too late"),
            now + time::Duration::hours(2)
        )
        .await
        .expect("comment"));
    assert!(store
        .add_feedback_comment(
            f.partnership,
            "ref-1",
            &comment("No swimming for my son Tom"),
            now
        )
        .await
        .expect("comment"));
    assert!(!store
        .add_feedback_comment(f.partnership, "ref-1", &comment("again"), now)
        .await
        .expect("comment"));
    let given = store.get_feedback(f.partnership, id).await.expect("get");
    assert_eq!(given.comment.as_deref(), Some("No swimming for my son Tom"));
    assert_eq!(given.flags, vec![Identifying::Name]);
    assert!(matches!(
        store.get_feedback(other.partnership, id).await,
        Err(StoreError::NotFound)
    ));
    let triage = |status, said: &str| Triage {
        themes: vec![Theme::Missing],
        response: "We listed two pools".into(),
        will_do: "Ask the leisure centres".into(),
        action: None,
        status,
        said: said.into(),
    };
    assert!(matches!(
        store
            .triage_feedback(
                ACTOR,
                f.partnership,
                id,
                1,
                &triage(FeedbackStatus::Published, "No swimming"),
                None
            )
            .await,
        Err(StoreError::Rule(_))
    ));
    store
        .triage_feedback(
            ACTOR,
            f.partnership,
            id,
            1,
            &triage(FeedbackStatus::Published, "No swimming"),
            Some(f.plan),
        )
        .await
        .expect("publish");
    let entries = store
        .list_you_said(f.partnership, f.plan, true)
        .await
        .expect("list");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].said, "No swimming");
    assert_eq!(
        entries[0].response,
        "We listed two pools\n\nWhat we will do: Ask the leisure centres"
    );
    assert_eq!(
        store
            .local_offer_you_said(f.partnership)
            .await
            .expect("lo")
            .len(),
        1
    );
    assert!(matches!(
        store
            .triage_feedback(
                ACTOR,
                f.partnership,
                id,
                1,
                &triage(FeedbackStatus::Closed, ""),
                None
            )
            .await,
        Err(StoreError::Conflict)
    ));
    store
        .triage_feedback(
            ACTOR,
            f.partnership,
            id,
            2,
            &triage(FeedbackStatus::Answered, "No swimming"),
            None,
        )
        .await
        .expect("withdraw");
    assert!(store
        .list_you_said(f.partnership, f.plan, true)
        .await
        .expect("list")
        .is_empty());
    assert!(store
        .local_offer_you_said(f.partnership)
        .await
        .expect("lo")
        .is_empty());
    let answered = store
        .list_feedback(f.partnership, Some(FeedbackStatus::Answered))
        .await
        .expect("list");
    assert_eq!(answered.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    assert!(store
        .list_feedback(f.partnership, Some(FeedbackStatus::New))
        .await
        .expect("list")
        .is_empty());
    // Kept 6 months unless the partnership says otherwise; not published, so deleted.
    assert_eq!(
        store
            .feedback_retention(f.partnership)
            .await
            .expect("months"),
        6
    );
    store
        .set_feedback_retention(ACTOR, f.partnership, 12)
        .await
        .expect("set");
    assert!(matches!(
        store.set_feedback_retention(ACTOR, f.partnership, 30).await,
        Err(StoreError::Rule(_))
    ));
    let today = now.date();
    assert_eq!(
        store
            .delete_expired_comments(today + time::Duration::days(200))
            .await
            .expect("delete"),
        0,
        "kept 12 months"
    );
    assert_eq!(
        store
            .delete_expired_comments(today + time::Duration::days(400))
            .await
            .expect("delete"),
        1
    );
    let kept = store.get_feedback(f.partnership, id).await.expect("get");
    assert!(kept.comment.is_none() && kept.said.is_empty() && kept.found == Some(false));
    // The audit log never holds the comment.
    let log: Vec<String> = store
        .list_audit(f.partnership, None, 1000)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| format!("{} {:?} {:?}", e.summary, e.before, e.after))
        .collect();
    assert!(
        log.iter().any(|e| e.contains("We listed two pools")),
        "the triage is logged"
    );
    assert!(
        log.iter().all(|e| !e.contains("Tom")),
        "no comment in the audit log"
    );
}

/// An SEN2 return's records are imported whole and read back as the clock reads them;
/// the same collection year imported again replaces the first; the secret UPNs are
/// hashed with is made once.
async fn a_casework_return_is_imported_whole_and_again_replaces_it(store: Store, _url: String) {
    use sendplan_domain::casework::clock::*;
    use sendplan_domain::casework::records::*;
    let f = fixture(&store, "E08000031").await;
    let secret = store
        .casework_secret(f.partnership, "first")
        .await
        .expect("secret");
    assert_eq!(secret, "first");
    assert_eq!(
        store
            .casework_secret(f.partnership, "second")
            .await
            .expect("secret"),
        "first"
    );
    let person = |key: &str, received: Date, issued: Option<Date>| CaseRecord {
        record: 1,
        key: key.into(),
        age: Some(9),
        requests: vec![CaseRequest {
            request: Request {
                received,
                outcome: RequestOutcome::Assess,
                decided: Some(received + time::Duration::days(30)),
                assessment: Some(Assessment {
                    outcome: if issued.is_some() {
                        AssessmentOutcome::Issue
                    } else {
                        AssessmentOutcome::NotYetDecided
                    },
                    outcome_date: issued,
                    plan_start: issued,
                    exceptions: vec![ExceptionPeriod::flag_only()],
                }),
            },
            source: Some(2),
        }],
        active_plan: Some(ActivePlan {
            needs: vec![("ASD".into(), 1)],
            ..ActivePlan::default()
        }),
        caseworker: None,
        team: None,
    };
    let people = vec![
        person("k1", date!(2024 - 01 - 08), Some(date!(2024 - 05 - 20))),
        person("k2", date!(2024 - 11 - 01), None),
    ];
    let file = |people| CaseworkFile {
        source: "sen2",
        collection_year: 2025,
        la_code: "336",
        reference_date: Some(date!(2025 - 01 - 16)),
        file_name: "sen2.xml",
        people,
    };
    store
        .import_casework(ACTOR, f.partnership, &file(&people))
        .await
        .expect("import");
    let read = store
        .casework_requests(f.partnership, 2025)
        .await
        .expect("requests");
    assert_eq!(read.len(), 2);
    assert_eq!(read[0], people[0].requests[0].request);
    assert!(store
        .casework_requests(f.partnership, 2024)
        .await
        .expect("requests")
        .is_empty());
    // Again, with one child: it replaces the first import.
    store
        .import_casework(ACTOR, f.partnership, &file(&people[..1]))
        .await
        .expect("again");
    assert_eq!(
        store
            .casework_requests(f.partnership, 2025)
            .await
            .expect("requests")
            .len(),
        1
    );
    let imports = store
        .casework_imports(f.partnership)
        .await
        .expect("imports");
    assert_eq!(imports.len(), 1);
    assert_eq!((imports[0].people, imports[0].requests), (1, 1));
}

/// Casework access is granted and withdrawn apart from the member's role, each change
/// audited once; a look at case-level data is audited; the records read back as imported
/// and only in their own partnership; and the plan's measures of the clock are recorded for
/// each month on import, a month resting on fewer than 5 left out, and follow a new import.
async fn casework_is_granted_apart_from_roles_and_the_plans_measures_follow_each_import(
    store: Store,
    _url: String,
) {
    use sendplan_domain::casework::clock::*;
    use sendplan_domain::casework::plan_measures::CaseworkMeasure;
    use sendplan_domain::casework::records::*;
    let f = fixture(&store, "E08000031").await;
    let other = fixture(&store, "E08000030").await;
    let user = store
        .create_user("casework@example.org", "Case Worker", "hash", false)
        .await
        .expect("user");
    store
        .grant_role(ACTOR, user, f.partnership, Role::PlanManager, None)
        .await
        .expect("role");
    let held = |store: Store| async move {
        store
            .membership_with_casework(user, f.partnership)
            .await
            .expect("membership")
            .map(|(_, _, casework)| casework)
    };
    assert_eq!(held(store.clone()).await, Some(false), "no role brings it");
    for granted in [true, true, false] {
        store
            .set_casework_access(ACTOR, f.partnership, user, granted)
            .await
            .expect("grant");
    }
    assert_eq!(held(store.clone()).await, Some(false));
    assert!(
        matches!(
            store
                .set_casework_access(ACTOR, other.partnership, user, true)
                .await,
            Err(StoreError::NotFound)
        ),
        "not a member there"
    );
    store
        .record_casework_view(ACTOR, f.partnership, "the overdue list")
        .await
        .expect("view");
    let changes: Vec<String> = store
        .list_audit(f.partnership, None, 500)
        .await
        .expect("audit")
        .into_iter()
        .filter(|e| e.entity.starts_with("casework") || e.change.starts_with("casework"))
        .map(|e| e.change)
        .collect();
    assert_eq!(
        changes,
        vec!["viewed", "casework withdrawn", "casework granted"],
        "granting twice is recorded once"
    );

    // June 2024: 10 plans, 5 of them late; July: 3 plans, all on time (too few to show).
    let issued = |n: usize, on: Date, late: usize| -> Vec<CaseRecord> {
        (0..n)
            .map(|i| {
                let days = if i < late { 200 } else { 100 };
                let received = on - time::Duration::days(days);
                CaseRecord {
                    record: 0,
                    key: format!("{on}-{i}"),
                    age: Some(7),
                    requests: vec![CaseRequest {
                        request: Request {
                            received,
                            outcome: RequestOutcome::Assess,
                            decided: Some(received + time::Duration::days(30)),
                            assessment: Some(Assessment {
                                outcome: AssessmentOutcome::Issue,
                                outcome_date: Some(on),
                                plan_start: Some(on),
                                exceptions: vec![],
                            }),
                        },
                        source: Some(1),
                    }],
                    active_plan: Some(ActivePlan {
                        last_review: Some(date!(2023 - 03 - 01)),
                        review_meeting: Some(date!(2024 - 02 - 20)),
                        review_outcome: Some("M".into()),
                        review_draft: Some(date!(2024 - 03 - 01)),
                        needs: vec![("SLCN".into(), 1)],
                        ..ActivePlan::default()
                    }),
                    caseworker: None,
                    team: None,
                }
            })
            .collect()
    };
    let mut people = issued(10, date!(2024 - 06 - 14), 5);
    people.extend(issued(3, date!(2024 - 07 - 10), 0));
    for (n, p) in people.iter_mut().enumerate() {
        p.record = n + 1;
    }
    let file = |people| CaseworkFile {
        source: "sen2",
        collection_year: 2025,
        la_code: "336",
        reference_date: Some(date!(2025 - 01 - 16)),
        file_name: "sen2.xml",
        people,
    };
    store
        .import_casework(ACTOR, f.partnership, &file(&people))
        .await
        .expect("import");
    assert_eq!(
        store
            .casework_records(f.partnership, 2025)
            .await
            .expect("records"),
        people
    );
    assert!(store
        .casework_records(other.partnership, 2025)
        .await
        .expect("records")
        .is_empty());
    let measure = store
        .add_casework_measure(
            ACTOR,
            f.partnership,
            f.plan,
            CaseworkMeasure::TwentyWeeksExcluding,
        )
        .await
        .expect("measure");
    let reviews = store
        .add_casework_measure(
            ACTOR,
            f.partnership,
            f.plan,
            CaseworkMeasure::ReviewDecisionsWithinFourWeeks,
        )
        .await
        .expect("measure");
    assert!(store
        .add_casework_measure(
            ACTOR,
            f.partnership,
            f.plan,
            CaseworkMeasure::TwentyWeeksExcluding
        )
        .await
        .is_err());
    let values = |store: Store, id| async move {
        store
            .list_data_points(f.partnership, id, false)
            .await
            .expect("values")
            .into_iter()
            .map(|p| (p.period.label, p.value, p.note))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        values(store.clone(), measure).await,
        vec![(
            "2024-06".to_owned(),
            50.0,
            "5 of 10 plans issued".to_owned()
        )],
        "July rests on 3 plans and is left out"
    );
    assert_eq!(
        values(store.clone(), reviews).await,
        vec![("2024-02".to_owned(), 100.0, "13 of 13 reviews".to_owned())]
    );
    // The return made again with two more plans in July: July now shows, June is as it was.
    let mut again = people.clone();
    again.extend(issued(2, date!(2024 - 07 - 11), 0));
    store
        .import_casework(ACTOR, f.partnership, &file(&again))
        .await
        .expect("again");
    assert_eq!(
        values(store.clone(), measure).await,
        vec![
            (
                "2024-06".to_owned(),
                50.0,
                "5 of 10 plans issued".to_owned()
            ),
            (
                "2024-07".to_owned(),
                100.0,
                "5 of 5 plans issued".to_owned()
            )
        ]
    );
}
