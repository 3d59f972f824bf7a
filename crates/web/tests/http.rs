//! HTTP tests through the router: who can reach what (every route x every role x own or
//! other partnership), CSRF, validation, conflicts, limits and the audit trail.

#![allow(clippy::unwrap_used)] // test set-up: a failure should stop the test at once

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use sendplan_domain::access::Role;
use sendplan_domain::input::*;
use sendplan_domain::numbering::ItemNumber;
use sendplan_domain::rating::RatingPreset;
use sendplan_domain::*;
use sendplan_storage::{Actor, Store};
use sendplan_web::{router, AppState, WebConfig};
use std::net::SocketAddr;
use tower::ServiceExt;

struct Area {
    pid: PartnershipId,
    plan: PlanId,
    area: AreaId,
    objective: ObjectiveId,
    led_action: ActionId,
    other_action: ActionId,
    milestone: MilestoneId,
    inspection: InspectionId,
    finding: FindingId,
    person: PersonId,
    organisation: OrganisationId,
    rating: RatingId,
    measure: MeasureId,
    survey: sendplan_domain::SurveyId,
    issued_report: i64,
    arising: sendplan_domain::OutcomeId,
    board: BoardId,
    meeting: sendplan_domain::MeetingId,
    reporting_line: ReportingLineId,
    /// A viewer member, whose role the access matrix changes and who it removes last.
    member: UserId,
    you_said: sendplan_domain::YouSaidId,
    intervention: sendplan_domain::InterventionId,
    /// A progress update on an action nobody leads, written by `member`.
    update: sendplan_domain::UpdateId,
    updated_action: ActionId,
    invitation: i64,
}

struct World {
    app: Router,
    store: Store,
    a: Area,
    b: Area,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn build_area(store: &Store, code: &str) -> Area {
    let actor = Actor(None);
    let pid = store
        .create_partnership(
            actor,
            &PartnershipInput {
                name: format!("Area {code}"),
                la_code: code.into(),
            },
        )
        .await
        .unwrap();
    let organisation = store
        .create_organisation(
            actor,
            pid,
            &OrganisationInput {
                name: "Council".into(),
                kind: sendplan_domain::partnership::OrganisationKind::LocalAuthority,
            },
        )
        .await
        .unwrap();
    let person = store
        .create_person(
            actor,
            pid,
            &PersonInput::parse(&RawForm::from_pairs(&[("name", "Lead Person")])).unwrap(),
        )
        .await
        .unwrap();
    let inspection = store
        .create_inspection(
            actor,
            pid,
            &InspectionInput::parse(&RawForm::from_pairs(&[
                ("framework", "joint_2016"),
                ("outcome", "wsoa_required"),
                ("start_date-day", "12"),
                ("start_date-month", "7"),
                ("start_date-year", "2021"),
                ("end_date-day", "16"),
                ("end_date-month", "7"),
                ("end_date-year", "2021"),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();
    let finding = store
        .add_finding(
            actor,
            pid,
            inspection,
            &FindingInput {
                kind: sendplan_domain::inspection::FindingKind::SignificantWeakness,
                heading: None,
                text: "Waiting times".into(),
            },
        )
        .await
        .unwrap();
    let plan_input = PlanInput::parse(
        &RawForm::from_pairs(&[
            ("kind", "wsoa"),
            ("title", "WSOA"),
            ("status", "active"),
            ("stale_after_days", "42"),
            ("rating_preset", "warwickshire"),
        ]),
        true,
    )
    .unwrap();
    let plan = store
        .create_plan(
            actor,
            pid,
            &plan_input,
            &RatingPreset::Warwickshire.ratings(),
        )
        .await
        .unwrap();
    let rating = store.list_ratings(pid, plan).await.unwrap()[1].id;
    let area = store
        .create_area(
            actor,
            pid,
            plan,
            &AreaInput::parse(&RawForm::from_pairs(&[
                ("number", "1"),
                ("title", "Autism waits"),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();
    let objective = store
        .create_objective(
            actor,
            pid,
            area,
            &ObjectiveInput::parse(
                &RawForm::from_pairs(&[("number", "1.1"), ("title", "Cut waits")]),
                &ItemNumber::parse("1").unwrap(),
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let lead = person.to_string();
    let one = |n: &str, leads: &str| {
        ActionInput::parse(
            &RawForm::from_pairs(&[
                ("number", n),
                ("description", "Do the work"),
                ("leads", leads),
            ]),
            |_| ItemNumber::parse("1").ok(),
        )
        .unwrap()
    };
    let led_action = store
        .create_action(
            actor,
            pid,
            area,
            &one("1.2", &lead),
            time::macros::date!(2022 - 01 - 01),
        )
        .await
        .unwrap();
    let other_action = store
        .create_action(
            actor,
            pid,
            area,
            &one("1.3", ""),
            time::macros::date!(2022 - 01 - 01),
        )
        .await
        .unwrap();
    let milestone = store
        .create_milestone(
            actor,
            pid,
            led_action,
            &MilestoneInput {
                title: "Launch".into(),
                due_date: None,
                success_criteria: String::new(),
                done_date: None,
                due_text: String::new(),
                done_evidence: String::new(),
            },
        )
        .await
        .unwrap();
    let measure_form = RawForm::from_pairs(&[
        ("name", "Longest wait"),
        ("unit", "weeks"),
        ("polarity", "lower"),
        ("frequency", "monthly"),
        ("baseline_date-day", "1"),
        ("baseline_date-month", "1"),
        ("baseline_date-year", "2022"),
        ("baseline_value", "242"),
        ("targets", "June 2023 = 125\nMarch 2024 = 13"),
        ("tolerance", "10"),
    ]);
    let mut measure_input = sendplan_domain::measures::MeasureInput::parse(&measure_form).unwrap();
    measure_input.actions = vec![led_action];
    let measure = store
        .create_measure(actor, pid, plan, &measure_input)
        .await
        .unwrap();
    let (respondents, questions) = sendplan_domain::surveys::tally(
        &["How supported do you feel?".to_owned()],
        &[
            vec!["Very supported".to_owned()],
            vec!["Not supported".to_owned()],
        ],
    )
    .unwrap();
    let survey = store
        .create_survey(
            actor,
            pid,
            plan,
            &sendplan_domain::surveys::SurveyInput {
                title: "Parent survey 2021".into(),
                series: "Parent survey".into(),
                run_by: "The forum".into(),
                audience: String::new(),
                period: "2021".into(),
                respondents: Some(respondents),
                quotes: vec![],
                questions,
            },
        )
        .await
        .unwrap();
    let issued_report = store
        .issue_report(
            actor,
            pid,
            plan,
            sendplan_domain::reports::ReportKind::Exception,
            time::macros::date!(2023 - 01 - 31),
            None,
            "SEND Improvement Board",
            sendplan_storage::PaperContent {
                title: "Exception report",
                html: "<!DOCTYPE html><title>Exception report</title><p>As issued</p>",
                document: None,
            },
        )
        .await
        .unwrap();
    let board = store
        .create_board(
            actor,
            pid,
            &sendplan_domain::governance::BoardInput::parse(&RawForm::from_pairs(&[(
                "name",
                "SEND Partnership Board",
            )]))
            .unwrap(),
        )
        .await
        .unwrap();
    let reporting_line = store
        .create_reporting_line(
            actor,
            pid,
            plan,
            &sendplan_domain::governance::ReportingLineInput::parse(&RawForm::from_pairs(&[
                ("board", &board.to_string()),
                ("kind", "progress"),
                ("cadence", "quarterly"),
                ("first_due-day", "31"),
                ("first_due-month", "3"),
                ("first_due-year", "2022"),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();
    let meeting = sendplan_domain::governance::MeetingInput::parse(
        &RawForm::from_pairs(&[
            ("board", &board.to_string()),
            ("held_on-day", "12"),
            ("held_on-month", "10"),
            ("held_on-year", "2022"),
            ("agenda", "1.2 Progress on autism waits"),
            (
                "outcomes",
                "The report was noted\nAction: commission a second assessment provider",
            ),
        ]),
        &[("1.2".to_owned(), led_action)],
    )
    .unwrap();
    let meeting = store
        .create_meeting(actor, pid, plan, &meeting)
        .await
        .unwrap();
    let arising = store.list_meetings(pid, plan).await.unwrap()[0].outcomes[1]
        .id
        .unwrap();
    let member = store
        .create_user(
            &format!("member-{code}@example.org"),
            "Member",
            "unused",
            false,
        )
        .await
        .unwrap();
    store
        .grant_role(actor, member, pid, Role::Viewer, None)
        .await
        .unwrap();
    // On an action of its own, so the other tests' counts of actions without an update
    // stay as they were.
    let updated_action = store
        .create_action(
            actor,
            pid,
            area,
            &one("1.8", ""),
            time::macros::date!(2022 - 01 - 01),
        )
        .await
        .unwrap();
    let update = store
        .add_update(
            Actor(Some(member)),
            pid,
            updated_action,
            &sendplan_domain::input::UpdateInput {
                update_date: time::macros::date!(2022 - 03 - 01),
                rating_id: rating,
                narrative: "Started".into(),
                evidence_links: vec![],
            },
        )
        .await
        .unwrap();
    let you_said = store
        .add_you_said(
            actor,
            pid,
            plan,
            &sendplan_domain::publication::YouSaidInput {
                said: "The waits are long".into(),
                response: "We funded more assessments".into(),
                action_id: None,
                said_on: time::macros::date!(2023 - 03 - 01),
                published: false,
            },
        )
        .await
        .unwrap();
    let intervention = store
        .create_intervention(
            actor,
            pid,
            &sendplan_domain::history::InterventionInput {
                kind: sendplan_domain::history::InterventionKind::Stocktake,
                by: sendplan_domain::history::InterventionBody::Dfe,
                date: sendplan_domain::history::PartialDate::parse("2024-06").unwrap(),
                title: String::new(),
                outcome: "Progress noted".into(),
                notes: String::new(),
                documents: vec![],
                plan_id: Some(plan),
            },
        )
        .await
        .unwrap();
    let invitation = store
        .create_invitation(
            actor,
            pid,
            &sendplan_domain::accounts::InvitationInput {
                email: format!("invited-{code}@example.org"),
                role: Role::Viewer,
                person: None,
                organisation: None,
            },
            &format!("invitation-{code}"),
            time::OffsetDateTime::now_utc(),
            None,
        )
        .await
        .unwrap();
    Area {
        member,
        update,
        updated_action,
        you_said,
        intervention,
        invitation,
        pid,
        plan,
        area,
        arising,
        board,
        meeting,
        reporting_line,
        objective,
        led_action,
        other_action,
        milestone,
        inspection,
        finding,
        person,
        organisation,
        rating,
        measure,
        survey,
        issued_report,
    }
}

/// Gives the partnership a Local Offer of two organisations: "ours" (whose provider the
/// tests sign in as) running "club", with a change waiting for an officer, and "theirs"
/// running "other". Returns the change's id.
async fn with_local_offer(store: &Store, pid: PartnershipId) -> i64 {
    let directory = local_offer_of_two_organisations();
    store
        .import_directory(Actor(None), pid, &directory, "feed.json", true)
        .await
        .unwrap();
    let mut changed = directory.services[0].clone();
    changed.fees = "£2 a session".into();
    store
        .propose_service_change(Actor(None), pid, Some("ours"), &changed, 1)
        .await
        .unwrap()
}

fn local_offer_of_two_organisations() -> sendplan_domain::local_offer::Directory {
    use sendplan_domain::local_offer::{Directory, Organization, Service};
    let organisation = |key: &str| Organization {
        key: key.into(),
        name: format!("Organisation {key}"),
        ..Organization::default()
    };
    let service = |key: &str, organisation: &str| Service {
        key: key.into(),
        organization_key: organisation.into(),
        name: format!("Service {key}"),
        fees: "Free".into(),
        ..Service::default()
    };
    Directory {
        organizations: vec![organisation("ours"), organisation("theirs")],
        services: vec![service("club", "ours"), service("other", "theirs")],
        terms: vec![],
    }
}

async fn world() -> World {
    world_with(None).await
}

/// A world whose server can send email through `mailer`.
async fn world_with(mailer: Option<sendplan_web::mail::Mailer>) -> World {
    let mut random = [0u8; 6];
    getrandom::fill(&mut random).unwrap();
    let dir = std::env::temp_dir().join(format!(
        "sendplan-http-{}",
        random
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&format!("sqlite://{}/test.db", dir.display()))
        .await
        .unwrap();
    let a = build_area(&store, "E08000031").await;
    let b = build_area(&store, "E10000031").await;
    let app = router(AppState::new(
        store.clone(),
        WebConfig {
            secure_cookies: false,
            // PDFs are printed by a real Chromium; the tests fail, not skip, without one.
            pdf: Some(sendplan_web::pdf::PdfPrinter::find().expect(
                "Chromium is needed to test PDF papers: apt-get install chromium, or set SENDPLAN_CHROMIUM",
            )),
            mailer,
            ..WebConfig::default()
        },
    ));
    World {
        app,
        store,
        a,
        b,
        _dir: TempDir(dir),
    }
}

impl World {
    /// The database's address, to open it again as a restarted server would.
    fn store_url(&self) -> String {
        format!("sqlite://{}/test.db", self._dir.0.display())
    }
}

/// A signed-in session: (cookie header, csrf token).
struct Session {
    cookie: String,
    csrf: String,
}

impl World {
    async fn session_for(
        &self,
        email: &str,
        role: Option<(PartnershipId, Role, Option<PersonId>)>,
        deployment_admin: bool,
    ) -> Session {
        let user = self
            .store
            .create_user(email, email, "unused", deployment_admin)
            .await
            .unwrap();
        match role {
            Some((pid, Role::Provider, _)) => self
                .store
                .grant_provider(Actor(None), user, pid, "ours")
                .await
                .unwrap(),
            Some((pid, role, person)) => self
                .store
                .grant_role(Actor(None), user, pid, role, person)
                .await
                .unwrap(),
            None => {}
        }
        let token = format!("token-{email}");
        let csrf = format!("csrf-{email}");
        let hash = sha256_hex(&token);
        let now = time::OffsetDateTime::now_utc();
        self.store
            .create_session(&sendplan_storage::NewSession {
                token_hash: &hash,
                handle: &hash[..24],
                user,
                csrf_token: &csrf,
                user_agent: "test",
                now,
                expires_at: now + time::Duration::hours(1),
            })
            .await
            .unwrap();
        Session {
            cookie: format!("sendplan_session={token}"),
            csrf,
        }
    }

    async fn send(&self, request: Request<Body>) -> (StatusCode, String, axum::http::HeaderMap) {
        self.send_from([127, 0, 0, 1], request).await
    }

    /// Sends `request` as if from the client at `address`.
    async fn send_from(
        &self,
        address: [u8; 4],
        request: Request<Body>,
    ) -> (StatusCode, String, axum::http::HeaderMap) {
        let mut request = with_form_token(request);
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from((address, 40000))));
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8_lossy(&body).into_owned(), headers)
    }

    async fn get(&self, session: Option<&Session>, path: &str) -> (StatusCode, String) {
        let mut builder = Request::get(path);
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        }
        let (status, body, _) = self.send(builder.body(Body::empty()).unwrap()).await;
        (status, body)
    }

    async fn post(
        &self,
        session: Option<&Session>,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let mut all: Vec<(&str, &str)> = pairs.to_vec();
        if let Some(s) = session {
            all.push(("_csrf", s.csrf.as_str()));
        }
        let body = serde_urlencoded::to_string(&all).unwrap();
        let mut builder =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        }
        let (status, body, _) = self.send(builder.body(Body::from(body)).unwrap()).await;
        (status, body)
    }
}

/// A signed-in post as a browser sends a form: with a new one-time token in its address
/// (the form page's `action`), unless the test gave one (or an empty one, to leave it out).
fn with_form_token(mut request: Request<Body>) -> Request<Body> {
    let signed_in = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("sendplan_session="));
    let query = request.uri().query().unwrap_or("");
    if request.method() == axum::http::Method::POST && signed_in && !query.contains("_once=") {
        let token = format!("{:032x}", rand_u128());
        let path = request.uri().path().to_owned();
        let uri = if query.is_empty() {
            format!("{path}?_once={token}")
        } else {
            format!("{path}?{query}&_once={token}")
        };
        *request.uri_mut() = uri.parse().expect("uri");
    }
    request
}

fn rand_u128() -> u128 {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("random");
    u128::from_le_bytes(bytes)
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What a route needs.
#[derive(Clone, Copy, Debug)]
enum Needs {
    View,
    EditPlans,
    ManagePartnership,
    Audit,
    UpdateLedAction,
    UpdateOtherAction,
    /// Plan managers are sent on elsewhere (303).
    EditPlansThenRedirect,
    /// Plan managers and administrators, answered with this status without fields.
    EditPlansAnswers(StatusCode),
    /// Administrators only, answered with this status even without fields (a post that
    /// needs none: send again, withdraw, remove).
    ManagePartnershipAnswers(StatusCode),
    /// Local Offer officers and administrators.
    ManageLocalOffer,
    /// The same, answered with this status without fields.
    ManageLocalOfferAnswers(StatusCode),
    /// Anyone who may propose changes (providers; administrators, who provide for no
    /// organisation, see a page saying so).
    Provide,
    /// One of the provider's own services: theirs to change, and not there (404) for an
    /// administrator, who provides for no organisation.
    ProvideOwn,
    /// Another organisation's service: not there for anyone who may propose changes.
    ProvideOther,
    /// EHC casework: granted apart from roles, so no role has it (see the casework test).
    Casework,
}

fn routes(a: &Area, proposal: i64) -> Vec<(&'static str, String, Needs)> {
    let p = format!("/p/{}", a.pid);
    use Needs::*;
    vec![
        ("GET", p.clone(), View),
        ("GET", format!("{p}/provide"), Provide),
        ("GET", format!("{p}/provide/services/club"), ProvideOwn),
        ("POST", format!("{p}/provide/services/club"), ProvideOwn),
        ("GET", format!("{p}/provide/services/other"), ProvideOther),
        ("POST", format!("{p}/provide/services/other"), ProvideOther),
        ("GET", format!("{p}/local-offer"), ManageLocalOffer),
        ("GET", format!("{p}/casework"), Casework),
        ("GET", format!("{p}/casework/overdue"), Casework),
        ("GET", format!("{p}/casework/cases/k1"), Casework),
        ("GET", format!("{p}/casework/find"), Casework),
        ("POST", format!("{p}/casework/find"), Casework),
        ("GET", format!("{p}/casework/import"), Casework),
        ("POST", format!("{p}/casework/import"), Casework),
        (
            "GET",
            format!("{p}/plans/{}/measures/casework", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/measures/casework", a.plan),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/plans/{}/measures/local-offer", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/measures/local-offer", a.plan),
            EditPlans,
        ),
        ("GET", format!("{p}/local-offer/review"), ManageLocalOffer),
        ("GET", format!("{p}/local-offer/feedback"), ManageLocalOffer),
        (
            "GET",
            format!("{p}/local-offer/feedback/retention"),
            ManageLocalOffer,
        ),
        (
            "POST",
            format!("{p}/local-offer/feedback/retention"),
            ManageLocalOffer,
        ),
        (
            "GET",
            format!("{p}/local-offer/feedback/999999"),
            ManageLocalOfferAnswers(StatusCode::NOT_FOUND),
        ),
        (
            "POST",
            format!("{p}/local-offer/feedback/999999"),
            ManageLocalOfferAnswers(StatusCode::NOT_FOUND),
        ),
        ("GET", format!("{p}/local-offer/performance"), View),
        ("GET", format!("{p}/local-offer/performance.csv"), View),
        ("GET", format!("{p}/local-offer/unmet-need"), View),
        (
            "POST",
            format!("{p}/local-offer/problems/999999/dealt"),
            ManageLocalOfferAnswers(StatusCode::NOT_FOUND),
        ),
        ("GET", format!("{p}/local-offer/import"), ManageLocalOffer),
        ("POST", format!("{p}/local-offer/import"), ManageLocalOffer),
        (
            "POST",
            format!("{p}/local-offer/import/999999"),
            ManageLocalOfferAnswers(StatusCode::NOT_FOUND),
        ),
        ("POST", format!("{p}/local-offer/review"), ManageLocalOffer),
        (
            "GET",
            format!("{p}/local-offer/changes/{}", proposal),
            ManageLocalOffer,
        ),
        (
            "GET",
            format!("{p}/local-offer/changes/{}/return", proposal),
            ManageLocalOffer,
        ),
        (
            "POST",
            format!("{p}/local-offer/changes/{}/return", proposal),
            ManageLocalOffer,
        ),
        (
            "POST",
            format!("{p}/local-offer/changes/{}/approve", proposal),
            ManageLocalOfferAnswers(StatusCode::SEE_OTHER),
        ),
        (
            "GET",
            format!("{p}/local-offer/services/club"),
            ManageLocalOffer,
        ),
        (
            "GET",
            format!("{p}/local-offer/services/club/edit"),
            ManageLocalOffer,
        ),
        (
            "POST",
            format!("{p}/local-offer/services/club/edit"),
            ManageLocalOffer,
        ),
        (
            "POST",
            format!("{p}/local-offer/services/club/versions/1/restore"),
            ManageLocalOfferAnswers(StatusCode::SEE_OTHER),
        ),
        ("GET", format!("{p}/my-actions"), View),
        ("GET", format!("{p}/plans/{}/measures", a.plan), View),
        ("GET", format!("{p}/plans/{}/dashboard", a.plan), View),
        ("GET", format!("{p}/measures/{}", a.measure), View),
        ("GET", format!("{p}/measures/{}/edit", a.measure), EditPlans),
        (
            "POST",
            format!("{p}/measures/{}/edit", a.measure),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/measures/{}/export?format=csv", a.measure),
            View,
        ),
        (
            "GET",
            format!("{p}/plans/{}/measures/new", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/measures/new", a.plan),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/measures/{}/values/new", a.measure),
            UpdateLedAction,
        ),
        (
            "POST",
            format!("{p}/measures/{}/values/new", a.measure),
            UpdateLedAction,
        ),
        (
            "GET",
            format!("{p}/measures/{}/values/import", a.measure),
            UpdateLedAction,
        ),
        (
            "POST",
            format!("{p}/measures/{}/values/import", a.measure),
            UpdateLedAction,
        ),
        (
            "GET",
            format!("{p}/measures/{}/comparators/new", a.measure),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/measures/{}/targets/export?format=csv", a.measure),
            View,
        ),
        (
            "GET",
            format!("{p}/measures/{}/targets/import", a.measure),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/measures/{}/targets/import", a.measure),
            EditPlans,
        ),
        ("GET", format!("{p}/plans/{}/publish", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/publish", a.plan), EditPlans),
        ("GET", format!("{p}/plans/{}/you-said", a.plan), View),
        (
            "GET",
            format!("{p}/plans/{}/you-said/new", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/you-said/new", a.plan),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/you-said/{}/edit", a.you_said),
            EditPlans,
        ),
        ("GET", format!("{p}/timeline"), View),
        ("GET", format!("{p}/interventions/new"), EditPlans),
        ("POST", format!("{p}/interventions/new"), EditPlans),
        (
            "GET",
            format!("{p}/interventions/{}/edit", a.intervention),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/interventions/{}/edit", a.intervention),
            EditPlans,
        ),
        ("GET", format!("{p}/plans/{}/approval", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/approval", a.plan), EditPlans),
        (
            "GET",
            format!("{p}/plans/{}/cycle/{}/change", a.plan, a.reporting_line),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/cycle/{}/change", a.plan, a.reporting_line),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/delete/intervention/{}", a.intervention),
            EditPlans,
        ),
        ("GET", format!("{p}/delete/plan/{}", a.plan), EditPlans),
        ("GET", format!("{p}/surveys/{}/edit", a.survey), EditPlans),
        ("POST", format!("{p}/surveys/{}/edit", a.survey), EditPlans),
        (
            "GET",
            format!("{p}/reports/{}/correct", a.issued_report),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/reports/{}/correct", a.issued_report),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/you-said/{}/edit", a.you_said),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/you-said/{}/publication", a.you_said),
            EditPlansAnswers(StatusCode::BAD_REQUEST),
        ),
        ("GET", format!("{p}/plans/{}/reminders", a.plan), EditPlans),
        (
            "GET",
            format!("{p}/plans/{}/reminders/settings", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/reminders/settings", a.plan),
            EditPlans,
        ),
        ("GET", format!("{p}/plans/{}/meetings", a.plan), View),
        (
            "GET",
            format!("{p}/plans/{}/cycle/{}/remove", a.plan, a.reporting_line),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/cycle/{}/remove", a.plan, a.reporting_line),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/plans/{}/meetings/{}/edit", a.plan, a.meeting),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/meetings/{}/edit", a.plan, a.meeting),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/meeting-actions/{}/add?area={}", a.arising, a.area),
            EditPlansThenRedirect,
        ),
        (
            "GET",
            format!("{p}/areas/{}/actions/new?arising={}", a.area, a.arising),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/reports/{}/publish", a.issued_report),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/reports/{}/publish", a.issued_report),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/plans/{}/meetings/new", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/meetings/new", a.plan),
            EditPlans,
        ),
        ("GET", format!("{p}/boards"), View),
        ("GET", format!("{p}/boards/new"), EditPlans),
        ("GET", format!("{p}/boards/{}/edit", a.board), EditPlans),
        ("POST", format!("{p}/boards/{}/edit", a.board), EditPlans),
        ("POST", format!("{p}/boards/new"), EditPlans),
        ("GET", format!("{p}/plans/{}/cycle/new", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/cycle/new", a.plan), EditPlans),
        ("GET", format!("{p}/plans/{}/reports", a.plan), View),
        ("POST", format!("{p}/plans/{}/reports", a.plan), View),
        (
            "GET",
            format!("{p}/plans/{}/reports/view?kind=progress&format=csv", a.plan),
            View,
        ),
        ("GET", format!("{p}/reports/{}", a.issued_report), View),
        ("GET", format!("{p}/plans/{}/surveys", a.plan), View),
        ("GET", format!("{p}/surveys/{}", a.survey), View),
        (
            "GET",
            format!("{p}/plans/{}/surveys/new", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/surveys/new", a.plan),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/surveys/{}/questions/1/measure", a.survey),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/surveys/{}/questions/1/measure", a.survey),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/measures/{}/comparators/new", a.measure),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/plans/{}/export?format=xlsx", a.plan),
            View,
        ),
        (
            "GET",
            format!("{p}/plans/{}/export?format=json", a.plan),
            View,
        ),
        ("GET", format!("{p}/imports/new"), EditPlans),
        ("POST", format!("{p}/imports/new"), EditPlans),
        ("GET", format!("{p}/people"), View),
        ("GET", format!("{p}/organisations"), View),
        ("GET", format!("{p}/inspections"), View),
        ("GET", format!("{p}/inspections/{}", a.inspection), View),
        ("GET", format!("{p}/plans/{}", a.plan), View),
        ("GET", format!("{p}/plans/{}/ratings", a.plan), View),
        ("GET", format!("{p}/actions/{}", a.led_action), View),
        ("GET", format!("{p}/edit"), ManagePartnership),
        ("POST", format!("{p}/edit"), ManagePartnership),
        ("GET", format!("{p}/members"), ManagePartnership),
        (
            "GET",
            format!("{p}/members/{}", a.member),
            ManagePartnership,
        ),
        (
            "POST",
            format!("{p}/members/{}", a.member),
            ManagePartnership,
        ),
        (
            "GET",
            format!("{p}/members/{}/remove", a.member),
            ManagePartnership,
        ),
        ("GET", format!("{p}/invitations/new"), ManagePartnership),
        ("POST", format!("{p}/invitations/new"), ManagePartnership),
        (
            "POST",
            format!("{p}/invitations/{}/resend", a.invitation),
            ManagePartnershipAnswers(StatusCode::OK),
        ),
        (
            "POST",
            format!("{p}/invitations/{}/withdraw", a.invitation),
            ManagePartnershipAnswers(StatusCode::SEE_OTHER),
        ),
        ("GET", format!("{p}/sign-in"), ManagePartnership),
        ("POST", format!("{p}/sign-in"), ManagePartnership),
        ("GET", format!("{p}/audit"), Audit),
        ("GET", format!("{p}/people/new"), EditPlans),
        ("POST", format!("{p}/people/new"), EditPlans),
        ("GET", format!("{p}/people/{}/edit", a.person), EditPlans),
        ("GET", format!("{p}/people/{}/merge", a.person), EditPlans),
        ("GET", format!("{p}/people/{}/split", a.person), EditPlans),
        ("POST", format!("{p}/people/{}/split", a.person), EditPlans),
        ("POST", format!("{p}/people/{}/merge", a.person), EditPlans),
        ("POST", format!("{p}/people/{}/edit", a.person), EditPlans),
        ("GET", format!("{p}/organisations/new"), EditPlans),
        ("POST", format!("{p}/organisations/new"), EditPlans),
        (
            "GET",
            format!("{p}/organisations/{}/edit", a.organisation),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/organisations/{}/edit", a.organisation),
            EditPlans,
        ),
        ("GET", format!("{p}/inspections/new"), EditPlans),
        ("POST", format!("{p}/inspections/new"), EditPlans),
        (
            "GET",
            format!("{p}/inspections/{}/edit", a.inspection),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/inspections/{}/edit", a.inspection),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/inspections/{}/findings/new", a.inspection),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/inspections/{}/findings/new", a.inspection),
            EditPlans,
        ),
        ("GET", format!("{p}/findings/{}/edit", a.finding), EditPlans),
        (
            "POST",
            format!("{p}/findings/{}/edit", a.finding),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/inspections/{}/revisits/new", a.inspection),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/inspections/{}/revisits/new", a.inspection),
            EditPlans,
        ),
        ("GET", format!("{p}/plans/new"), EditPlans),
        ("POST", format!("{p}/plans/new"), EditPlans),
        ("GET", format!("{p}/plans/{}/edit", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/edit", a.plan), EditPlans),
        (
            "GET",
            format!("{p}/plans/{}/ratings/new", a.plan),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/plans/{}/ratings/new", a.plan),
            EditPlans,
        ),
        ("GET", format!("{p}/ratings/{}/edit", a.rating), EditPlans),
        ("POST", format!("{p}/ratings/{}/edit", a.rating), EditPlans),
        ("GET", format!("{p}/plans/{}/areas/new", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/areas/new", a.plan), EditPlans),
        ("GET", format!("{p}/areas/{}/edit", a.area), EditPlans),
        ("POST", format!("{p}/areas/{}/edit", a.area), EditPlans),
        (
            "GET",
            format!("{p}/areas/{}/progress/new", a.area),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/areas/{}/progress/new", a.area),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/areas/{}/objectives/new", a.area),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/areas/{}/objectives/new", a.area),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/objectives/{}/edit", a.objective),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/objectives/{}/edit", a.objective),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/areas/{}/actions/new", a.area),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/areas/{}/actions/new", a.area),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/actions/{}/edit", a.led_action),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/actions/{}/edit", a.led_action),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/actions/{}/milestones/new", a.led_action),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/actions/{}/milestones/new", a.led_action),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/milestones/{}/edit", a.milestone),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/milestones/{}/edit", a.milestone),
            EditPlans,
        ),
        (
            "GET",
            format!("{p}/actions/{}/updates/new", a.led_action),
            UpdateLedAction,
        ),
        (
            "POST",
            format!("{p}/actions/{}/updates/new", a.led_action),
            UpdateLedAction,
        ),
        (
            "GET",
            format!("{p}/actions/{}/updates/new", a.other_action),
            UpdateOtherAction,
        ),
        (
            "POST",
            format!("{p}/actions/{}/updates/new", a.other_action),
            UpdateOtherAction,
        ),
        (
            "GET",
            format!("{p}/delete/action/{}", a.other_action),
            EditPlans,
        ),
        (
            "POST",
            format!("{p}/delete/action/{}", a.other_action),
            EditPlans,
        ),
        ("GET", format!("{p}/delete/survey/{}", a.survey), EditPlans),
        ("POST", format!("{p}/delete/survey/{}", a.survey), EditPlans),
        ("GET", format!("{p}/deleted"), EditPlans),
        (
            "POST",
            format!("{p}/deleted/1/restore"),
            ManagePartnershipAnswers(StatusCode::UNPROCESSABLE_ENTITY),
        ),
        ("GET", format!("{p}/plans/{}/archive", a.plan), EditPlans),
        ("POST", format!("{p}/plans/{}/archive", a.plan), EditPlans),
        (
            "POST",
            format!("{p}/plans/{}/unarchive", a.plan),
            EditPlansThenRedirect,
        ),
        (
            "GET",
            format!("{p}/updates/{}/correct", a.update),
            UpdateOtherAction,
        ),
        (
            "POST",
            format!("{p}/updates/{}/correct", a.update),
            UpdateOtherAction,
        ),
        (
            "GET",
            format!("{p}/updates/{}/withdraw", a.update),
            UpdateOtherAction,
        ),
        (
            "POST",
            format!("{p}/updates/{}/withdraw", a.update),
            UpdateOtherAction,
        ),
        (
            "GET",
            format!("{p}/milestones/{}/done", a.milestone),
            UpdateLedAction,
        ),
        (
            "POST",
            format!("{p}/milestones/{}/done", a.milestone),
            UpdateLedAction,
        ),
        // Last: it takes the member out, and the routes above need them.
        (
            "POST",
            format!("{p}/members/{}/remove", a.member),
            ManagePartnershipAnswers(StatusCode::SEE_OTHER),
        ),
    ]
}

/// The status a member with `role` in the route's own partnership should get. Authorised
/// posts carry no fields, so they must fail validation (422), which proves they got
/// past the access check without changing anything.
fn expected(role: Role, method: &str, needs: Needs) -> StatusCode {
    let allowed = match needs {
        Needs::View => !matches!(role, Role::Provider),
        Needs::EditPlans
        | Needs::UpdateOtherAction
        | Needs::EditPlansThenRedirect
        | Needs::EditPlansAnswers(_) => matches!(role, Role::Admin | Role::PlanManager),
        Needs::ManagePartnership | Needs::Audit | Needs::ManagePartnershipAnswers(_) => {
            role == Role::Admin
        }
        Needs::UpdateLedAction => {
            matches!(role, Role::Admin | Role::PlanManager | Role::ActionLead)
        }
        Needs::ManageLocalOffer | Needs::ManageLocalOfferAnswers(_) => {
            matches!(role, Role::Admin | Role::LocalOfferOfficer)
        }
        Needs::Provide | Needs::ProvideOwn | Needs::ProvideOther => {
            matches!(role, Role::Admin | Role::Provider)
        }
        Needs::Casework => false,
    };
    match (allowed, method) {
        (false, _) => StatusCode::FORBIDDEN,
        (true, _) if matches!(needs, Needs::ProvideOther) => StatusCode::NOT_FOUND,
        (true, _) if matches!(needs, Needs::ProvideOwn) && role == Role::Admin => {
            StatusCode::NOT_FOUND
        }
        (true, _) if matches!(needs, Needs::ManageLocalOfferAnswers(_)) => match needs {
            Needs::ManageLocalOfferAnswers(status) => status,
            _ => unreachable!(),
        },
        (true, _) if matches!(needs, Needs::ManagePartnershipAnswers(_)) => match needs {
            Needs::ManagePartnershipAnswers(status) => status,
            _ => unreachable!(),
        },
        (true, _) if matches!(needs, Needs::EditPlansThenRedirect) => StatusCode::SEE_OTHER,
        (true, _) if matches!(needs, Needs::EditPlansAnswers(_)) => match needs {
            Needs::EditPlansAnswers(status) => status,
            _ => unreachable!(),
        },
        (true, "GET") => StatusCode::OK,
        (true, _) => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// The routes whose forms send a file.
fn takes_files(path: &str) -> bool {
    [
        "/imports/new",
        "/values/import",
        "/targets/import",
        "/comparators/new",
        "/surveys/new",
        "/local-offer/import",
        "/casework/import",
    ]
    .iter()
    .any(|end| path.ends_with(end))
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_access_rules_say() {
    let w = world().await;
    let proposal = with_local_offer(&w.store, w.a.pid).await;
    with_local_offer(&w.store, w.b.pid).await;
    let mut failures = Vec::new();
    for role in Role::ALL {
        let email = format!("{}@example.org", role.code());
        let person = (*role == Role::ActionLead).then_some(w.a.person);
        let own = w
            .session_for(&email, Some((w.a.pid, *role, person)), false)
            .await;
        let outsider = w
            .session_for(
                &format!("outsider-{email}"),
                Some((w.b.pid, *role, None)),
                false,
            )
            .await;
        for (method, path, needs) in routes(&w.a, proposal) {
            let own_status = match method {
                "GET" => w.get(Some(&own), &path).await.0,
                _ if takes_files(&path) => {
                    // As the upload form sends it with no file chosen.
                    w.send(upload_request(&own, &path, &[], "", b"")).await.0
                }
                _ => w.post(Some(&own), &path, &[]).await.0,
            };
            let want = expected(*role, method, needs);
            if own_status != want {
                failures.push(format!(
                    "{role:?} own {method} {path}: got {own_status}, want {want}"
                ));
            }
            let other_status = match method {
                "GET" => w.get(Some(&outsider), &path).await.0,
                _ => w.post(Some(&outsider), &path, &[]).await.0,
            };
            if other_status != StatusCode::NOT_FOUND {
                failures.push(format!(
                    "{role:?} of another partnership {method} {path}: got {other_status}, want 404"
                ));
            }
        }
    }
    for (method, path, _) in routes(&w.a, proposal) {
        let status = match method {
            "GET" => w.get(None, &path).await.0,
            _ => w.post(None, &path, &[]).await.0,
        };
        let want = if method == "GET" {
            StatusCode::SEE_OTHER
        } else {
            StatusCode::FORBIDDEN
        };
        if status != want {
            failures.push(format!(
                "anonymous {method} {path}: got {status}, want {want}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} access failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_deployment_admin_can_create_partnerships_and_others_cannot() {
    let w = world().await;
    let admin = w.session_for("root@example.org", None, true).await;
    let member = w
        .session_for(
            "member@example.org",
            Some((w.a.pid, Role::Admin, None)),
            false,
        )
        .await;
    assert_eq!(
        w.get(Some(&member), "/partnerships/new").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = w
        .post(
            Some(&admin),
            "/partnerships/new",
            &[("name", ""), ("la_code", "nonsense")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("There is a problem") && body.contains("Enter the name of the local area")
    );
    let (status, _) = w
        .post(
            Some(&admin),
            "/partnerships/new",
            &[("name", "Walsall"), ("la_code", "E08000030")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = w.get(Some(&admin), "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Walsall") && body.contains("Area E08000031"));
}

#[tokio::test]
async fn a_form_posted_without_the_sessions_csrf_token_is_refused_and_changes_nothing() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let path = format!("/p/{}/organisations/new", w.a.pid);
    let body = "name=Injected&kind=other";
    for token in ["", "&_csrf=wrong"] {
        let request = Request::post(&path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &manager.cookie)
            .body(Body::from(format!("{body}{token}")))
            .unwrap();
        let (status, text, _) = w.send(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(text.contains("This form has expired"));
    }
    assert!(w
        .store
        .list_organisations(w.a.pid)
        .await
        .unwrap()
        .iter()
        .all(|o| o.name != "Injected"));
}

#[tokio::test]
async fn an_oversized_body_gets_413() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let huge = "x".repeat(300 * 1024);
    let (status, body) = w
        .post(
            Some(&manager),
            &format!("/p/{}/people/new", w.a.pid),
            &[("name", &huge)],
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body.contains("too large") && body.contains("Forms sent here can be at most 256 KB"));
    // An upload names the upload's own limit, not the form's.
    let (status, body, _) = w
        .send(
            Request::post(format!("/p/{}/imports/new", w.a.pid))
                .header(header::COOKIE, &manager.cookie)
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
                .header(header::CONTENT_LENGTH, (64 * 1024 * 1024).to_string())
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        body.contains("Files sent here can be at most 10 MB"),
        "{body}"
    );
}

/// A request body that sends `first` and then nothing, ever: a server that waits to read
/// it waits for good, so an answer proves the body was not read.
struct Stalled(Option<axum::body::Bytes>);

impl axum::body::HttpBody for Stalled {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<hyper::body::Frame<Self::Data>, Self::Error>>> {
        match self.0.take() {
            Some(first) => std::task::Poll::Ready(Some(Ok(hyper::body::Frame::data(first)))),
            None => std::task::Poll::Pending,
        }
    }
}

fn stalled(first: &str) -> Body {
    Body::new(Stalled(Some(axum::body::Bytes::from(first.to_owned()))))
}

/// Who may send a post is settled before its body is read: without a session, outside the
/// partnership, or without the right to upload, the answer comes while the body is still
/// arriving. A file form whose first field is not the CSRF token is refused before the
/// file is read, and a file sent to a page that takes none is refused.
#[tokio::test]
async fn a_post_is_refused_before_its_body_is_read_unless_the_sender_may_send_it() {
    let w = world().await;
    let viewer = w
        .session_for("v@example.org", Some((w.a.pid, Role::Viewer, None)), false)
        .await;
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, Some(w.a.person))),
            false,
        )
        .await;
    let outsider = w
        .session_for(
            "pm-b@example.org",
            Some((w.b.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let multipart = "multipart/form-data; boundary=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let imports = format!("/p/{}/imports/new", w.a.pid);
    let people = format!("/p/{}/people/new", w.a.pid);
    let cases: Vec<(Option<&Session>, &str, &str, StatusCode)> = vec![
        (None, imports.as_str(), multipart, StatusCode::FORBIDDEN),
        (
            None,
            people.as_str(),
            "application/x-www-form-urlencoded",
            StatusCode::FORBIDDEN,
        ),
        (
            Some(&outsider),
            imports.as_str(),
            multipart,
            StatusCode::NOT_FOUND,
        ),
        (
            Some(&viewer),
            imports.as_str(),
            multipart,
            StatusCode::FORBIDDEN,
        ),
        (
            Some(&lead),
            imports.as_str(),
            multipart,
            StatusCode::FORBIDDEN,
        ),
        // The CSRF token is not the first field.
        (
            Some(&manager),
            imports.as_str(),
            multipart,
            StatusCode::FORBIDDEN,
        ),
        (
            Some(&manager),
            people.as_str(),
            multipart,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (session, path, content_type, expected) in cases {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, content_type);
        if let Some(s) = session {
            request = request.header(header::COOKIE, &s.cookie);
        }
        let first = "--aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\n";
        let (status, body, _) = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            w.send(request.body(stalled(first)).unwrap()),
        )
        .await
        .unwrap_or_else(|_| panic!("{path} as {content_type}: the server waited for the body"));
        assert_eq!(status, expected, "{path}: {body}");
    }
}

/// A page of near-boundaries (the input that made the old parser search quadratically)
/// is read in one pass and refused for what it is: no file was chosen.
#[tokio::test]
async fn a_pathological_multipart_body_is_read_in_one_pass() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let boundary = "b".repeat(70);
    let near = format!("\r\n--{}", "b".repeat(69));
    let (content_type, mut body) = multipart_with(&manager.csrf, &[], "plan.csv", b"");
    let content_type = content_type.replace("sendplanTestBoundary", &boundary);
    body = String::from_utf8(body)
        .unwrap()
        .replace("sendplanTestBoundary", &boundary)
        .into_bytes();
    // Inside the file part: 100,000 almost-delimiters, about 7 MB.
    let at = body.len() - boundary.len() - 8;
    let filler = near.repeat(100_000);
    body.splice(at..at, filler.bytes());
    let started = std::time::Instant::now();
    let (status, page, _) = w
        .send(
            Request::post(format!("/p/{}/imports/new", w.a.pid))
                .header(header::CONTENT_TYPE, content_type)
                .header(header::COOKIE, &manager.cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// A form sent twice (a double click, the back button and send again) is done once; the
/// second sending is shown where the first went. Sent at the same moment, still once. A
/// refused sending gives its token back, so the corrected page can be sent; a form
/// without its token is refused and changes nothing.
#[tokio::test]
async fn a_form_sent_twice_is_done_once_and_shown_the_first_result() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let people_named = |name: &'static str| {
        let store = w.store.clone();
        let pid = w.a.pid;
        async move {
            store
                .list_people(pid)
                .await
                .unwrap()
                .iter()
                .filter(|p| p.name == name)
                .count()
        }
    };
    let send = |token: &str, name: &str| {
        let body = serde_urlencoded::to_string([
            ("name", name),
            ("short_code", ""),
            ("_csrf", manager.csrf.as_str()),
        ])
        .unwrap();
        Request::post(format!("/p/{}/people/new?_once={token}", w.a.pid))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &manager.cookie)
            .body(Body::from(body))
            .unwrap()
    };
    let (first, second) = tokio::join!(
        w.send(send("t1t1t1t1", "Amira Once")),
        w.send(send("t1t1t1t1", "Amira Once"))
    );
    assert_eq!(
        (first.0, second.0),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    assert_eq!(
        first.2.get(header::LOCATION),
        second.2.get(header::LOCATION)
    );
    assert_eq!(
        people_named("Amira Once").await,
        1,
        "sent at once, done once"
    );
    let (status, _, headers) = w.send(send("t1t1t1t1", "Amira Once")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers.get(header::LOCATION), first.2.get(header::LOCATION));
    let flash = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<String>();
    assert!(flash.contains("already%20been%20sent"), "{flash}");
    assert_eq!(
        people_named("Amira Once").await,
        1,
        "sent again later, still once"
    );

    let (status, _, _) = w.send(send("t2t2t2t2", "")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = w.send(send("t2t2t2t2", "Bea Corrected")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the corrected page is sent");
    assert_eq!(people_named("Bea Corrected").await, 1);

    let (status, body, _) = w.send(send("", "Cal Untokened")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(people_named("Cal Untokened").await, 0);
}

/// Past the limit of requests in flight, more are told at once to try again (503 with
/// Retry-After) instead of queueing, and /health still answers.
#[tokio::test]
async fn too_many_requests_in_flight_are_told_to_retry_and_health_still_answers() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let app = router(AppState::new(
        w.store.clone(),
        WebConfig {
            secure_cookies: false,
            max_in_flight: 1,
            pdf: None,
            ..WebConfig::default()
        },
    ));
    let mut held = Request::post(format!("/p/{}/people/new?_once=held", w.a.pid))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &manager.cookie)
        .body(stalled("name=Slow"))
        .unwrap();
    held.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
    let holding = tokio::spawn(app.clone().oneshot(held));
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let busy = app
        .clone()
        .oneshot(Request::get("/sign-in").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        busy.headers()
            .get(header::RETRY_AFTER)
            .map(|v| v.to_str().unwrap()),
        Some("5")
    );
    let health = app
        .clone()
        .oneshot(Request::get("/health").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    holding.abort();
}

#[tokio::test]
async fn a_report_asked_for_with_an_impossible_date_says_how_to_write_one() {
    let w = world().await;
    let viewer = w
        .session_for("v@example.org", Some((w.a.pid, Role::Viewer, None)), false)
        .await;
    for date in ["2022-02-30", "9999-01-01", "yesterday"] {
        let (status, body) = w
            .get(
                Some(&viewer),
                &format!(
                    "/p/{}/plans/{}/reports/view?kind=progress&as_at={date}",
                    w.a.pid, w.a.plan
                ),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{date}");
        assert!(body.contains("write it as YYYY-MM-DD"), "{body}");
    }
}

#[tokio::test]
async fn unknown_ids_get_a_404_page() {
    let w = world().await;
    let viewer = w
        .session_for("v@example.org", Some((w.a.pid, Role::Viewer, None)), false)
        .await;
    for path in [
        format!("/p/{}/actions/999999", w.a.pid),
        format!("/p/{}/plans/999999", w.a.pid),
        "/p/999999".to_owned(),
        "/nowhere".to_owned(),
    ] {
        let (status, _) = w.get(Some(&viewer), &path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, body) = w
        .get(Some(&viewer), &format!("/p/{}/actions/999999", w.a.pid))
        .await;
    assert!(body.contains("Page not found"));
}

#[tokio::test]
async fn a_lead_posts_an_update_and_the_plan_shows_the_new_rating_with_an_audit_entry() {
    let w = world().await;
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, Some(w.a.person))),
            false,
        )
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let (day, month, year) = (
        today.day().to_string(),
        u8::from(today.month()).to_string(),
        today.year().to_string(),
    );
    let ratings = w.store.list_ratings(w.a.pid, w.a.plan).await.unwrap();
    let red = ratings
        .iter()
        .find(|r| r.label == "Red")
        .unwrap()
        .id
        .to_string();
    let path = format!("/p/{}/actions/{}/updates/new", w.a.pid, w.a.led_action);
    // Load the plan page first, so the update must invalidate its cached body.
    let (_, before) = w
        .get(Some(&lead), &format!("/p/{}/plans/{}", w.a.pid, w.a.plan))
        .await;
    assert!(!before.contains("govuk-tag--red\">Red</strong>"));
    // Missing narrative: the form comes back with what was chosen kept.
    let (status, body) = w
        .post(
            Some(&lead),
            &path,
            &[
                ("rating_id", &red),
                ("update_date-day", &day),
                ("update_date-month", &month),
                ("update_date-year", &year),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Enter what has happened since the last update"));
    assert!(body.contains(&format!("value=\"{red}\" checked")));
    let (status, _) = w
        .post(
            Some(&lead),
            &path,
            &[
                ("rating_id", &red),
                ("narrative", "Recruitment paused"),
                ("update_date-day", &day),
                ("update_date-month", &month),
                ("update_date-year", &year),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, plan) = w
        .get(Some(&lead), &format!("/p/{}/plans/{}", w.a.pid, w.a.plan))
        .await;
    assert!(
        plan.contains("govuk-tag--red\">Red</strong>"),
        "plan page shows the new rating"
    );
    let (_, action) = w
        .get(
            Some(&lead),
            &format!("/p/{}/actions/{}", w.a.pid, w.a.led_action),
        )
        .await;
    assert!(action.contains("Recruitment paused"));
    let audit = w.store.list_audit(w.a.pid, None, 10).await.unwrap();
    assert_eq!(audit[0].entity, "update");
    assert!(audit[0].summary.contains("Red"));
    // The audit log says it in words, in UK time, linked to the record, and filters.
    let admin = w
        .session_for(
            "audit-admin@example.org",
            Some((w.a.pid, Role::Admin, None)),
            false,
        )
        .await;
    let log = format!("/p/{}/audit", w.a.pid);
    let (status, page) = w.get(Some(&admin), &log).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<span class=\"app-narrative\">Recruitment paused</span>"),
        "the new update's narrative is shown as what changed"
    );
    assert!(!page.contains("&quot;narrative&quot;"), "no raw JSON");
    assert!(page.contains(" at ") && !page.contains(" UTC"), "UK time");
    let (_, page) = w
        .get(
            Some(&admin),
            &format!("{log}?record=action&id={}", w.a.led_action),
        )
        .await;
    assert!(page.contains(&format!("Action {}", w.a.led_action)));
    assert!(
        !page.contains("Recruitment paused"),
        "the update is another record"
    );
    assert!(page.contains(&format!(
        "href=\"/p/{}/actions/{}\"",
        w.a.pid, w.a.led_action
    )));
    let (status, page) = w
        .get(
            Some(&admin),
            &format!("{log}?record=nonsense&from-day=31&from-month=2&from-year=2024"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("govuk-error-summary") && page.contains("href=\"#record\""));
}

#[tokio::test]
async fn the_second_of_two_concurrent_edits_is_refused_with_the_typing_kept() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let path = format!("/p/{}/organisations/{}/edit", w.a.pid, w.a.organisation);
    let (status, _) = w
        .post(
            Some(&manager),
            &path,
            &[
                ("name", "First editor"),
                ("kind", "local_authority"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = w
        .post(
            Some(&manager),
            &path,
            &[
                ("name", "Second editor"),
                ("kind", "local_authority"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Someone else saved a change"));
    assert!(
        body.contains("value=\"Second editor\""),
        "what the second editor typed is kept"
    );
    assert!(
        body.contains("name=\"version\" value=\"2\""),
        "saving again is a deliberate overwrite of version 2"
    );
    assert_eq!(
        w.store
            .get_organisation(w.a.pid, w.a.organisation)
            .await
            .unwrap()
            .name,
        "First editor"
    );
}

#[tokio::test]
async fn signing_in_checks_the_password_throttles_guessing_and_signs_out() {
    let w = world().await;
    let hash = sendplan_web::hash_password("a long enough password").unwrap();
    let user = w
        .store
        .create_user("pm@example.org", "Pat", &hash, false)
        .await
        .unwrap();
    w.store
        .grant_role(Actor(None), user, w.a.pid, Role::PlanManager, None)
        .await
        .unwrap();
    let (status, _, headers) = w
        .send(
            Request::get("/sign-in?next=/p/1")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let csrf_cookie = headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf_cookie.split_once('=').unwrap().1.to_owned();
    let attempt = |password: &str| {
        let body = serde_urlencoded::to_string([
            ("email", "PM@example.org"),
            ("password", password),
            ("next", "/"),
            ("_csrf", token.as_str()),
        ])
        .unwrap();
        Request::post("/sign-in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &csrf_cookie)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, body, _) = w.send(attempt("wrong password")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Enter a correct email address and password"));
    assert!(
        !body.contains("wrong password"),
        "a password is never echoed back"
    );
    let (status, _, headers) = w.send(attempt("a long enough password")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let cookies: Vec<String> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("sendplan_session="))
        .unwrap();
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    for _ in 0..5 {
        w.send(attempt("wrong again")).await;
    }
    let (status, body, _) = w.send(attempt("a long enough password")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("too many attempts"));
}

#[tokio::test]
async fn a_rating_changed_by_someone_else_meanwhile_is_not_overwritten() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let path = format!("/p/{}/ratings/{}/edit", w.a.pid, w.a.rating);
    let (_, form) = w.get(Some(&manager), &path).await;
    let seen = form
        .split("name=\"seen\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let seen = seen.replace("&#124;", "|").replace("&#x7c;", "|");
    let edit = |label: &'static str, seen: String| {
        let w = &w;
        let manager = &manager;
        let path = path.clone();
        async move {
            w.post(
                Some(manager),
                &path,
                &[
                    ("label", label),
                    ("colour", "green"),
                    ("meaning", "On track"),
                    ("class", "on_track"),
                    ("seen", &seen),
                ],
            )
            .await
        }
    };
    assert_eq!(
        edit("Green (first)", seen.clone()).await.0,
        StatusCode::SEE_OTHER
    );
    let (status, body) = edit("Green (second)", seen).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Someone else saved a change"));
    let ratings = w.store.list_ratings(w.a.pid, w.a.plan).await.unwrap();
    assert!(ratings.iter().any(|r| r.label == "Green (first)"));
}

/// A partnership's public address base ("/public/wolverhampton"), by the domain's rule.
async fn public_base(w: &World, pid: PartnershipId) -> String {
    let all = w.store.list_partnerships().await.unwrap();
    let named: Vec<(PartnershipId, &str)> = all.iter().map(|p| (p.id, p.name.as_str())).collect();
    let (_, slug) = sendplan_domain::partnership::public_slugs(&named)
        .into_iter()
        .find(|(id, _)| *id == pid)
        .unwrap();
    format!("/public/{slug}")
}

#[tokio::test]
async fn a_spreadsheet_is_uploaded_checked_row_by_row_and_imported_all_at_once() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let path = format!("/p/{}/imports/new", w.a.pid);
    let upload = |name: &str, content: &[u8]| upload_request(&manager, &path, &[], name, content);
    // Not a spreadsheet: the upload page says why.
    let (status, body, _) = w
        .send(upload(
            "photo.csv",
            &[0x89, b'P', b'N', b'G', 0, 0, 0, 1, 2, 3, 0, 0],
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The file is not a spreadsheet"));
    // A sheet with a problem on row 3.
    let csv = "Actions for implementation,Number,Lead Officer,Progress (BRAG)\nFirst action,1.1,Lead Person,Green\nSecond action,1.1,Someone New,Green\n";
    let (status, _, headers) = w.send(upload("tracker.csv", csv.as_bytes())).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let check = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (status, page) = w.get(Some(&manager), &check).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("value=\"field:number\" selected>Number"),
        "the Number column is suggested from its header"
    );
    let choices = [
        ("sheet-0-name", "tracker"),
        ("sheet-0-take", "1"),
        ("sheet-0-header", "1"),
        ("column-0-header", "Actions for implementation"),
        ("column-0", "field:description"),
        ("column-1-header", "Number"),
        ("column-1", "field:number"),
        ("column-2-header", "Lead Officer"),
        ("column-2", "field:lead"),
        ("column-3-header", "Progress (BRAG)"),
        ("column-3", "rating"),
        ("column-3-date", ""),
        ("value-0-key", "green"),
        ("value-0", "Green"),
        ("title", "Imported tracker"),
        ("kind", "wsoa"),
        ("status", "active"),
        ("scheme", "warwickshire"),
        ("scheme_was", "warwickshire"),
        ("as_at", "31/03/2022"),
    ];
    let (status, page) = w.post(Some(&manager), &check, &choices).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("action 1.1 is also on tracker, row 2"),
        "the duplicate is named by row"
    );
    let plans_before = w.store.list_plans(w.a.pid).await.unwrap().len();
    // Fixed and uploaded again: checked, then imported.
    let fixed = csv.replace("Second action,1.1", "Second action,1.2");
    let (_, _, headers) = w.send(upload("tracker.csv", fixed.as_bytes())).await;
    let check = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    // A rating the scheme does not have is named, not quietly left unchosen.
    let mut not_offered = choices.to_vec();
    not_offered.retain(|(k, _)| *k != "value-0");
    not_offered.push(("value-0", "Purple"));
    let (status, page) = w.post(Some(&manager), &check, &not_offered).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#value-0\""),
        "the error summary names the choice"
    );
    let (status, page) = w.post(Some(&manager), &check, &choices).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Ready to import") && page.contains("2 actions in 1 area"));
    assert_eq!(
        w.store.list_plans(w.a.pid).await.unwrap().len(),
        plans_before,
        "checking imports nothing"
    );
    let mut confirmed = choices.to_vec();
    confirmed.push(("confirm", "1"));
    // "Import the plan" pressed twice at once, and once more later: one plan.
    let (first, second) = tokio::join!(
        w.post(Some(&manager), &check, &confirmed),
        w.post(Some(&manager), &check, &confirmed)
    );
    assert_eq!(
        (first.0, second.0),
        (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER)
    );
    let (status, _) = w.post(Some(&manager), &check, &confirmed).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "sent again later: told, not refused"
    );
    let plans = w.store.list_plans(w.a.pid).await.unwrap();
    assert_eq!(
        plans
            .iter()
            .filter(|p| p.title == "Imported tracker")
            .count(),
        1,
        "imported once"
    );
    let plan = plans
        .iter()
        .find(|p| p.title == "Imported tracker")
        .expect("imported");
    let overview = w
        .store
        .plan_overview(w.a.pid, plan.id, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    assert_eq!(overview.actions.len(), 2);
    assert_eq!(
        overview.actions[0].leads,
        vec![w.a.person],
        "a known lead is matched by name"
    );
    assert!(w
        .store
        .list_people(w.a.pid)
        .await
        .unwrap()
        .iter()
        .any(|p| p.to_review && p.name == "Someone New"));
    // The draft is gone once imported, and another partnership cannot see drafts.
    assert_eq!(w.get(Some(&manager), &check).await.0, StatusCode::NOT_FOUND);
    // The same layout uploaded again comes with the choices it was imported with: the
    // "as at" date given for its undated rating column is there without asking.
    let (_, _, headers) = w.send(upload("tracker.csv", fixed.as_bytes())).await;
    let again = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (status, page) = w.get(Some(&manager), &again).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(
            "These are the choices made when a file laid out like this one was last imported"
        ),
        "the layout's choices are remembered"
    );
    assert!(page.contains("value=\"2022-03-31\""), "with its as-at date");
    // Another layout starts from the suggestions.
    let other = "Ref,Task,Owner\n1.1,Something,Someone\n";
    let (_, _, headers) = w.send(upload("other.csv", other.as_bytes())).await;
    let fresh = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (_, page) = w.get(Some(&manager), &fresh).await;
    assert!(
        !page.contains("These are the choices made"),
        "a new layout is suggested afresh"
    );
}

#[tokio::test]
async fn plans_download_as_excel_csv_and_json_and_the_template_is_a_workbook() {
    let w = world().await;
    let viewer = w
        .session_for("v@example.org", Some((w.a.pid, Role::Viewer, None)), false)
        .await;
    for (format, starts) in [
        ("xlsx", &b"PK"[..]),
        ("csv", &b"\xEF\xBB\xBFNumber,"[..]),
        ("json", &b"{"[..]),
    ] {
        let request = Request::get(format!(
            "/p/{}/plans/{}/export?format={format}",
            w.a.pid, w.a.plan
        ))
        .header(header::COOKIE, &viewer.cookie)
        .body(Body::empty())
        .unwrap();
        let mut request = request;
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
        let response = w.app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{format}");
        assert!(response
            .headers()
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("attachment"));
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert!(bytes.starts_with(starts), "{format}");
    }
    let (status, _) = w.get(Some(&viewer), "/template.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        w.get(None, "/template.xlsx").await.0,
        StatusCode::SEE_OTHER,
        "sign in first"
    );
}

#[tokio::test]
async fn a_measure_is_added_its_values_recorded_and_revised_and_it_is_rated_against_its_trajectory()
{
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let (status, page) = w
        .post(
            Some(&manager),
            &format!("{base}/plans/{}/measures/new", w.a.plan),
            &[
                ("name", "Supported while waiting"),
                ("unit", "percentage"),
                ("targets", "June 2023 = 170"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("between 0 and 100") && page.contains("Select which way is better"));
    let path = format!("{base}/measures/{}/values/new", w.a.measure);
    let (status, page) = w
        .post(
            Some(&manager),
            &path,
            &[
                ("period", "2023/24 Q1"),
                ("value", "lots"),
                ("status", "final"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("is not a monthly period") && page.contains("Enter a number"));
    for value in ["200", "130"] {
        let (status, _) = w
            .post(
                Some(&manager),
                &path,
                &[
                    ("period", "June 2023"),
                    ("value", value),
                    ("status", "provisional"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, page) = w
        .get(Some(&manager), &format!("{base}/measures/{}", w.a.measure))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<svg") && page.contains("role=\"img\""),
        "the chart is drawn on the server"
    );
    assert!(
        page.contains("Revised from 200 weeks"),
        "the earlier value is kept"
    );
    assert!(
        page.contains("govuk-tag--orange\">Some concerns"),
        "130 weeks against a trajectory of 125 with a tolerance of 10"
    );
    // An action rated on track whose measure is off its trajectory is flagged.
    let green = w
        .store
        .list_ratings(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.label == "Green")
        .unwrap();
    let update = UpdateInput {
        update_date: time::OffsetDateTime::now_utc().date(),
        rating_id: green.id,
        narrative: "Going well".into(),
        evidence_links: vec![],
    };
    let author = w
        .store
        .find_user_by_email("pm@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    w.store
        .add_update(Actor(Some(author)), w.a.pid, w.a.led_action, &update)
        .await
        .unwrap();
    let (_, action) = w
        .get(
            Some(&manager),
            &format!("{base}/actions/{}", w.a.led_action),
        )
        .await;
    assert!(
        !action.contains("off track for impact"),
        "130 weeks is only some concerns"
    );
    w.post(
        Some(&manager),
        &path,
        &[
            ("period", "July 2023"),
            ("value", "200"),
            ("status", "final"),
        ],
    )
    .await;
    let (_, action) = w
        .get(
            Some(&manager),
            &format!("{base}/actions/{}", w.a.led_action),
        )
        .await;
    assert!(action.contains("On track for delivery, off track for impact"));
    let (_, dashboard) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/dashboard", w.a.plan),
        )
        .await;
    assert!(
        dashboard.contains(&format!("/plans/{}?area=", w.a.plan))
            && dashboard.contains("rating=class:"),
        "each count on the dashboard links to the actions it counts"
    );
    assert!(
        dashboard.contains("Rated on track")
            && dashboard.contains(&format!("/actions/{}", w.a.led_action)),
        "the dashboard lists the action too"
    );
    let (_, list) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/measures", w.a.plan),
        )
        .await;
    assert!(list.contains("200 weeks") && list.contains("13 weeks by 31 March 2024"));
    let (status, csv) = w
        .get(
            Some(&manager),
            &format!("{base}/measures/{}/export?format=csv", w.a.measure),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.contains("2023-06,2023-06-01,2023-06-30,130,125.00,revised,yes"),
        "{csv}"
    );
    assert!(
        csv.contains("no, revised"),
        "earlier values are exported too"
    );
    let (status, dashboard) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/dashboard", w.a.plan),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        dashboard.contains("Longest wait: 200 weeks"),
        "the off-track measure is listed"
    );
    assert!(
        dashboard.contains("Going well") || dashboard.contains("1.2 Do the work"),
        "the update posted today is a recent change"
    );
}

/// A signed-in multipart POST of `fields` and a file, as a browser sends an upload form.
fn upload_request(
    session: &Session,
    path: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    content: &[u8],
) -> Request<Body> {
    let (content_type, body) = multipart_with(&session.csrf, fields, file_name, content);
    Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::COOKIE, &session.cookie)
        .body(Body::from(body))
        .unwrap()
}

fn multipart_with(
    csrf: &str,
    fields: &[(&str, &str)],
    file_name: &str,
    content: &[u8],
) -> (String, Vec<u8>) {
    let boundary = "sendplanTestBoundary";
    let mut body = Vec::new();
    for (name, value) in std::iter::once(&("_csrf", csrf)).chain(fields) {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn values_import_from_a_spreadsheet_all_or_nothing_and_dfe_figures_become_comparators() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let upload = |path: String, fields: &[(&str, &str)], name: &str, content: &[u8]| {
        upload_request(&manager, &path, fields, name, content)
    };
    // Targets: replaced whole from a file, checked against the baseline (1 January 2022).
    let targets = format!("{base}/measures/{}/targets/import", w.a.measure);
    let version = w
        .store
        .get_measure(w.a.pid, w.a.measure)
        .await
        .unwrap()
        .version
        .to_string();
    let (status, page, _) = w
        .send(upload(
            targets.clone(),
            &[("version", &version)],
            "targets.csv",
            b"Date,Value\nDecember 2021,200\nMarch 2024,13\n",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("targets must come after the baseline"));
    let (status, _, _) = w
        .send(upload(
            targets.clone(),
            &[("version", &version)],
            "targets.csv",
            b"Date,Value\nDecember 2022,200\nJune 2023,125\nMarch 2024,13\n",
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page, _) = w
        .send(upload(
            targets,
            &[("version", &version)],
            "targets.csv",
            b"Date,Value\nJune 2023,100\n",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Someone changed this measure"),
        "a stale page does not overwrite"
    );
    let (_, csv) = w
        .get(
            Some(&manager),
            &format!("{base}/measures/{}/targets/export?format=csv", w.a.measure),
        )
        .await;
    assert_eq!(
        csv.trim_start_matches('\u{feff}').trim(),
        "Date,Value\n2022-12-31,200\n2023-06-30,125\n2024-03-31,13",
        "a BOM for Excel, then the targets"
    );

    let values = format!("{base}/measures/{}/values/import", w.a.measure);
    // One bad row refuses the whole file, naming each problem by its row.
    let bad = "Period,Value,Status\n2023-05,140,final\nSpring 2023,lots,\n2023-05,120,maybe\n";
    let (status, page, _) = w
        .send(upload(values.clone(), &[], "values.csv", bad.as_bytes()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "Row 3: Period: &#34;Spring 2023&#34; is not a monthly period",
        "Row 3: Value",
        "Row 4: Period 2023-05 is also on row 2",
        "Row 4: Status",
    ] {
        assert!(page.contains(expected), "missing {expected:?}");
    }
    assert!(
        w.store
            .list_data_points(w.a.pid, w.a.measure, true)
            .await
            .unwrap()
            .is_empty(),
        "nothing recorded"
    );
    let good = "Period,Value,Status,Note\n2023-05,140,final,\nJune 2023,120,provisional,From the tracker\n";
    let (status, _, _) = w
        .send(upload(values.clone(), &[], "values.csv", good.as_bytes()))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = w
        .send(upload(values.clone(), &[], "values.csv", good.as_bytes()))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let recorded = w
        .store
        .list_data_points(w.a.pid, w.a.measure, true)
        .await
        .unwrap();
    assert_eq!(
        recorded.len(),
        2,
        "importing the same file again changes nothing"
    );
    assert_eq!(recorded[1].note, "From the tracker");

    // A calendar-year percentage measure, compared with the DfE's published figures.
    let (status, _) = w
        .post(
            Some(&manager),
            &format!("{base}/plans/{}/measures/new", w.a.plan),
            &[
                ("name", "New EHC plans issued within 20 weeks"),
                ("unit", "percentage"),
                ("polarity", "higher"),
                ("frequency", "calendar_year"),
                ("targets", "December 2024 = 60"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let measure = w
        .store
        .list_measures(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "New EHC plans issued within 20 weeks")
        .unwrap();
    let dfe = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,new_la_code,old_la_code,la_name,breakdown_topic,breakdown,PC_plans_issued_20_weeks_ex,pc_plans_issued_within_20_weeks,requests_received_in_year,ehcplans\n\
2022,Calendar year,National,E92000001,England,,,,,,All EHC plans issued,All EHC plans issued,50.7,49.2,1,1\n\
2023,Calendar year,National,E92000001,England,,,,,,All EHC plans issued,All EHC plans issued,50.3,49.1,1,1\n\
2023,Calendar year,Regional,E92000001,England,E12000005,West Midlands,,,,All EHC plans issued,All EHC plans issued,x,40.2,1,1\n\
2022,Calendar year,Local authority,E92000001,England,E12000005,West Midlands,E08000031,E08000031,Wolverhampton,All EHC plans issued,All EHC plans issued,30.5,29.5,1,1\n\
2023,Calendar year,Local authority,E92000001,England,E12000005,West Midlands,E08000031,E08000031,Wolverhampton,All EHC plans issued,All EHC plans issued,x,33.3,1,1\n";
    let comparators = format!("{base}/measures/{}/comparators/new", measure.id);
    let (status, page, _) = w
        .send(upload(comparators.clone(), &[], "dfe.csv", dfe.as_bytes()))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose the statistic"));
    let (status, page, _) = w
        .send(upload(
            comparators.clone(),
            &[("statistic", "pc_20_weeks")],
            "other.csv",
            b"a,b\n1,2\n",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("time_period"),
        "the wrong file is refused plainly"
    );
    let (status, _, _) = w
        .send(upload(
            comparators,
            &[
                ("statistic", "pc_20_weeks_ex"),
                ("record_local", "yes"),
                ("others", "E08000031, E08000031"),
            ],
            "dfe.csv",
            dfe.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w
        .get(Some(&manager), &format!("{base}/measures/{}", measure.id))
        .await;
    for expected in [
        "England",
        "West Midlands",
        "Average of the 2 chosen authorities",
        "50.3%",
        "Suppressed",
    ] {
        assert!(
            page.contains(expected),
            "missing {expected:?} on the measure page"
        );
    }
    let values = w
        .store
        .list_data_points(w.a.pid, measure.id, false)
        .await
        .unwrap();
    assert_eq!(
        values.len(),
        1,
        "the suppressed 2023 figure is not recorded as a value"
    );
    assert_eq!(
        (values[0].period.label.as_str(), values[0].value),
        ("2022", 30.5)
    );
    assert!(
        !page.contains("Wolverhampton (published)"),
        "recorded as values, not repeated as a comparator"
    );
}

#[tokio::test]
async fn a_survey_is_added_from_responses_compared_year_on_year_and_feeds_a_measure() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let new = format!("{base}/plans/{}/surveys/new", w.a.plan);
    let upload = |fields: &[(&str, &str)], content: &[u8]| {
        upload_request(&manager, &new, fields, "results.csv", content)
    };
    // Published results that cannot be right are refused, row by row.
    let bad = "Question,Answer,Percent\nHow supported do you feel?,Very supported,140\nHow supported do you feel?,Not supported,lots\n";
    let (status, page, _) = w
        .send(upload(
            &[("title", "Parent survey 2022"), ("period", "2022")],
            bad.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Row 2: Percent &#34;140&#34;") && page.contains("Row 3: Percent"),
        "{page}"
    );
    // One row per respondent: sendplan tallies the shares.
    let responses = "How supported do you feel?,What would help?\nVery supported,A keyworker; One stop hub\nVery supported,One stop hub\nNot supported,\n";
    let (status, _, headers) = w
        .send(upload(
            &[
                ("title", "Parent survey 2022"),
                ("series", "Parent survey"),
                ("period", "2022"),
            ],
            responses.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (status, page) = w.get(Some(&manager), &location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("66.7%"), "two of three very supported");
    assert!(
        page.contains("compared with") && page.contains("Parent survey 2021"),
        "the 2021 survey of the series"
    );
    assert!(page.contains(">50%<"), "very supported was 1 of 2 in 2021");
    assert!(page.contains("people could choose more than one answer"));

    // A question's result becomes a measure's value.
    let (status, _) = w
        .post(
            Some(&manager),
            &format!("{base}/plans/{}/measures/new", w.a.plan),
            &[
                ("name", "Parents who feel supported"),
                ("unit", "percentage"),
                ("polarity", "higher"),
                ("frequency", "calendar_year"),
                ("targets", "December 2023 = 80"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let measure = w
        .store
        .list_measures(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.name == "Parents who feel supported")
        .unwrap();
    let survey_id = location.rsplit('/').next().unwrap();
    let feed = format!("{base}/surveys/{survey_id}/questions/1/measure");
    let (status, page) = w
        .post(
            Some(&manager),
            &feed,
            &[("measure", &measure.id.to_string()), ("period", "Spring")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("Choose the answers")
            && page.contains("&#34;Spring&#34; is not a calendar year period")
    );
    let (status, _) = w
        .post(
            Some(&manager),
            &feed,
            &[
                ("measure", &measure.id.to_string()),
                ("answers", "0"),
                ("period", "2022"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let values = w
        .store
        .list_data_points(w.a.pid, measure.id, false)
        .await
        .unwrap();
    assert_eq!(
        (values[0].period.label.as_str(), values[0].value),
        ("2022", 66.7)
    );
    assert!(values[0].note.contains("Parent survey 2022"));
}

#[tokio::test]
async fn reports_are_produced_as_at_a_date_and_issued_papers_never_change() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let viewer = w
        .session_for(
            "board@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let reports = format!("{base}/plans/{}/reports", w.a.plan);
    let (status, page) = w
        .post(
            Some(&manager),
            &reports,
            &[("kind", "changes"), ("format", "html")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter the date to compare with"));
    let (status, page) = w
        .post(
            Some(&viewer),
            &reports,
            &[
                ("kind", "progress"),
                ("format", "html"),
                ("board", &w.a.board.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Only plan managers can issue papers"));
    // A viewer reads the full progress report; it is a paper with its own strict policy.
    let request = Request::get(format!("{reports}/view?kind=progress&format=html"))
        .header(header::COOKIE, &viewer.cookie)
        .body(Body::empty())
        .unwrap();
    let (status, paper, headers) = w.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(paper.contains("Full progress report") && paper.contains("No update yet"));
    assert!(headers
        .get(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    let (status, docx) = w
        .get(
            Some(&viewer),
            &format!("{reports}/view?kind=exception&format=docx"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(docx.starts_with("PK"), "a Word document is a zip");
    let (status, csv) = w
        .get(
            Some(&viewer),
            &format!("{reports}/view?kind=progress&format=csv"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("Area,Action,Description"));
    // The review pack, for the DfE and NHS England reviews.
    let (status, review) = w
        .get(
            Some(&viewer),
            &format!("{reports}/view?kind=review&format=html"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(review.contains("DfE and NHS England review pack"));
    assert!(
        review.contains("Milestones at 3, 6 and 12 months")
            && review.contains("Evidence of impact")
    );
    // A PDF, printed by a real Chromium from the same paper.
    let request = Request::get(format!("{reports}/view?kind=progress&format=pdf"))
        .header(header::COOKIE, &viewer.cookie)
        .body(Body::empty())
        .unwrap();
    let (status, pdf, headers) = w.send(request).await;
    assert_eq!(status, StatusCode::OK, "{pdf}");
    assert!(pdf.starts_with("%PDF"), "a PDF");
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        "application/pdf"
    );
    let (_, form) = w.get(Some(&viewer), &reports).await;
    assert!(
        form.contains("value=\"pdf\""),
        "PDF is offered where Chromium is"
    );
    // Issued to a board: kept exactly, whatever happens to the plan afterwards.
    let issue_as = |kind: &'static str, format: &'static str| {
        let board = w.a.board.to_string();
        let body = serde_urlencoded::to_string([
            ("kind", kind),
            ("format", format),
            ("board", board.as_str()),
            ("_csrf", manager.csrf.as_str()),
        ])
        .unwrap();
        Request::post(reports.clone())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, &manager.cookie)
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, headers) = w.send(issue_as("progress", "html")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issued = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    let (_, before) = w.get(Some(&viewer), &issued).await;
    assert!(before.contains("Full progress report"));
    assert!(
        before.contains("<dt>Board</dt><dd>SEND Partnership Board</dd>")
            && before.contains("<dt>Issued by</dt>"),
        "the cover says to which board and by whom"
    );
    let green = w
        .store
        .list_ratings(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.label == "Green")
        .unwrap();
    let author = w
        .store
        .find_user_by_email("pm@example.org")
        .await
        .unwrap()
        .unwrap()
        .id;
    w.store
        .add_update(
            Actor(Some(author)),
            w.a.pid,
            w.a.led_action,
            &UpdateInput {
                update_date: time::OffsetDateTime::now_utc().date(),
                rating_id: green.id,
                narrative: "A new update after the board".into(),
                evidence_links: vec![],
            },
        )
        .await
        .unwrap();
    let (_, after) = w.get(Some(&viewer), &issued).await;
    assert_eq!(before, after, "the issued paper is as it was issued");
    let (_, fresh) = w
        .get(
            Some(&viewer),
            &format!("{reports}/view?kind=progress&format=html"),
        )
        .await;
    assert!(fresh.contains("A new update after the board"));
    let (_, list) = w.get(Some(&viewer), &reports).await;
    assert!(list.contains("<span class=\"app-narrative\">SEND Improvement Board</span>"));
    // Issued as a Word document or a PDF, the document is kept byte for byte and offered
    // for download; rows of a spreadsheet are not a paper, so they cannot be issued.
    let (status, page, _) = w.send(issue_as("exception", "csv")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Papers are issued as HTML, PDF or Word"));
    let (status, _, headers) = w.send(issue_as("exception", "docx")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issued = headers.get(header::LOCATION).unwrap().to_str().unwrap();
    let document = format!("{issued}/document");
    let (status, word) = w.get(Some(&viewer), &document).await;
    assert_eq!(status, StatusCode::OK);
    assert!(word.starts_with("PK"), "a Word document is a zip");
    let (_, again) = w.get(Some(&viewer), &document).await;
    assert_eq!(word, again, "the issued Word document is kept as issued");
    let (_, list) = w.get(Some(&viewer), &reports).await;
    assert!(
        list.contains(&format!("href=\"{document}\""))
            && list.contains("Download the Word document as issued")
    );
    let (status, _, headers) = w.send(issue_as("exception", "pdf")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let issued = headers.get(header::LOCATION).unwrap().to_str().unwrap();
    let (status, pdf) = w.get(Some(&viewer), &format!("{issued}/document")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        pdf.starts_with("%PDF"),
        "a PDF printed by Chromium and kept"
    );
}

#[tokio::test]
async fn boards_form_a_structure_and_a_plan_reports_to_them_on_a_cycle() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let (status, page) = w
        .post(
            Some(&manager),
            &format!("{base}/boards/new"),
            &[("name", "")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Enter the board"));
    let (status, _) = w
        .post(
            Some(&manager),
            &format!("{base}/boards/new"),
            &[
                ("name", "Health and Wellbeing Board"),
                ("chair", "Cabinet Member for Health"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let top = w.store.list_boards(w.a.pid).await.unwrap()[0].id;
    let (status, _) = w
        .post(
            Some(&manager),
            &format!("{base}/boards/new"),
            &[
                ("name", "SEND Improvement Board"),
                ("reports_to", &top.to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = w
        .post(
            Some(&manager),
            &format!("{base}/boards/new"),
            &[("name", "SEND Improvement Board")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "names are unique");
    assert!(page.contains("already has a board with that name"));
    let (_, page) = w.get(Some(&manager), &format!("{base}/boards")).await;
    let (health, send) = (
        page.find("Health and Wellbeing Board").unwrap(),
        page.find("app-depth-1").unwrap(),
    );
    assert!(health < send && page.contains("Reports to Health and Wellbeing Board"));
    // Changed by one, refused to a stale page, and never in a loop.
    let boards = w.store.list_boards(w.a.pid).await.unwrap();
    let find = |name: &str| boards.iter().find(|b| b.name == name).unwrap().clone();
    let (health, improvement) = (
        find("Health and Wellbeing Board"),
        find("SEND Improvement Board"),
    );
    let edit = format!("{base}/boards/{}/edit", health.id);
    let (status, page) = w.get(Some(&manager), &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains(&format!("value=\"{}\"", improvement.id)),
        "a board that reports to it is not offered"
    );
    let looped = improvement.id.to_string();
    let version = health.version.to_string();
    let (status, page) = w
        .post(
            Some(&manager),
            &edit,
            &[
                ("version", &version),
                ("name", "Health and Wellbeing Board"),
                ("reports_to", &looped),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("cannot report to a board that reports to it"),
        "{page}"
    );
    let changed = [
        ("version", version.as_str()),
        ("name", "Health and Wellbeing Board"),
        ("chair", "Leader of the Council"),
    ];
    let (status, _) = w.post(Some(&manager), &edit, &changed).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = w.post(Some(&manager), &edit, &changed).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the page was out of date"
    );
    assert!(page.contains("Someone else saved a change"));
    assert_eq!(
        w.store.get_board(w.a.pid, health.id).await.unwrap().chair,
        "Leader of the Council"
    );
    let audit = w.store.list_audit(w.a.pid, None, 1).await.unwrap();
    assert_eq!(
        (audit[0].entity.as_str(), audit[0].change.as_str()),
        ("board", "updated")
    );
    let (_, page) = w.get(Some(&manager), &format!("{base}/boards")).await;
    assert!(
        page.contains("<svg class=\"app-diagram\"")
            && page.contains("<title id=\"structure-title\">")
    );
    // Another partnership's boards are its own.
    let other = w.store.list_boards(w.b.pid).await.unwrap();
    assert!(other.iter().all(|b| b.partnership_id == w.b.pid));
    let board = w
        .store
        .list_boards(w.a.pid)
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.name == "SEND Improvement Board")
        .unwrap();
    let cycle = format!("{base}/plans/{}/cycle/new", w.a.plan);
    let (status, page) = w
        .post(Some(&manager), &cycle, &[("kind", "exception")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose the board"));
    let today = time::OffsetDateTime::now_utc().date();
    let first = today - time::Duration::days(50);
    let (status, _) = w
        .post(
            Some(&manager),
            &cycle,
            &[
                ("board", &board.id.to_string()),
                ("kind", "exception"),
                ("cadence", "six_weekly"),
                ("first_due-day", &first.day().to_string()),
                ("first_due-month", &u8::from(first.month()).to_string()),
                ("first_due-year", &first.year().to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let next = first + time::Duration::weeks(12);
    let (_, page) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/reports", w.a.plan),
        )
        .await;
    let row = page
        .split("Every 6 weeks")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .unwrap_or_default();
    assert!(
        row.contains(&format!(
            "data-label=\"Next due\"><span class=\"app-narrative\">{}</span>",
            sendplan_domain::input::long_date(next)
        )),
        "50 days after the first, the next is the third, 12 weeks after it"
    );
    // A meeting of the board: its agenda links to the actions it names.
    let number = w
        .store
        .get_action(w.a.pid, w.a.led_action)
        .await
        .unwrap()
        .number
        .to_string();
    let meetings = format!("{base}/plans/{}/meetings/new", w.a.plan);
    let agenda = format!("Apologies\n{number} Progress on the first action");
    let meeting = |agenda: String| {
        vec![
            ("board".to_owned(), board.id.to_string()),
            ("held_on-day".to_owned(), "12".to_owned()),
            ("held_on-month".to_owned(), "10".to_owned()),
            ("held_on-year".to_owned(), "2022".to_owned()),
            ("agenda".to_owned(), agenda),
            (
                "outcomes".to_owned(),
                "The report was noted\nAction: bring the recovery plan in November".to_owned(),
            ),
        ]
    };
    let bad = meeting("9.9 An action the plan does not have".to_owned());
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, page) = w.post(Some(&manager), &meetings, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The plan has no action 9.9"));
    let good = meeting(agenda);
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, _) = w.post(Some(&manager), &meetings, &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/meetings", w.a.plan),
        )
        .await;
    assert!(page.contains("SEND Improvement Board, 12 October 2022"));
    assert!(page.contains(&format!(
        "/actions/{}\">{number} Progress on the first action",
        w.a.led_action
    )));
    assert!(
        page.contains("Actions arising") && page.contains("bring the recovery plan in November")
    );

    // A report is taken out of the cycle only once the manager says yes; it is audited.
    let remove = format!(
        "{base}/plans/{}/cycle/{}/remove",
        w.a.plan, w.a.reporting_line
    );
    let (status, page) = w.post(Some(&manager), &remove, &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose whether to take it out"));
    let (status, _) = w.post(Some(&manager), &remove, &[("remove", "no")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let lines = |w: &World| {
        let store = w.store.clone();
        let (pid, plan) = (w.a.pid, w.a.plan);
        async move { store.list_reporting_lines(pid, plan).await.unwrap().len() }
    };
    assert_eq!(lines(&w).await, 2, "kept when the answer is no");
    let (status, _) = w.post(Some(&manager), &remove, &[("remove", "yes")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(lines(&w).await, 1);
    let audit = w.store.list_audit(w.a.pid, None, 1).await.unwrap();
    assert_eq!(
        (audit[0].entity.as_str(), audit[0].change.as_str()),
        ("reporting_line", "removed")
    );
    assert_eq!(
        w.post(Some(&manager), &remove, &[("remove", "yes")])
            .await
            .0,
        StatusCode::NOT_FOUND,
        "already gone"
    );
}

#[tokio::test]
async fn the_public_page_shows_only_what_was_published_to_anyone_without_signing_in() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let (public_a, public_b) = (
        public_base(&w, w.a.pid).await,
        public_base(&w, w.b.pid).await,
    );
    let public = format!("{public_a}/plans/{}", w.a.plan);
    // The old numeric address moves for good to the readable one.
    let (status, _, headers) = w
        .send(
            Request::get(format!("/public/{}/plans/{}", w.a.pid, w.a.plan))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers.get(header::LOCATION).unwrap(), public.as_str());
    assert_eq!(
        w.get(None, &public).await.0,
        StatusCode::NOT_FOUND,
        "nothing is public by default"
    );
    // Everything the plan holds that is not chosen for publication.
    let mut private: Vec<String> = Vec::new();
    private.extend(
        w.store
            .list_people(w.a.pid)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name),
    );
    private.extend(
        w.store
            .list_actions(w.a.pid, w.a.plan)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.description),
    );
    private.extend(
        w.store
            .list_plan_milestones(w.a.pid, w.a.plan)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.title),
    );
    private.extend(
        w.store
            .list_plan_updates(w.a.pid, w.a.plan)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.narrative),
    );
    private.extend(
        w.store
            .list_measures(w.a.pid, w.a.plan)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name),
    );
    private.extend(
        w.store
            .list_surveys(w.a.pid)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.survey.title),
    );
    private.extend(
        w.store
            .list_findings(w.a.pid, None)
            .await
            .unwrap()
            .into_iter()
            .map(|f| f.text),
    );
    private.push("pm@example.org".to_owned());
    private.push("commission a second assessment provider".to_owned());
    private.push("As issued".to_owned());
    private.retain(|t| t.len() > 3);
    assert!(
        private.len() >= 6,
        "the test plan holds private text: {private:?}"
    );
    let publish = format!("{base}/plans/{}/publish", w.a.plan);
    let summary = ("summary", "We are making assessments quicker.");
    let (status, page) = w
        .post(
            Some(&manager),
            &publish,
            &[("version", "0"), ("published", "yes")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("plain-language summary"));
    let (status, _) = w
        .post(
            Some(&manager),
            &publish,
            &[
                ("version", "0"),
                ("published", "yes"),
                summary,
                ("show", "ratings"),
                (&format!("easy-{}", w.a.area), "We want you to wait less."),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Two entries, one published.
    let you_said = format!("{base}/plans/{}/you-said/new", w.a.plan);
    for (said, published) in [
        ("The waits are too long", "yes"),
        ("A private worry from a named family", ""),
    ] {
        let (status, _) = w
            .post(
                Some(&manager),
                &you_said,
                &[
                    ("said", said),
                    ("response", "We funded more assessments"),
                    ("said_on-day", "1"),
                    ("said_on-month", "3"),
                    ("said_on-year", "2023"),
                    ("published", published),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let request = Request::get(public.clone()).body(Body::empty()).unwrap();
    let (status, page, headers) = w.send(request).await;
    assert_eq!(status, StatusCode::OK, "no sign-in needed");
    assert!(headers
        .get(header::CACHE_CONTROL)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("public"));
    assert!(
        page.contains("We are making assessments quicker.")
            && page.contains("The waits are too long")
    );
    assert!(
        page.contains("How the plan is going"),
        "ratings as counts, as chosen"
    );
    for text in &private {
        assert!(
            !page.contains(text.as_str()),
            "the public page shows {text:?}, which was not published"
        );
    }
    assert!(
        !page.contains("A private worry"),
        "an unpublished entry stays private"
    );
    assert!(page.contains("Easy read: Autism waits") && page.contains("We want you to wait less."));

    // A published entry that turns out to identify a family is withdrawn in one press and
    // leaves the public page at once; it can be put right and published again.
    let entry = w
        .store
        .list_you_said(w.a.pid, w.a.plan, true)
        .await
        .unwrap()
        .remove(0);
    let toggle = format!("{base}/you-said/{}/publication", entry.id);
    let version = entry.version.to_string();
    let (status, _) = w
        .post(
            Some(&manager),
            &toggle,
            &[("published", "no"), ("version", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w.get(None, &public).await;
    assert!(
        !page.contains("The waits are too long"),
        "withdrawn at once"
    );
    // The same button pressed on the list shown before is refused, not re-applied.
    let (status, _) = w
        .post(
            Some(&manager),
            &toggle,
            &[("published", "yes"), ("version", &version)],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        !w.store
            .get_you_said(w.a.pid, entry.id)
            .await
            .unwrap()
            .published
    );
    let edit = format!("{base}/you-said/{}/edit", entry.id);
    let (status, form) = w.get(Some(&manager), &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("The waits are too long"));
    let (status, _) = w
        .post(
            Some(&manager),
            &edit,
            &[
                ("said", "The waits for an assessment are too long"),
                ("response", "We funded more assessments"),
                ("said_on-day", "1"),
                ("said_on-month", "3"),
                ("said_on-year", "2023"),
                ("published", "yes"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w.get(None, &public).await;
    assert!(
        page.contains("The waits for an assessment are too long"),
        "published again"
    );

    // The partnership's published plans, from one address.
    let (status, index) = w.get(None, &public_a).await;
    assert_eq!(status, StatusCode::OK);
    assert!(index.contains(&format!("{public_a}/plans/{}", w.a.plan)));
    assert_eq!(
        w.get(None, &public_b).await.0,
        StatusCode::NOT_FOUND,
        "a partnership that publishes nothing has no public index"
    );

    // A paper issued to a board is public only once a plan manager publishes it.
    let paper = format!("{public_a}/reports/{}", w.a.issued_report);
    assert_eq!(w.get(None, &paper).await.0, StatusCode::NOT_FOUND);
    let publish_paper = format!("{base}/reports/{}/publish", w.a.issued_report);
    let (status, page) = w
        .post(Some(&manager), &publish_paper, &[("publish", "yes")])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("everything in it can be public"));
    // Sent twice (a double click, or the form again from the browser's history), the
    // paper is published once and stays published: publishing is a state, not a toggle.
    for _ in 0..2 {
        let (status, _) = w
            .post(
                Some(&manager),
                &publish_paper,
                &[("publish", "yes"), ("confirm", "yes")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
    let (status, page) = w.get(None, &paper).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("As issued"));
    let (_, page) = w.get(None, &public).await;
    assert!(page.contains("Reports to the board") && page.contains(&paper));
    let (_, reports) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/reports", w.a.plan),
        )
        .await;
    assert!(reports.contains("govuk-tag--green\">Published</strong>"));

    // A published paper found wrong is corrected, never rewritten: the correction is a new
    // paper that takes its place on the public page; the old one stays, marked.
    let correct = format!("{base}/reports/{}/correct", w.a.issued_report);
    let (status, body) = w.post(Some(&manager), &correct, &[("reason", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Enter what was wrong with the paper"));
    let (status, _) = w
        .post(
            Some(&manager),
            &correct,
            &[("reason", "A rating was posted on the wrong action")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = w
        .post(Some(&manager), &correct, &[("reason", "Again")])
        .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "a second correction of the same paper is refused and shown"
    );
    assert_eq!(
        w.store
            .paper_corrections(w.a.pid, w.a.plan)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        w.get(None, &paper).await.0,
        StatusCode::NOT_FOUND,
        "the superseded paper leaves the public page"
    );
    let (_, page) = w.get(None, &public).await;
    assert!(page.contains("Reports to the board") && !page.contains(&paper));
    let (_, reports) = w
        .get(
            Some(&manager),
            &format!("{base}/plans/{}/reports", w.a.plan),
        )
        .await;
    assert!(reports.contains("superseded by a correction"), "{reports}");
    assert!(reports.contains("A rating was posted on the wrong action"));
    // The original paper is still there, exactly as issued.
    let (status, original) = w
        .get(
            Some(&manager),
            &format!("{base}/reports/{}", w.a.issued_report),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(original.contains("As issued"));
    assert!(
        w.get(None, &format!("{public_b}/reports/{}", w.a.issued_report))
            .await
            .0
            == StatusCode::NOT_FOUND,
        "not through another partnership"
    );
    let audit = w.store.list_audit(w.a.pid, None, 2).await.unwrap();
    assert_eq!(
        (audit[0].entity.as_str(), audit[0].change.as_str()),
        ("issued_report", "corrected")
    );
    assert_eq!(
        (audit[1].entity.as_str(), audit[1].change.as_str()),
        ("issued_report", "published")
    );
    // Measures only when chosen, one by one; a stale settings page does not overwrite.
    let measure = w.a.measure.0.to_string();
    let (status, _) = w
        .post(
            Some(&manager),
            &publish,
            &[
                ("version", "0"),
                ("published", "yes"),
                summary,
                ("measures", measure.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w
        .post(
            Some(&manager),
            &publish,
            &[
                ("version", "1"),
                ("published", "yes"),
                summary,
                ("measures", measure.as_str()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w.get(None, &public).await;
    assert!(page.contains("Longest wait") && !page.contains("How the plan is going"));
    // Another plan's measure (or anything else) is refused by name.
    let (status, page) = w
        .post(
            Some(&manager),
            &publish,
            &[
                ("version", "2"),
                ("published", "yes"),
                summary,
                ("measures", "999999"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Select only the plan"));

    // Who leads an area: by role when chosen, and by name only when chosen as well.
    let sally = w
        .store
        .create_person(
            Actor(None),
            w.a.pid,
            &PersonInput::parse(&RawForm::from_pairs(&[
                ("name", "Sally Officer"),
                ("job_title", "Assistant Director Education"),
                ("organisation_id", &w.a.organisation.to_string()),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();
    let area = w.store.get_area(w.a.pid, w.a.area).await.unwrap();
    w.store
        .update_area(
            Actor(None),
            w.a.pid,
            w.a.area,
            area.version,
            &AreaInput::parse(&RawForm::from_pairs(&[
                ("number", "1"),
                ("title", "Autism waits"),
                ("senior_responsible_officer", &sally.to_string()),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();
    let (_, page) = w.get(None, &public).await;
    assert!(
        !page.contains("Assistant Director Education"),
        "not chosen yet"
    );
    for (version, show) in [("2", "roles"), ("3", "names")] {
        let (status, _) = w
            .post(
                Some(&manager),
                &publish,
                &[
                    ("version", version),
                    ("published", "yes"),
                    summary,
                    ("show", show),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = w.get(None, &public).await;
        if show == "roles" {
            assert!(page.contains("Led by Assistant Director Education, Council"));
            assert!(!page.contains("Sally Officer"), "names only when chosen");
        } else {
            assert!(page.contains("Led by Sally Officer, Assistant Director Education, Council"));
        }
    }
    let (status, _) = w
        .post(
            Some(&manager),
            &publish,
            &[("version", "4"), ("summary", "x")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get(None, &public).await.0,
        StatusCode::NOT_FOUND,
        "unpublished again"
    );
    assert_eq!(
        w.get(None, &paper).await.0,
        StatusCode::NOT_FOUND,
        "a published paper goes with its plan's page"
    );
    let other = format!("{public_b}/plans/{}", w.a.plan);
    assert_eq!(
        w.get(None, &other).await.0,
        StatusCode::NOT_FOUND,
        "not through another partnership"
    );
}

/// A real SMTP server (aiosmtpd, from Debian's python3-aiosmtpd) on 127.0.0.1, offering
/// STARTTLS and requiring it and a password, as a council's mail relay would. Each email
/// it accepts is written to `dir/messages/N.eml`.
struct SmtpServer {
    child: tokio::process::Child,
    port: u16,
}

impl SmtpServer {
    async fn start(dir: &std::path::Path, port: u16) -> SmtpServer {
        use tokio::io::AsyncBufReadExt;
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../scripts/smtp-test-server.py");
        let mut child = tokio::process::Command::new(&script)
            .args([
                "--dir",
                &dir.display().to_string(),
                "--port",
                &port.to_string(),
            ])
            .args(["--tls", "--user", "reminders", "--password", "s3cret"])
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", script.display()));
        let stdout = child.stdout.take().unwrap();
        let mut lines = tokio::io::BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
            .await
            .expect("the SMTP server did not start within 30 s")
            .unwrap()
            .unwrap_or_else(|| {
                panic!("the SMTP test server did not start: it needs Debian's python3-aiosmtpd (apt-get install python3-aiosmtpd) and openssl")
            });
        let port = ready
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected SMTP server output: {ready}"));
        SmtpServer { child, port }
    }

    async fn stop(mut self) {
        self.child.kill().await.unwrap();
    }
}

/// The emails the SMTP server has accepted, oldest first, as raw messages.
fn delivered(dir: &std::path::Path) -> Vec<String> {
    let messages = dir.join("messages");
    let mut numbered: Vec<(u32, String)> = std::fs::read_dir(&messages)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let n = name.strip_suffix(".eml")?.parse().ok()?;
                    Some((n, std::fs::read_to_string(e.path()).ok()?))
                })
                .collect()
        })
        .unwrap_or_default();
    numbered.sort();
    numbered.into_iter().map(|(_, m)| m).collect()
}

fn subject_of(message: &str) -> &str {
    message
        .lines()
        .find_map(|l| l.strip_prefix("Subject: "))
        .unwrap_or("")
}

/// A plan whose reminders cannot be worked out is marked so, with the reason, on its
/// reminders page, and every other plan still gets its reminders; the mark goes when the
/// plan is put right.
#[tokio::test]
async fn a_plan_whose_reminders_fail_is_marked_with_why_and_the_others_go_on() {
    use sendplan_web::mail::{MailSettings, Mailer};
    use sendplan_web::scheduler::run_once;
    // Nothing listens on port 9: emails would wait, but only queueing is looked at here.
    let mailer = Mailer::new(
        &MailSettings::parse("smtp://127.0.0.1:9", "SEND <send@example.org>", None).unwrap(),
    )
    .unwrap();
    let w = world_with(Some(mailer.clone())).await;
    for area in [&w.a, &w.b] {
        let (_, version) = w
            .store
            .reminder_settings(area.pid, area.plan)
            .await
            .unwrap();
        w.store
            .set_reminder_settings(
                Actor(None),
                area.pid,
                area.plan,
                version,
                &sendplan_domain::reminders::ReminderSettings {
                    enabled: true,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    // Plan B's milestone holds a date that is not a date (written around the forms).
    let corrupt = |due: &str| {
        format!(
            "UPDATE milestones SET due_date = '{due}' WHERE id = {}",
            w.b.milestone.0
        )
    };
    w.store
        .execute_unchecked(&corrupt("someday"))
        .await
        .unwrap();
    let round = run_once(&w.store, &mailer, None, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(round.plans_failed, 1, "{round:?}");
    let failure = |area: &Area| {
        let store = w.store.clone();
        let (pid, plan) = (area.pid, area.plan);
        async move {
            store
                .job_failure(sendplan_storage::Job::PlanReminders, pid, plan.0)
                .await
                .unwrap()
        }
    };
    assert!(
        failure(&w.a).await.is_none(),
        "plan A's reminders were worked out"
    );
    let why = failure(&w.b).await.expect("plan B is marked");
    assert!(why.reason.contains("could not be read"), "{}", why.reason);
    let manager = w
        .session_for(
            "pm-b@example.org",
            Some((w.b.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let (status, page) = w
        .get(
            Some(&manager),
            &format!("/p/{}/plans/{}/reminders", w.b.pid, w.b.plan),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("reminders could not be worked out"), "{page}");

    w.store
        .execute_unchecked(&corrupt("2030-01-01"))
        .await
        .unwrap();
    let round = run_once(&w.store, &mailer, None, time::OffsetDateTime::now_utc())
        .await
        .unwrap();
    assert_eq!(round.plans_failed, 0);
    assert!(failure(&w.b).await.is_none(), "put right, the mark goes");
}

#[tokio::test]
async fn reminders_reach_a_real_mail_server_once_and_wait_out_its_outages() {
    use sendplan_web::mail::{MailSettings, Mailer};
    use sendplan_web::scheduler::{run_once, Round};
    let smtp_dir = std::env::temp_dir().join(format!("sendplan-smtp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&smtp_dir);
    std::fs::create_dir_all(&smtp_dir).unwrap();
    let _cleanup = TempDir(smtp_dir.clone());
    let server = SmtpServer::start(&smtp_dir, 0).await;
    let port = server.port;
    let certificate = std::fs::read_to_string(smtp_dir.join("cert.pem")).unwrap();
    let settings = |password: &str| {
        MailSettings::parse(
            &format!("smtp://reminders:{password}@127.0.0.1:{port}?tls=required"),
            "SEND improvement <send@council.example.org>",
            Some(certificate.clone()),
        )
        .unwrap()
    };
    let mailer = Mailer::new(&settings("s3cret")).unwrap();
    let w = world_with(Some(mailer.clone())).await;
    let (pid, plan) = (w.a.pid, w.a.plan);
    let actor = Actor(None);
    let today = time::OffsetDateTime::now_utc().date();

    // Two leads with addresses (one the server does not know), a plan manager, and a
    // board whose report is due in five days.
    let mut led = Vec::new();
    // Dan has no address on the People page, but a sendplan account linked to him.
    let mut dan = None;
    for (number, name, email) in [
        ("1.4", "Ann Lead", "ann@example.org"),
        ("1.5", "Nobody Known", "nobody@example.org"),
        ("1.6", "Dan Lead", ""),
    ] {
        let person = w
            .store
            .create_person(
                actor,
                pid,
                &PersonInput::parse(&RawForm::from_pairs(&[("name", name), ("email", email)]))
                    .unwrap(),
            )
            .await
            .unwrap();
        let input = ActionInput::parse(
            &RawForm::from_pairs(&[
                ("number", number),
                ("description", "Publish the autism pathway"),
                ("leads", &person.to_string()),
            ]),
            |_| ItemNumber::parse("1").ok(),
        )
        .unwrap();
        if email.is_empty() {
            dan = Some(person);
        }
        led.push(
            w.store
                .create_action(
                    actor,
                    pid,
                    w.a.area,
                    &input,
                    time::macros::date!(2022 - 01 - 01),
                )
                .await
                .unwrap(),
        );
    }
    let manager = w
        .session_for(
            "pm-mail@example.org",
            Some((pid, Role::PlanManager, None)),
            false,
        )
        .await;
    w.session_for("dan@example.org", Some((pid, Role::ActionLead, dan)), false)
        .await;
    let board = w
        .store
        .create_board(
            actor,
            pid,
            &sendplan_domain::governance::BoardInput::parse(&RawForm::from_pairs(&[(
                "name",
                "SEND Improvement Board",
            )]))
            .unwrap(),
        )
        .await
        .unwrap();
    let due = today + time::Duration::days(5);
    let (day, month, year) = (
        due.day().to_string(),
        u8::from(due.month()).to_string(),
        due.year().to_string(),
    );
    w.store
        .create_reporting_line(
            actor,
            pid,
            plan,
            &sendplan_domain::governance::ReportingLineInput::parse(&RawForm::from_pairs(&[
                ("board", &board.to_string()),
                ("kind", "exception"),
                ("cadence", "monthly"),
                ("first_due-day", &day),
                ("first_due-month", &month),
                ("first_due-year", &year),
            ]))
            .unwrap(),
        )
        .await
        .unwrap();

    // Turned on in the page, as a plan manager does it.
    let settings_path = format!("/p/{pid}/plans/{plan}/reminders/settings");
    let (status, page) = w
        .post(
            Some(&manager),
            &settings_path,
            &[
                ("version", "0"),
                ("enabled", "yes"),
                ("days_before_board", "ninety"),
                ("milestone_days", "14"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("must be a whole number of days"), "{page}");
    let (status, _) = w
        .post(
            Some(&manager),
            &settings_path,
            &[
                ("version", "0"),
                ("enabled", "yes"),
                ("days_before_board", "10"),
                ("milestone_days", "14"),
                ("stale", "yes"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let base_url = Some("https://send.example.org");
    let now = time::OffsetDateTime::now_utc();
    let first = run_once(&w.store, &mailer, base_url, now).await.unwrap();
    assert_eq!(
        first,
        Round {
            queued: 4,
            sent: 3,
            failed: 1,
            plans_failed: 0
        },
        "Ann's, Dan's and the manager's emails go; the server refuses nobody@"
    );
    let messages = delivered(&smtp_dir);
    assert_eq!(messages.len(), 3);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("To: \"Dan Lead\" <dan@example.org>")
                && m.contains("- 1.6 Publish the autism pathway (no update yet)")),
        "Dan is reminded at his account's address"
    );
    let ann = messages
        .iter()
        .find(|m| m.contains("To: \"Ann Lead\" <ann@example.org>"))
        .expect("Ann's email");
    let when = sendplan_domain::input::long_date(due);
    assert_eq!(
        subject_of(ann),
        format!("Update needed for SEND Improvement Board on {when}")
    );
    assert!(
        ann.contains("- 1.4 Publish the autism pathway (no update yet)"),
        "{ann}"
    );
    assert!(ann.contains(&format!(
        "Open the plan in sendplan: https://send.example.org/p/{pid}/plans/{plan}"
    )));
    assert!(ann.contains("From: \"SEND improvement\" <send@council.example.org>"));
    let digest = messages
        .iter()
        .find(|m| m.contains("pm-mail@example.org"))
        .expect("the managers' digest");
    assert!(subject_of(digest).starts_with("Before SEND Improvement Board on"));
    assert!(
        digest.contains("Lead Person (no email address, not reminded): 1.2"),
        "{digest}"
    );
    assert!(digest.contains("No lead named: 1.3"), "{digest}");
    assert!(digest.contains("- Dan Lead: 1.6"), "{digest}");

    // Again, and again after a restart (a new Store on the same database): nothing new.
    assert_eq!(
        run_once(&w.store, &mailer, base_url, now).await.unwrap(),
        Round::default()
    );
    let restarted = Store::open(&w.store_url()).await.unwrap();
    assert_eq!(
        run_once(
            &restarted,
            &mailer,
            base_url,
            now + time::Duration::hours(1)
        )
        .await
        .unwrap(),
        Round::default()
    );
    assert_eq!(delivered(&smtp_dir).len(), 3, "no reminder is sent twice");

    // The mail server goes down, and milestones fall due: the reminders wait, and the
    // round stops at the first failure rather than trying every email against it.
    server.stop().await;
    for action in &led[..2] {
        w.store
            .create_milestone(
                actor,
                pid,
                *action,
                &MilestoneInput {
                    title: "Pathway agreed by the board".into(),
                    due_date: Some(today + time::Duration::days(3)),
                    success_criteria: String::new(),
                    done_date: None,
                    due_text: String::new(),
                    done_evidence: String::new(),
                },
            )
            .await
            .unwrap();
    }
    let started = std::time::Instant::now();
    let outage = run_once(&w.store, &mailer, base_url, now).await.unwrap();
    assert_eq!(
        outage,
        Round {
            queued: 2,
            sent: 0,
            failed: 1,
            plans_failed: 0
        }
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let (status, page) = w
        .get(Some(&manager), &format!("/p/{pid}/plans/{plan}/reminders"))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "pages answer while the mail server is down"
    );
    assert!(
        page.contains("Waiting: 1 failed attempt, will try again"),
        "{page}"
    );
    assert!(
        page.contains("Not sent: the mail server refused it"),
        "{page}"
    );
    assert_eq!(
        run_once(
            &w.store,
            &mailer,
            base_url,
            now + time::Duration::seconds(30)
        )
        .await
        .unwrap(),
        Round {
            queued: 0,
            sent: 0,
            failed: 1,
            plans_failed: 0
        },
        "the email not yet tried is tried; the one that failed waits a minute"
    );

    // A wrong password is mended by whoever runs the server: it is tried again, not dropped.
    let server = SmtpServer::start(&smtp_dir, port).await;
    let wrong = Mailer::new(&settings("wrong")).unwrap();
    let refused = run_once(&w.store, &wrong, base_url, now + time::Duration::minutes(2))
        .await
        .unwrap();
    assert_eq!(
        refused,
        Round {
            queued: 0,
            sent: 0,
            failed: 1,
            plans_failed: 0
        }
    );
    let back = run_once(
        &w.store,
        &mailer,
        base_url,
        now + time::Duration::minutes(5),
    )
    .await
    .unwrap();
    assert_eq!(
        back,
        Round {
            queued: 0,
            sent: 1,
            failed: 1,
            plans_failed: 0
        },
        "Ann's milestone goes; the second, never tried in the outage, is refused for nobody@"
    );
    let messages = delivered(&smtp_dir);
    assert_eq!(messages.len(), 4);
    assert_eq!(
        subject_of(&messages[3]),
        format!("Milestones due soon in {}", "WSOA")
    );
    assert!(messages[3].contains("Pathway agreed by the board (action 1.4)"));
    server.stop().await;
}

#[tokio::test]
async fn an_action_arising_from_a_meeting_becomes_a_plan_action_once() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let viewer = w
        .session_for(
            "viewer@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let base = format!("/p/{}", w.a.pid);
    let meetings = format!("{base}/plans/{}/meetings", w.a.plan);
    let (_, page) = w.get(Some(&manager), &meetings).await;
    let add = format!("{base}/meeting-actions/{}/add", w.a.arising);
    assert!(page.contains(&add) && page.contains("Add it to the plan as an action"));
    let (_, page) = w.get(Some(&viewer), &meetings).await;
    assert!(!page.contains(&add), "viewers cannot add actions");
    let other = format!("{add}?area={}", w.b.area);
    assert_eq!(
        w.get(Some(&manager), &other).await.0,
        StatusCode::NOT_FOUND,
        "another partnership's area cannot take it"
    );

    let request = Request::get(format!("{add}?area={}", w.a.area))
        .header(header::COOKIE, &manager.cookie)
        .body(Body::empty())
        .unwrap();
    let (status, _, headers) = w.send(request).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let form_path = headers
        .get(header::LOCATION)
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        form_path,
        format!(
            "{base}/areas/{}/actions/new?arising={}",
            w.a.area, w.a.arising
        )
    );
    let (status, form) = w.get(Some(&manager), &form_path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Arising from SEND Partnership Board on 12 October 2022"));
    assert!(
        form.contains("commission a second assessment provider</textarea>"),
        "{form}"
    );

    let arising = w.a.arising.to_string();
    let post = format!("{base}/areas/{}/actions/new", w.a.area);
    let fields = [
        ("arising", arising.as_str()),
        ("number", "1.9"),
        ("description", "Commission a second assessment provider"),
    ];
    let (status, _) = w.post(Some(&manager), &post, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = w.get(Some(&manager), &meetings).await;
    assert!(page.contains("Added to the plan as"), "{page}");
    assert!(page.contains("action 1.9</a>"));
    assert!(!page.contains("Add it to the plan as an action"));
    let audit = w.store.list_audit(w.a.pid, None, 2).await.unwrap();
    assert_eq!(audit[0].entity, "meeting_outcome");
    assert!(audit[0].summary.contains("became plan action 1.9"));
    assert_eq!(audit[1].entity, "action");

    // A second tab that had the same form open does not add it twice.
    let again = [
        ("arising", arising.as_str()),
        ("number", "1.10"),
        ("description", "Commission a second assessment provider"),
    ];
    let (status, page) = w.post(Some(&manager), &post, &again).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("already added this action arising"));

    // The minutes are corrected; the action arising keeps the plan action it became.
    let edit = format!("{base}/plans/{}/meetings/{}/edit", w.a.plan, w.a.meeting);
    let (status, form) = w.get(Some(&manager), &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Action: commission a second assessment provider"));
    let board = w.a.board.to_string();
    assert!(
        form.contains(&format!("<option value=\"{board}\" selected>")),
        "the meeting's own board is chosen, so saving does not move it"
    );
    let minutes = |version: &'static str, outcomes: &'static str| {
        vec![
            ("version", version.to_owned()),
            ("board", board.clone()),
            ("held_on-day", "12".to_owned()),
            ("held_on-month", "10".to_owned()),
            ("held_on-year", "2022".to_owned()),
            (
                "agenda",
                "Apologies\n1.2 Progress on autism waits".to_owned(),
            ),
            ("outcomes", outcomes.to_owned()),
        ]
    };
    let (world, session, path) = (&w, &manager, &edit);
    let send = move |pairs: Vec<(&'static str, String)>| async move {
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        world.post(Some(session), path, &borrowed).await
    };
    let (status, page) = send(minutes("1", "The report was noted")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("was added to the plan as an action, so it stays in the minutes"));
    let corrected =
        "The report was noted, with thanks\nAction: commission a second assessment provider";
    let (status, _) = send(minutes("1", corrected)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = send(minutes("1", corrected)).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the page was out of date"
    );
    assert!(page.contains("Someone else saved a change"));
    let (_, page) = w.get(Some(&manager), &meetings).await;
    assert!(page.contains("with thanks") && page.contains("Apologies"));
    assert!(
        page.contains("action 1.9</a>"),
        "the link to the plan action is kept"
    );
    let audit = w.store.list_audit(w.a.pid, None, 1).await.unwrap();
    assert_eq!(
        (audit[0].entity.as_str(), audit[0].change.as_str()),
        ("meeting", "updated")
    );
    assert!(w
        .store
        .list_actions(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .iter()
        .all(|a| a.number.to_string() != "1.10"));
}

/// The `name=value` part of a `Set-Cookie` header called `name`.
fn set_cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

impl World {
    /// A browser with no session: (cookie header, csrf token) for forms before sign-in.
    async fn anonymous(&self, path: &str) -> (String, String, String) {
        let (status, body, headers) = self
            .send(Request::get(path).body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        let cookie = set_cookie_value(&headers, "sendplan_csrf").expect("a csrf cookie");
        let token = cookie.split_once('=').unwrap().1.to_owned();
        (cookie, token, body)
    }

    /// Posts a form from a browser holding `cookie`, with `pairs` as typed.
    async fn post_with_cookie(
        &self,
        from: [u8; 4],
        cookie: &str,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> (StatusCode, String, axum::http::HeaderMap) {
        let body = serde_urlencoded::to_string(pairs).unwrap();
        self.send_from(
            from,
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    async fn get_with_cookie(&self, cookie: &str, path: &str) -> (StatusCode, String) {
        let (status, body, _) = self
            .send(
                Request::get(path)
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        (status, body)
    }
}

#[tokio::test]
async fn a_refusal_says_what_is_missing_and_who_can_give_it() {
    let w = world().await;
    let admin = w
        .session_for("ann@example.org", Some((w.a.pid, Role::Admin, None)), false)
        .await;
    let _ = admin;
    let viewer = w
        .session_for(
            "vic@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let (status, body) = w
        .get(Some(&viewer), &format!("/p/{}/plans/new", w.a.pid))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Your role here is viewer"), "{body}");
    assert!(
        body.contains("ann@example.org"),
        "the administrator is named: {body}"
    );
    let (status, body) = w.get(Some(&viewer), "/partnerships/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Only deployment administrators"), "{body}");
    assert!(!body.contains("role in this partnership"));
}

#[tokio::test]
async fn deployment_administrators_see_every_account_and_disable_a_leaver_at_once() {
    let w = world().await;
    let root = w.session_for("root@example.org", None, true).await;
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, None)),
            false,
        )
        .await;
    for path in [
        "/admin/accounts",
        "/account",
        "/account/sessions",
        "/account/password",
    ] {
        assert_eq!(
            w.get(None, path).await.0,
            StatusCode::SEE_OTHER,
            "anonymous {path}"
        );
        assert_eq!(w.get(Some(&root), path).await.0, StatusCode::OK, "{path}");
    }
    assert_eq!(
        w.get(Some(&lead), "/admin/accounts").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = w.get(Some(&root), "/admin/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("lead@example.org") && body.contains("Deployment administrator"));
    let id = w
        .store
        .find_user_by_email("lead@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let access = format!("/admin/accounts/{id}/access");
    assert_eq!(
        w.post(Some(&lead), &access, &[("change", "disable")])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        w.get(Some(&lead), &format!("/p/{}", w.a.pid)).await.0,
        StatusCode::OK
    );
    // The helpdesk case: a reset link made for them, shown once (there is no mail server).
    let reset = format!("/admin/accounts/{id}/reset");
    assert_eq!(
        w.post(Some(&lead), &reset, &[]).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, body) = w.post(Some(&root), &reset, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("This is the only time the link is shown")
            && body.contains("/reset-password/")
    );
    for _ in 0..2 {
        let (status, _) = w.post(Some(&root), &access, &[("change", "disable")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "disabling twice is safe");
    }
    assert_eq!(
        w.get(Some(&lead), &format!("/p/{}", w.a.pid)).await.0,
        StatusCode::SEE_OTHER,
        "the leader's open session is refused on its next request"
    );
    let (_, body) = w.get(Some(&root), &format!("/admin/accounts/{id}")).await;
    assert!(body.contains("No: disabled") && body.contains("disabled and signed out everywhere"));
    assert_eq!(
        w.post(Some(&root), &access, &[("change", "make_admin")])
            .await
            .0,
        StatusCode::SEE_OTHER
    );
    assert!(w.store.get_user(UserId(id)).await.unwrap().deployment_admin);
    let root_id = w
        .store
        .find_user_by_email("root@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let (status, body) = w
        .post(
            Some(&root),
            &format!("/admin/accounts/{root_id}/access"),
            &[("change", "disable")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nobody disables themselves: {body}"
    );
}

#[tokio::test]
async fn an_invitation_without_a_mail_server_is_shown_once_accepted_once_and_a_removed_member_is_refused(
) {
    let w = world().await;
    let admin = w
        .session_for("ann@example.org", Some((w.a.pid, Role::Admin, None)), false)
        .await;
    let invite = format!("/p/{}/invitations/new", w.a.pid);
    let (status, body) = w
        .post(
            Some(&admin),
            &invite,
            &[("email", "not an address"), ("role", "action_lead")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Enter an email address in the correct format"));
    let person = w.a.person.to_string();
    let (status, body) = w
        .post(
            Some(&admin),
            &invite,
            &[
                ("email", "Lee@Example.org"),
                ("role", "action_lead"),
                ("person_id", &person),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("This is the only time the link is shown"));
    let start = body.find("/invitations/").unwrap();
    let link: String = body[start..].chars().take_while(|c| *c != '"').collect();
    let (status, body) = w
        .post(
            Some(&admin),
            &invite,
            &[("email", "lee@example.org"), ("role", "viewer")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a second invitation is refused"
    );
    assert!(body.contains("has not accepted yet"));
    let (_, members) = w
        .get(Some(&admin), &format!("/p/{}/members", w.a.pid))
        .await;
    assert!(members.contains("lee@example.org") && members.contains("Waiting"));

    let (cookie, csrf, body) = w.anonymous(&link).await;
    assert!(body.contains("Accept your invitation") && body.contains("action lead"));
    let accept = |pairs: Vec<(&'static str, String)>| {
        let mut pairs = pairs;
        pairs.push(("_csrf", csrf.clone()));
        pairs
    };
    let typed = accept(vec![
        ("display_name", "Lee Lead".into()),
        ("new_password", "password1234".into()),
        ("confirm_password", "password1234".into()),
    ]);
    let typed: Vec<(&str, &str)> = typed.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body, _) = w
        .post_with_cookie([127, 0, 0, 1], &cookie, &link, &typed)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("too common"), "{body}");
    assert!(
        body.contains("Lee Lead") && !body.contains("password1234"),
        "the name is kept, the password is not"
    );
    let good = accept(vec![
        ("display_name", "Lee Lead".into()),
        ("new_password", "kettle orbit walnut".into()),
        ("confirm_password", "kettle orbit walnut".into()),
    ]);
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, headers) = w
        .post_with_cookie([127, 0, 0, 1], &cookie, &link, &good)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).unwrap(),
        &format!("/p/{}/my-actions", w.a.pid)
    );
    let session = set_cookie_value(&headers, "sendplan_session").expect("signed in");
    let (status, body) = w
        .get_with_cookie(&session, &format!("/p/{}/my-actions", w.a.pid))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Lee Lead"));
    // The link works once.
    let (status, body, _) = w
        .post_with_cookie([127, 0, 0, 1], &cookie, &link, &good)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("accepted already"), "{body}");
    // The administrator removes the leaver; their open session is refused at once.
    let lee = w
        .store
        .find_user_by_email("lee@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let (status, _) = w
        .post(
            Some(&admin),
            &format!("/p/{}/members/{lee}/remove", w.a.pid),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _) = w
        .get_with_cookie(&session, &format!("/p/{}/my-actions", w.a.pid))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "sent to sign in");
    // The only administrator cannot be removed or demoted.
    let ann = w
        .store
        .find_user_by_email("ann@example.org")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let (status, body) = w
        .post(
            Some(&admin),
            &format!("/p/{}/members/{ann}", w.a.pid),
            &[("role", "viewer")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("must always have an administrator"));
    let kinds: Vec<String> = w
        .store
        .list_audit(w.a.pid, None, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.entity == "invitation" || e.entity == "membership")
        .map(|e| format!("{} {}", e.entity, e.change))
        .collect();
    for change in [
        "invitation created",
        "invitation accepted",
        "membership granted",
        "membership removed",
    ] {
        assert!(
            kinds.contains(&change.to_owned()),
            "{change} is audited: {kinds:?}"
        );
    }
}

#[tokio::test]
async fn parallel_wrong_passwords_are_checked_at_most_the_limit_and_another_account_still_signs_in()
{
    let w = world().await;
    let hash = sendplan_web::hash_password("the right password here").unwrap();
    w.store
        .create_user("target@example.org", "T", &hash, false)
        .await
        .unwrap();
    w.store
        .create_user("other@example.org", "O", &hash, false)
        .await
        .unwrap();
    let (cookie, csrf, _) = w.anonymous("/sign-in").await;
    let attempt = |email: &'static str, password: &'static str, from: [u8; 4]| {
        let (cookie, csrf) = (cookie.clone(), csrf.clone());
        let app = w.app.clone();
        async move {
            let body = serde_urlencoded::to_string([
                ("email", email),
                ("password", password),
                ("next", "/"),
                ("_csrf", csrf.as_str()),
            ])
            .unwrap();
            let mut request = Request::post("/sign-in")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, cookie)
                .body(Body::from(body))
                .unwrap();
            request
                .extensions_mut()
                .insert(ConnectInfo(SocketAddr::from((from, 40000))));
            let response = app.oneshot(request).await.unwrap();
            let status = response.status();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let burst: Vec<_> = (0..30)
        .map(|i| {
            tokio::spawn(attempt(
                "target@example.org",
                "wrong",
                [127, 0, 0, 10 + (i % 3) as u8],
            ))
        })
        .collect();
    let (status, _) = attempt(
        "other@example.org",
        "the right password here",
        [127, 0, 0, 2],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "another account signs in during the burst"
    );
    let mut checked = 0;
    let mut throttled = 0;
    for attempt in burst {
        let (_, body) = attempt.await.unwrap();
        if body.contains("Enter a correct email address and password") {
            checked += 1;
        } else if body.contains("too many attempts") {
            throttled += 1;
        }
    }
    assert_eq!(checked, 5, "exactly the limit of guesses was checked");
    assert_eq!(throttled, 25);
    // The right password is refused too until the window passes: the account is protected.
    let (status, body) = attempt(
        "target@example.org",
        "the right password here",
        [127, 0, 0, 1],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("too many attempts"));
}

#[tokio::test]
async fn passwords_are_changed_and_reset_once_and_sessions_are_listed_and_ended() {
    let w = world().await;
    let hash = sendplan_web::hash_password("first long password").unwrap();
    let user = w
        .store
        .create_user("pat@example.org", "Pat", &hash, false)
        .await
        .unwrap();
    let sign_in = |password: &'static str| {
        let w = &w;
        async move {
            let (cookie, csrf, _) = w.anonymous("/sign-in").await;
            let (status, _, headers) = w
                .post_with_cookie(
                    [127, 0, 0, 1],
                    &cookie,
                    "/sign-in",
                    &[
                        ("email", "pat@example.org"),
                        ("password", password),
                        ("next", "/account"),
                        ("_csrf", &csrf),
                    ],
                )
                .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            set_cookie_value(&headers, "sendplan_session").unwrap()
        }
    };
    let laptop = sign_in("first long password").await;
    let phone = sign_in("first long password").await;
    let (status, body) = w.get_with_cookie(&laptop, "/account/sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.matches("This browser").count(), 1);
    assert!(body.contains("Sign out everywhere else"));
    let csrf_of = |body: &str| {
        let at = body.find("name=\"_csrf\" value=\"").unwrap() + 20;
        body[at..at + 64].to_owned()
    };
    let csrf = csrf_of(&body);
    let change = |current: &'static str, new: &'static str| {
        let (w, laptop, csrf) = (&w, laptop.clone(), csrf.clone());
        async move {
            w.post_with_cookie(
                [127, 0, 0, 1],
                &laptop,
                "/account/password",
                &[
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", new),
                    ("_csrf", &csrf),
                ],
            )
            .await
        }
    };
    let (status, body, _) = change("not it", "second long password").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Your current password is not right"));
    let (status, body, _) = change("first long password", "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("12 characters or more"));
    let (status, _, _) = change("first long password", "second long password").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get_with_cookie(&laptop, "/account").await.0,
        StatusCode::OK,
        "still signed in here"
    );
    assert_eq!(
        w.get_with_cookie(&phone, "/account").await.0,
        StatusCode::SEE_OTHER,
        "signed out elsewhere"
    );
    // A reset link (as `sendplan user reset-password` makes) works once.
    let now = time::OffsetDateTime::now_utc();
    let token = "a".repeat(64);
    w.store
        .create_password_reset(
            user,
            &sha256_hex(&token),
            now,
            now + time::Duration::hours(1),
            None,
        )
        .await
        .unwrap();
    let link = format!("/reset-password/{token}");
    let (cookie, csrf, body) = w.anonymous(&link).await;
    assert!(body.contains("Choose a new password"));
    let reset = [
        ("new_password", "third long password"),
        ("confirm_password", "third long password"),
        ("_csrf", csrf.as_str()),
    ];
    let (status, _, headers) = w
        .post_with_cookie([127, 0, 0, 1], &cookie, &link, &reset)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(set_cookie_value(&headers, "sendplan_session").is_some());
    assert_eq!(
        w.get_with_cookie(&laptop, "/account").await.0,
        StatusCode::SEE_OTHER,
        "every session ended"
    );
    let (status, body, _) = w
        .post_with_cookie([127, 0, 0, 1], &cookie, &link, &reset)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("used already"));
    let (status, body) = w.get(None, "/reset-password/nonsense").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("expired or is not a link we sent"));
    // Without a mail server, "forgot your password" says who can help instead.
    let (_, body) = w.get(None, "/forgot-password").await;
    assert!(body.contains("cannot send email"));
}

#[tokio::test]
async fn an_update_that_looks_like_a_formula_reaches_the_board_csv_as_text() {
    let w = world().await;
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, Some(w.a.person))),
            false,
        )
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let red = w
        .store
        .list_ratings(w.a.pid, w.a.plan)
        .await
        .unwrap()
        .iter()
        .find(|r| r.label == "Red")
        .unwrap()
        .id
        .to_string();
    let formula = "=HYPERLINK(\"http://evil.example/\",\"Open the evidence\")";
    let (status, _) = w
        .post(
            Some(&lead),
            &format!("/p/{}/actions/{}/updates/new", w.a.pid, w.a.led_action),
            &[
                ("rating_id", &red),
                ("narrative", formula),
                ("update_date-day", &today.day().to_string()),
                ("update_date-month", &u8::from(today.month()).to_string()),
                ("update_date-year", &today.year().to_string()),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, csv) = w
        .get(
            Some(&lead),
            &format!(
                "/p/{}/plans/{}/reports/view?kind=progress&format=csv",
                w.a.pid, w.a.plan
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.contains("'=HYPERLINK"),
        "the formula is written as text: {csv}"
    );
    assert!(!csv.contains(",\"=HYPERLINK") && !csv.contains(",=HYPERLINK"));
}

#[tokio::test]
async fn a_hidden_control_character_is_refused_on_the_form_with_what_was_typed_kept() {
    let w = world().await;
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let (status, body) = w
        .post(
            Some(&manager),
            &format!("/p/{}/organisations/new", w.a.pid),
            &[("name", "Health\0Trust"), ("kind", "other")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.contains("hidden control character (U+0000)"), "{body}");
}

/// Issue 13: a deleted action comes back exactly (the plan's export is the same before
/// the deletion and after the restore), a stale confirmation is refused, and an action
/// with progress history cannot be deleted.
#[tokio::test]
async fn a_deleted_action_is_restored_exactly_as_the_export_shows() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let admin = w
        .session_for(
            "admin@example.org",
            Some((w.a.pid, Role::Admin, None)),
            false,
        )
        .await;
    let export = format!("{p}/plans/{}/export?format=json", w.a.plan);
    let (status, before) = w.get(Some(&admin), &export).await;
    assert_eq!(status, StatusCode::OK);

    // The action with progress history says why it cannot go.
    let (status, body) = w
        .get(
            Some(&admin),
            &format!("{p}/delete/action/{}", w.a.updated_action),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("You cannot delete this action yet"), "{body}");
    assert!(body.contains("1 progress update"));

    // The measure linked to the led action, and the meeting whose agenda names it,
    // stop its deletion until they are changed.
    let confirm = format!("{p}/delete/action/{}", w.a.led_action);
    let (status, body) = w.get(Some(&admin), &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("1 measure is linked to it"), "{body}");
    assert!(body.contains("1 meeting record names it"), "{body}");
    let (status, _) = w
        .post(
            Some(&admin),
            &confirm,
            &[("confirm", "yes"), ("version", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    for (kind, id) in [
        (
            sendplan_domain::lifecycle::RecordKind::Measure,
            w.a.measure.0,
        ),
        (
            sendplan_domain::lifecycle::RecordKind::Meeting,
            w.a.meeting.0,
        ),
    ] {
        w.store
            .delete_record(Actor(None), w.a.pid, kind, id, None)
            .await
            .unwrap();
    }
    let (status, body) = w.get(Some(&admin), &confirm).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Are you sure you want to delete this action?"),
        "{body}"
    );
    assert!(
        body.contains("This also deletes its 1 milestone."),
        "{body}"
    );
    // A post that is not the confirmation's button deletes nothing.
    let (status, _) = w.post(Some(&admin), &confirm, &[("version", "1")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A confirmation opened before someone else changed the action is refused.
    let (status, body) = w
        .post(
            Some(&admin),
            &confirm,
            &[("confirm", "yes"), ("version", "0")],
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Someone changed this action"));
    let (status, _) = w
        .post(
            Some(&admin),
            &confirm,
            &[("confirm", "yes"), ("version", "1")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.get(Some(&admin), &format!("{p}/actions/{}", w.a.led_action))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Another partnership's administrator cannot see or restore it.
    let outsider = w
        .session_for(
            "other@example.org",
            Some((w.b.pid, Role::Admin, None)),
            false,
        )
        .await;
    let (_, listed) = w
        .get(Some(&outsider), &format!("/p/{}/deleted", w.b.pid))
        .await;
    assert!(!listed.contains("Do the work"));

    let (status, listed) = w.get(Some(&admin), &format!("{p}/deleted")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(listed.contains("Action 1.2: Do the work"));
    // Restore in the reverse order of deletion: the meeting and measure name the action.
    let deleted = w.store.list_deleted(w.a.pid).await.unwrap();
    assert_eq!(deleted.len(), 3);
    for d in &deleted {
        let (status, body) = w
            .post(
                Some(&outsider),
                &format!("/p/{}/deleted/{}/restore", w.b.pid, d.id),
                &[("restore", "yes")],
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, body) = w
            .post(
                Some(&admin),
                &format!("{p}/deleted/{}/restore", d.id),
                &[("restore", "yes")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    }
    let (_, after) = w.get(Some(&admin), &export).await;
    assert_eq!(before, after, "the restored plan exports differently");
}

/// Issue 13: a rating is corrected and an update withdrawn, each superseding rather than
/// rewriting; a second correction of the same update is refused with the first shown.
#[tokio::test]
async fn a_rating_is_corrected_and_an_update_withdrawn_with_the_history_kept() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let ratings = w.store.list_ratings(w.a.pid, w.a.plan).await.unwrap();
    let green = ratings.iter().find(|r| r.id != w.a.rating).unwrap();
    let green_id = green.id.to_string();
    let correct = format!("{p}/updates/{}/correct", w.a.update);
    let (status, body) = w.get(Some(&manager), &correct).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("Started"),
        "the form starts from the update as it was"
    );
    let fields = [
        ("rating_id", green_id.as_str()),
        ("narrative", "Started, and on track"),
        ("update_date-day", "1"),
        ("update_date-month", "3"),
        ("update_date-year", "2022"),
        ("evidence_links", ""),
    ];
    // The reason is required.
    let (status, body) = w.post(Some(&manager), &correct, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Enter why you are correcting the update"),
        "{body}"
    );
    let mut with_reason = fields.to_vec();
    with_reason.push(("reason", "Wrong rating chosen"));
    let (status, _) = w.post(Some(&manager), &correct, &with_reason).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = w.post(Some(&manager), &correct, &with_reason).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body.contains("Wrong rating chosen"), "{body}");

    let action = format!("{p}/actions/{}", w.a.updated_action);
    let (_, page) = w.get(Some(&manager), &action).await;
    assert!(page.contains("Corrected by"), "{page}");
    assert!(page.contains("Corrects the update of 1 March 2022"));
    assert!(page.contains("Does not count"));
    let overview = w
        .store
        .plan_overview(w.a.pid, w.a.plan, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    let row = overview
        .actions
        .iter()
        .find(|r| r.id == w.a.updated_action)
        .unwrap();
    assert_eq!(row.rating.as_ref().map(|r| r.id), Some(green.id));

    let latest = w
        .store
        .list_updates(w.a.pid, w.a.updated_action)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.counts())
        .unwrap();
    let withdraw = format!("{p}/updates/{}/withdraw", latest.id);
    let (status, _) = w
        .post(
            Some(&manager),
            &withdraw,
            &[("reason", "Posted on the wrong action")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let overview = w
        .store
        .plan_overview(w.a.pid, w.a.plan, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    let row = overview
        .actions
        .iter()
        .find(|r| r.id == w.a.updated_action)
        .unwrap();
    assert_eq!(row.rating, None);
    let (_, page) = w.get(Some(&manager), &action).await;
    assert!(page.contains("Withdrawn by"));
}

/// Issue 13: an action lead marks a milestone of their action done, with the evidence;
/// an archived plan leaves My actions and the public page and can be brought back.
#[tokio::test]
async fn a_lead_finishes_a_milestone_and_an_archived_plan_leaves_their_list() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, Some(w.a.person))),
            false,
        )
        .await;
    let (_, page) = w
        .get(Some(&lead), &format!("{p}/actions/{}", w.a.led_action))
        .await;
    assert!(page.contains(&format!("{p}/milestones/{}/done", w.a.milestone)));
    let today = time::OffsetDateTime::now_utc().date();
    let (day, month, year) = (
        today.day().to_string(),
        (today.month() as u8).to_string(),
        today.year().to_string(),
    );
    let (status, _) = w
        .post(
            Some(&lead),
            &format!("{p}/milestones/{}/done", w.a.milestone),
            &[
                ("done_date-day", &day),
                ("done_date-month", &month),
                ("done_date-year", &year),
                ("evidence", "Signed off at the board on 12 October"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let milestone = w.store.get_milestone(w.a.pid, w.a.milestone).await.unwrap();
    assert_eq!(milestone.done_date, Some(today));
    assert_eq!(
        milestone.done_evidence,
        "Signed off at the board on 12 October"
    );

    let (_, mine) = w.get(Some(&lead), &format!("{p}/my-actions")).await;
    assert!(mine.contains("Do the work"));
    let admin = w
        .session_for(
            "admin@example.org",
            Some((w.a.pid, Role::Admin, None)),
            false,
        )
        .await;
    let plan = w.store.get_plan(w.a.pid, w.a.plan).await.unwrap();
    let version = plan.version.to_string();
    let (status, body) = w
        .post(
            Some(&admin),
            &format!("{p}/plans/{}/archive", w.a.plan),
            &[
                ("reason", "Replaced by the priority action plan"),
                ("plan_version", &version),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, mine) = w.get(Some(&lead), &format!("{p}/my-actions")).await;
    assert!(!mine.contains("Do the work"), "{mine}");
    let (_, home) = w.get(Some(&admin), &p).await;
    assert!(
        home.contains("Archived plans") && home.contains("Replaced by the priority action plan")
    );
    let (status, page) = w
        .get(Some(&admin), &format!("{p}/plans/{}", w.a.plan))
        .await;
    assert_eq!(status, StatusCode::OK, "an archived plan stays readable");
    assert!(page.contains("Bring this plan back"));
    let (status, _) = w
        .post(
            Some(&admin),
            &format!("{p}/plans/{}/unarchive", w.a.plan),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, mine) = w.get(Some(&lead), &format!("{p}/my-actions")).await;
    assert!(mine.contains("Do the work"));
}

/// Issue 13: a measure can be changed once saved (its edit page used to answer 404). The
/// form shows it as it is, so saving it unchanged changes nothing but its version; its
/// unit cannot change once values are recorded in it.
#[tokio::test]
async fn a_measure_is_edited_from_a_form_that_shows_it_as_it_is() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let edit = format!("{p}/measures/{}/edit", w.a.measure);
    let before = w.store.get_measure(w.a.pid, w.a.measure).await.unwrap();
    let (status, form) = w.get(Some(&manager), &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        form.contains("Longest wait") && form.contains("30/06/2023 = 125"),
        "{form}"
    );
    let action = before.actions[0].to_string();
    let fields = |unit: &'static str, name: &'static str, version: &'static str| {
        vec![
            ("name", name.to_owned()),
            ("unit", unit.to_owned()),
            ("polarity", "lower".to_owned()),
            ("frequency", "monthly".to_owned()),
            ("baseline_date-day", "1".to_owned()),
            ("baseline_date-month", "1".to_owned()),
            ("baseline_date-year", "2022".to_owned()),
            ("baseline_value", "242".to_owned()),
            ("targets", "30/06/2023 = 125\n31/03/2024 = 13".to_owned()),
            ("tolerance", "10".to_owned()),
            ("actions", action.clone()),
            ("version", version.to_owned()),
        ]
    };
    let send = |pairs: Vec<(&'static str, String)>| {
        let w = &w;
        let manager = &manager;
        let edit = edit.clone();
        async move {
            let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            w.post(Some(manager), &edit, &refs).await
        }
    };
    let (status, _) = send(fields("weeks", "Longest wait", "1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = w.store.get_measure(w.a.pid, w.a.measure).await.unwrap();
    assert_eq!(after.version, 2);
    assert_eq!(
        sendplan_domain::measures::Measure {
            version: 1,
            ..after.clone()
        },
        before,
        "saved unchanged, it is unchanged"
    );
    // A form opened before that save is refused, with what was typed kept.
    let (status, body) = send(fields("weeks", "Longest wait for autism", "1")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("Someone else saved a change"));
    let (status, _) = send(fields("weeks", "Longest wait for autism", "2")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.store
            .get_measure(w.a.pid, w.a.measure)
            .await
            .unwrap()
            .name,
        "Longest wait for autism"
    );
    // Once a value is recorded in weeks, the unit stays weeks.
    let (status, _) = w
        .post(
            Some(&manager),
            &format!("{p}/measures/{}/values/new", w.a.measure),
            &[
                ("period", "February 2022"),
                ("value", "230"),
                ("status", "final"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = send(fields("days", "Longest wait for autism", "3")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("The unit cannot change"), "{body}");
}

/// Issue 13: the partnership's timeline tells Oxfordshire's story in date order, with
/// partial dates as partial and undated plans after the inspection they answer; an
/// intervention is recorded with a date known only to the month; a 2023 inspection is
/// followed by a monitoring inspection, not a "revisit"; a finding kind of the other
/// framework is refused.
#[tokio::test]
async fn the_timeline_tells_a_real_history_in_order() {
    let w = world().await;
    let text = std::fs::read_to_string(format!(
        "{}/../../fixtures/history/oxfordshire.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (_, import) = sendplan_interchange::read(&text).unwrap();
    let summary = w
        .store
        .import_plan(Actor(None), &import, time::OffsetDateTime::now_utc().date())
        .await
        .unwrap();
    let pid = summary.partnership.unwrap();
    let admin = w
        .session_for("admin@example.org", Some((pid, Role::Admin, None)), false)
        .await;
    let p = format!("/p/{pid}");
    let (status, page) = w.get(Some(&admin), &format!("{p}/timeline")).await;
    assert_eq!(status, StatusCode::OK);
    let order = [
        "Joint local area SEND inspection, 25 September 2017",
        "Written statement of action (2017 inspection)",
        "Revisit (2016 framework)",
        "Accelerated progress plan (2019 revisit)",
        "Area SEND inspection, 17 July 2023",
        "Local area partnership priority action plan: submitted",
        "Improvement notice",
        "Local area partnership priority action plan: approved by Ofsted",
        "DfE stocktake",
        "Deep dive",
        "Monitoring inspection (2023 framework)",
    ];
    let mut at = 0;
    for title in order {
        let found = page[at..]
            .find(title)
            .unwrap_or_else(|| panic!("{title:?} is missing or out of order:\n{page}"));
        at += found;
    }
    assert!(
        page.contains("March 2024") && page.contains(">2024 <"),
        "partial dates stay partial"
    );

    // Recording an intervention known only to the month.
    let (status, body) = w
        .post(
            Some(&admin),
            &format!("{p}/interventions/new"),
            &[
                ("kind", "review_12_months"),
                ("by", "dfe_nhse"),
                ("date-day", ""),
                ("date-month", "11"),
                ("date-year", "2024"),
                ("outcome", "Formal monitoring continues"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, page) = w.get(Some(&admin), &format!("{p}/timeline")).await;
    assert!(page.contains("November 2024") && page.contains("Review at 12 months"));
    let (status, body) = w
        .post(
            Some(&admin),
            &format!("{p}/interventions/new"),
            &[
                ("kind", "stocktake"),
                ("by", "dfe"),
                ("date-day", "5"),
                ("date-year", "2024"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("must include a month when it includes a day"),
        "{body}"
    );

    let inspections = w.store.list_inspections(pid).await.unwrap();
    let later = inspections
        .iter()
        .find(|i| i.framework == sendplan_domain::inspection::Framework::Area2023)
        .unwrap();
    let (_, form) = w
        .get(
            Some(&admin),
            &format!("{p}/inspections/{}/revisits/new", later.id),
        )
        .await;
    assert!(
        form.contains("Record a monitoring inspection") && form.contains("Effective action taken")
    );
    let (_, form) = w
        .get(
            Some(&admin),
            &format!("{p}/inspections/{}/findings/new", later.id),
        )
        .await;
    assert!(form.contains("Area for priority action") && !form.contains("Significant weakness"));
    let (status, body) = w
        .post(
            Some(&admin),
            &format!("{p}/inspections/{}/findings/new", later.id),
            &[
                ("kind", "significant_weakness"),
                ("text", "Not a 2023 finding"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("has no findings of the kind"), "{body}");
    let (_, page) = w
        .get(Some(&admin), &format!("{p}/inspections/{}", later.id))
        .await;
    assert!(
        page.contains("From 17 July 2023"),
        "only the first day is known"
    );
}

/// Issue 13: a lead withdraws an update they wrote on an action they lead, but not one
/// someone else wrote; a viewer changes nothing.
#[tokio::test]
async fn a_lead_withdraws_their_own_update_and_no_one_elses() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let lead = w
        .session_for(
            "lead@example.org",
            Some((w.a.pid, Role::ActionLead, Some(w.a.person))),
            false,
        )
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    let (day, month, year) = (
        today.day().to_string(),
        u8::from(today.month()).to_string(),
        today.year().to_string(),
    );
    let rating = w.a.rating.to_string();
    let (status, _) = w
        .post(
            Some(&lead),
            &format!("{p}/actions/{}/updates/new", w.a.led_action),
            &[
                ("rating_id", &rating),
                ("narrative", "Posted on the wrong action"),
                ("update_date-day", &day),
                ("update_date-month", &month),
                ("update_date-year", &year),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let own = w
        .store
        .list_updates(w.a.pid, w.a.led_action)
        .await
        .unwrap()
        .remove(0);
    // Someone else's update, even on an action the lead leads, is not theirs to withdraw.
    let manager_user = w
        .store
        .create_user("pm-author@example.org", "Pat Manager", "x", false)
        .await
        .unwrap();
    let others = w
        .store
        .add_update(
            Actor(Some(manager_user)),
            w.a.pid,
            w.a.led_action,
            &sendplan_domain::input::UpdateInput {
                update_date: today,
                rating_id: w.a.rating,
                narrative: "The manager's view".into(),
                evidence_links: vec![],
            },
        )
        .await
        .unwrap();
    let (status, _) = w
        .post(
            Some(&lead),
            &format!("{p}/updates/{others}/withdraw"),
            &[("reason", "Not mine")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .post(
            Some(&lead),
            &format!("{p}/updates/{}/withdraw", own.id),
            &[("reason", "Posted on the wrong action")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let viewer = w
        .session_for(
            "viewer@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let (status, _) = w
        .post(
            Some(&viewer),
            &format!("{p}/updates/{others}/withdraw"),
            &[("reason", "Viewers cannot")],
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .get(
            Some(&lead),
            &format!("{p}/delete/action/{}", w.a.led_action),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "leads delete nothing");
}

/// Issue 13: a survey's details are corrected, checked as when it was added; its results
/// stay; a stale form is refused.
#[tokio::test]
async fn a_surveys_details_are_corrected_and_its_results_kept() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let manager = w
        .session_for(
            "pm@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    let edit = format!("{p}/surveys/{}/edit", w.a.survey);
    let (status, form) = w.get(Some(&manager), &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Parent survey 2021"));
    let before = w.store.get_survey(w.a.pid, w.a.survey).await.unwrap();
    let fields = |respondents: &'static str, version: &'static str| {
        vec![
            ("title", "Parent carer survey 2021"),
            ("series", "Parent survey"),
            ("run_by", "The forum"),
            ("audience", ""),
            ("period", "Autumn 2021"),
            ("respondents", respondents),
            ("version", version),
        ]
    };
    let (status, body) = w.post(Some(&manager), &edit, &fields("none", "1")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "respondents must be a number"
    );
    assert!(body.contains("There is a problem"));
    let (status, _) = w.post(Some(&manager), &edit, &fields("2", "1")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let after = w.store.get_survey(w.a.pid, w.a.survey).await.unwrap();
    assert_eq!(after.survey.title, "Parent carer survey 2021");
    assert_eq!(after.survey.period, "Autumn 2021");
    assert_eq!(
        after.survey.questions, before.survey.questions,
        "the results are kept"
    );
    let (status, body) = w.post(Some(&manager), &edit, &fields("2", "1")).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a stale form is refused"
    );
    assert!(body.contains("Someone else saved a change"));
}

/// The public Local Offer (issue 16): a partnership's imported directory, searched in
/// families' words and filtered without JavaScript, each service on its own page; nothing
/// of another partnership's, and no page for a partnership without services.
#[tokio::test]
async fn the_local_offer_is_searched_browsed_and_read_without_signing_in() {
    use sendplan_domain::local_offer::*;
    let w = world().await;
    let public_a = public_base(&w, w.a.pid).await;
    let offer = public_a.replacen("/public/", "/local-offer/", 1);
    assert_eq!(
        w.get(None, &offer).await.0,
        StatusCode::NOT_FOUND,
        "no services, no page"
    );
    let service = |key: &str, name: &str, description: &str, min: f32, max: f32| Service {
        key: key.into(),
        organization_key: "org".into(),
        name: name.into(),
        description: description.into(),
        minimum_age: Some(min),
        maximum_age: Some(max),
        terms: vec!["breaks".into()],
        fees: "Free".into(),
        ..Service::default()
    };
    let directory = Directory {
        organizations: vec![Organization {
            key: "org".into(),
            name: "Bluebell Trust".into(),
            ..Organization::default()
        }],
        services: vec![
            service(
                "s1",
                "Bluebell Short Breaks",
                "Overnight short breaks <for> families",
                5.0,
                18.0,
            ),
            service(
                "s2",
                "Little Steps Nursery",
                "A nursery with short breaks too",
                0.0,
                5.0,
            ),
        ],
        terms: vec![
            TaxonomyTerm {
                key: "leisure".into(),
                name: "Leisure".into(),
                ..TaxonomyTerm::default()
            },
            TaxonomyTerm {
                key: "breaks".into(),
                name: "Short breaks".into(),
                parent_key: Some("leisure".into()),
                ..TaxonomyTerm::default()
            },
        ],
    };
    w.store
        .import_directory(Actor(None), w.a.pid, &directory, "test", true)
        .await
        .unwrap();
    let (status, home) = w.get(None, &offer).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("2 services") && home.contains(&format!("{offer}/categories/leisure")));
    let (_, found) = w
        .get(None, &format!("{offer}/search?q=respite&age=9"))
        .await;
    assert!(
        found.contains("Bluebell Short Breaks"),
        "respite finds short breaks"
    );
    assert!(
        !found.contains("Little Steps Nursery"),
        "a 9-year-old is too old for the nursery"
    );
    let (_, bad_age) = w.get(None, &format!("{offer}/search?age=ninety")).await;
    assert!(
        bad_age.contains("age as a number of years from 0 to 25"),
        "{bad_age}"
    );
    assert!(bad_age.contains("govuk-error-summary") && bad_age.contains("<title>Error: "));
    // A date of birth instead of an age: a child born nine years ago today is nine.
    let today = time::OffsetDateTime::now_utc().date();
    let (_, by_birth) = w
        .get(
            None,
            &format!(
                "{offer}/search?q=short+breaks&born-day={}&born-month={}&born-year={}",
                today.day(),
                u8::from(today.month()),
                today.year() - 9
            ),
        )
        .await;
    assert!(
        by_birth.contains("Bluebell Short Breaks") && !by_birth.contains("Little Steps Nursery")
    );
    let (_, bad_birth) = w
        .get(
            None,
            &format!("{offer}/search?born-day=31&born-month=2&born-year=2020"),
        )
        .await;
    assert!(
        bad_birth.contains("govuk-error-summary") && bad_birth.contains("href=\"#born-day\""),
        "{bad_birth}"
    );
    // No postcode table, no distance filter; with one, services are measured from the
    // postcode, those with no map position listed apart, an unknown postcode said so.
    assert!(!found.contains("Near postcode"));
    let mut placed = directory.clone();
    placed.services[0].locations = vec![Location {
        latitude: Some(52.5870),
        longitude: Some(-2.1300),
        ..Location::default()
    }];
    w.store
        .import_directory(Actor(None), w.a.pid, &placed, "test", true)
        .await
        .unwrap();
    w.store
        .load_postcodes(
            Actor(None),
            w.a.pid,
            &[(
                "WV1 1AA".to_owned(),
                sendplan_domain::local_offer::geo::Point {
                    latitude: 52.5860,
                    longitude: -2.1290,
                },
            )],
            "test",
        )
        .await
        .unwrap();
    let (_, near) = w
        .get(None, &format!("{offer}/search?postcode=wv1+1aa&within=1"))
        .await;
    assert!(
        near.contains("Near postcode") && near.contains("0.1 miles away"),
        "{near}"
    );
    let (placed_part, unplaced_part) = near
        .split_once("Services with no map position")
        .expect("listed apart");
    assert!(
        placed_part.contains("Bluebell Short Breaks")
            && unplaced_part.contains("Little Steps Nursery")
    );
    let (_, by_area) = w
        .get(None, &format!("{offer}/search?postcode=WV1+9ZZ"))
        .await;
    assert!(by_area.contains("from the middle of WV1"), "{by_area}");
    let (_, unknown) = w
        .get(None, &format!("{offer}/search?postcode=ZZ9+9ZZ"))
        .await;
    assert!(
        unknown.contains("We do not know the postcode ZZ9 9ZZ")
            && unknown.contains("Little Steps Nursery")
    );
    let (_, nonsense) = w.get(None, &format!("{offer}/search?postcode=hello")).await;
    assert!(nonsense.contains("Enter a postcode, like WV1 1SH"));
    // A shortlist carried in the address: ticked on the results, shown together with
    // how to reach each service, emailed through the family's own mail, nothing kept.
    let (_, ticked) = w
        .get(None, &format!("{offer}/search?q=short+breaks&s=s1"))
        .await;
    assert!(
        ticked.contains(
            "id=\"s-s1\" name=\"s\" type=\"checkbox\" value=\"s1\" form=\"shortlist\" checked"
        ),
        "{ticked}"
    );
    assert!(ticked.contains("Show my shortlist (1 so far)"));
    let (status, list) = w
        .get(
            None,
            &format!("{offer}/shortlist?s=s1&s=nonesuch&s=s2&s=s1"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("Bluebell Short Breaks") && list.contains("Little Steps Nursery"));
    assert!(list.contains("mailto:?subject=My%20shortlist"), "{list}");
    assert!(
        list.contains(&format!("href=\"{offer}/shortlist?s=s2\"")),
        "removing s1 keeps s2"
    );
    assert_eq!(
        list.matches("app-shortlist-entry").count(),
        2,
        "each once; unknown ids left out"
    );
    let (_, empty) = w.get(None, &format!("{offer}/shortlist")).await;
    assert!(empty.contains("Your shortlist is empty"));
    let (status, category) = w.get(None, &format!("{offer}/categories/leisure")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        category.contains("Bluebell Short Breaks") && category.contains("Little Steps Nursery")
    );
    let (status, page) = w.get(None, &format!("{offer}/services/s1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Overnight short breaks &#60;for&#62; families"),
        "text, never markup"
    );
    assert!(page.contains("5 to 18 years") && page.contains("Free"));
    // Not through another partnership's address, and old numeric addresses move.
    let public_b = public_base(&w, w.b.pid).await;
    let other = public_b.replacen("/public/", "/local-offer/", 1);
    assert_eq!(
        w.get(None, &format!("{other}/services/s1")).await.0,
        StatusCode::NOT_FOUND
    );
    let (status, _, headers) = w
        .send(
            Request::get(format!("/local-offer/{}/services/s1", w.a.pid.0))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(
        headers.get(header::LOCATION).unwrap(),
        format!("{offer}/services/s1").as_str()
    );
}

/// The Local Offer's ORUK 3.0 API (issue 16), walked as the official validator walks a
/// feed (`/`, the first, a middle and the last page of each list, then every record on
/// them by its id), every answer checked against the vendored ORUK schemas; then its
/// parameters: full and minimal, NDJSON, filters, postcode and proximity, the SEND
/// extensions switched off, and what it says when asked for what cannot be answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oruk_api_answers_as_the_standard_says_to_the_validators_walk() {
    use sendplan_domain::local_offer::geo::{distance_metres, Point};
    use sendplan_interchange::oruk::conformance::{self, Endpoint};
    let w = world().await;
    let demo = sendplan_interchange::oruk::read_json(
        &std::fs::read(format!(
            "{}/../../fixtures/local_offer/wolverhampton-demo.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap()
    .directory;
    // Three copies of the 48 demonstration services: three pages of 50, and ids that are
    // not UUIDs (the copies'), which the API must still serve as UUIDs.
    let mut directory = demo.clone();
    for copy in 1..3 {
        directory.services.extend(demo.services.iter().map(|s| {
            sendplan_domain::local_offer::Service {
                key: format!("{}-copy{copy}", s.key),
                ..s.clone()
            }
        }));
    }
    w.store
        .import_directory(Actor(None), w.a.pid, &directory, "demo", true)
        .await
        .unwrap();
    let api = public_base(&w, w.a.pid)
        .await
        .replacen("/public/", "/api/oruk/", 1);
    let app = w.app.clone();
    let handle = tokio::runtime::Handle::current();
    let base = api.clone();
    let walk = tokio::task::spawn_blocking(move || {
        conformance::walk(&mut |address: &str| {
            handle.block_on(async {
                let mut request = Request::get(format!("{base}/{address}"))
                    .body(Body::empty())
                    .unwrap();
                request
                    .extensions_mut()
                    .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))));
                let response = app
                    .clone()
                    .oneshot(request)
                    .await
                    .map_err(|e| e.to_string())?;
                let status = response.status().as_u16();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                Ok((status, body.to_vec()))
            })
        })
    })
    .await
    .unwrap();
    assert!(walk.problems.is_empty(), "{:#?}", walk.problems);
    assert!(walk.not_offered.is_empty(), "{:?}", walk.not_offered);
    assert_eq!(walk.services, 144, "every service read by its id");
    assert!(
        walk.asked.contains(&"services?page=2".to_owned())
            && walk.asked.contains(&"services?page=3".to_owned())
    );

    let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap();
    // Anyone's page may read it.
    let (status, _, headers) = w
        .send(
            Request::get(format!("{api}/services"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).unwrap(),
        "*"
    );
    // A whole page of full services, each a valid service, with no empty field.
    let (_, body) = w
        .get(None, &format!("{api}/services?full=true&per_page=500"))
        .await;
    let page = json(&body);
    assert!(conformance::check(Endpoint::ServiceList, &page).is_empty());
    let services = page["contents"].as_array().unwrap();
    assert_eq!(services.len(), 144);
    fn no_empty_fields(v: &serde_json::Value, path: &str) {
        match v {
            serde_json::Value::Null => panic!("{path} is null"),
            serde_json::Value::String(s) if s.is_empty() && !path.ends_with("state_province") => {
                panic!("{path} is empty")
            }
            serde_json::Value::Array(a) => {
                assert!(!a.is_empty(), "{path} is an empty list");
                a.iter().for_each(|x| no_empty_fields(x, path));
            }
            serde_json::Value::Object(o) => o
                .iter()
                .for_each(|(k, x)| no_empty_fields(x, &format!("{path}.{k}"))),
            _ => {}
        }
    }
    for s in services {
        assert!(conformance::check(Endpoint::Service, s).is_empty(), "{s}");
        no_empty_fields(s, "service");
    }
    assert!(
        services.iter().any(|s| s.get("send_needs").is_some()),
        "SEND extensions by default"
    );
    let (_, body) = w
        .get(
            None,
            &format!("{api}/services?full=true&per_page=500&send_extensions=false"),
        )
        .await;
    assert!(
        !body.contains("send_needs") && !body.contains("family_words"),
        "switched off"
    );
    // Every record at once, one per line.
    let (status, body, headers) = w
        .send(
            Request::get(format!("{api}/services?format=ndjson"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers
        .get(header::CONTENT_TYPE)
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("application/x-ndjson"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 144);
    assert!(lines
        .iter()
        .all(|l| conformance::check(Endpoint::Service, &json(l)).is_empty()));
    // Minimal: ids and when each last changed.
    let (_, body) = w
        .get(None, &format!("{api}/services?minimal=true&per_page=5"))
        .await;
    let first = &json(&body)["contents"][0];
    assert_eq!(first.as_object().unwrap().len(), 2, "{first}");
    assert!(first["last_modified"].is_string());
    // Filters: by taxonomy term, by organisation, by words, by when modified.
    let (_, body) = w
        .get(None, &format!("{api}/taxonomy_terms?per_page=500"))
        .await;
    let terms = json(&body);
    let short_breaks = terms["contents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Short breaks")
        .expect("the demo files short breaks")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, body) = w
        .get(
            None,
            &format!("{api}/services?full=true&taxonomy_term_id={short_breaks}"),
        )
        .await;
    let filed = json(&body);
    assert!(filed["total_items"].as_u64().unwrap() >= 3);
    for s in filed["contents"].as_array().unwrap() {
        assert!(s["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["taxonomy_term_id"] == short_breaks.as_str()));
    }
    let (_, body) = w
        .get(None, &format!("{api}/services?search=short%20breaks"))
        .await;
    assert_eq!(json(&body)["contents"][0]["name"], "Bluebell Short Breaks");
    let (_, body) = w
        .get(None, &format!("{api}/services?modified_after=2999-01-01"))
        .await;
    assert_eq!(json(&body)["total_items"], 0);
    assert_eq!(json(&body)["empty"], true);
    // Near a postcode: the partnership's table places it; within a proximity only what
    // is known to be within it.
    w.store
        .load_postcodes(
            Actor(None),
            w.a.pid,
            &[
                (
                    "WV1 3XZ".to_owned(),
                    Point {
                        latitude: 52.5868,
                        longitude: -2.1301,
                    },
                ),
                (
                    "WV1 1AA".to_owned(),
                    Point {
                        latitude: 52.5850,
                        longitude: -2.1290,
                    },
                ),
            ],
            "test",
        )
        .await
        .unwrap();
    let centre = Point {
        latitude: 52.5868,
        longitude: -2.1301,
    };
    let (status, body) = w
        .get(None, &format!("{api}/service_at_locations?postcode=wv1%203xz&proximity=1500&full=true&per_page=500"))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let near = json(&body);
    assert!(conformance::check(Endpoint::ServiceAtLocationList, &near).is_empty());
    let found = near["contents"].as_array().unwrap();
    assert!(!found.is_empty());
    for sal in found {
        let l = &sal["location"];
        let at = Point {
            latitude: l["latitude"].as_f64().unwrap(),
            longitude: l["longitude"].as_f64().unwrap(),
        };
        assert!(distance_metres(centre, at) <= 1500.0);
    }
    let (_, all) = w
        .get(None, &format!("{api}/service_at_locations?per_page=500"))
        .await;
    assert!(json(&all)["total_items"].as_u64().unwrap() > found.len() as u64);
    // A postcode not in the table is placed by its outward code; one from nowhere is said.
    let (status, _) = w
        .get(
            None,
            &format!("{api}/service_at_locations?postcode=WV1%209ZZ&proximity=1500"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = w
        .get(
            None,
            &format!("{api}/service_at_locations?postcode=ZZ9%209ZZ"),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("not one this directory knows"), "{body}");
    // What cannot be answered is said plainly.
    let (status, body) = w.get(None, &format!("{api}/services?page=zero")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body.contains("page must be a whole number"), "{body}");
    let (status, _) = w
        .get(
            None,
            &format!("{api}/services/00000000-0000-4000-8000-000000000000"),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nothing of one partnership through another's address.
    let other = public_base(&w, w.b.pid)
        .await
        .replacen("/public/", "/api/oruk/", 1);
    let one = services[0]["id"].as_str().unwrap();
    assert_eq!(
        w.get(None, &format!("{other}/services/{one}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, body) = w.get(None, &format!("{other}/services")).await;
    assert_eq!(json(&body)["total_items"], 0);
}

/// Nothing a provider sends is public until an officer approves it (issue 16): a change
/// carrying a mark in every field it can set is looked for on every page of the public
/// Local Offer and in every answer of its API, and found nowhere; approved, it is there.
#[tokio::test]
async fn nothing_a_provider_sends_is_public_until_an_officer_approves_it() {
    let w = world().await;
    with_local_offer(&w.store, w.a.pid).await;
    let provider = w
        .session_for(
            "provider@example.org",
            Some((w.a.pid, Role::Provider, None)),
            false,
        )
        .await;
    let officer = w
        .session_for(
            "officer@example.org",
            Some((w.a.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    let p = format!("/p/{}", w.a.pid);
    let (status, form) = w
        .get(Some(&provider), &format!("{p}/provide/services/club"))
        .await;
    assert_eq!(status, StatusCode::OK);
    // Sent on the version the form was read at, with a mark in every field it sets.
    assert!(form.contains(r#"name="version" value="1""#));
    let marked = [
        ("name", "Club Zqxmark"),
        ("description", "Zqxmark description"),
        ("easy_read", "Zqxmark easy read"),
        ("how_to_access", "Zqxmark referral"),
        ("fees", "Zqxmark fee"),
        ("minimum_age", "0.25"),
        ("maximum_age", "24.75"),
        ("url", "https://zqxmark.example.org/"),
        ("email", "zqxmark@example.org"),
        ("phone", "01902 999888"),
        ("MO_opens", "07:13"),
        ("MO_closes", "08:47"),
        ("times_note", "Zqxmark times"),
        ("version", "1"),
    ];
    let (status, _) = w
        .post(
            Some(&provider),
            &format!("{p}/provide/services/club"),
            &marked,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let marks = ["zqxmark", "0.25", "24.75", "999888", "07:13", "08:47"];
    let offer = public_base(&w, w.a.pid)
        .await
        .replacen("/public/", "/local-offer/", 1);
    let api = offer.replacen("/local-offer/", "/api/oruk/", 1);
    let (pages, before) = public_text(&w, &offer, &api).await;
    assert!(pages > 4, "the crawl reached the service pages ({pages})");
    assert!(before.contains("service club"), "the crawl read the entry");
    for mark in marks {
        assert!(!before.contains(mark), "{mark} is public before approval");
    }
    // The officer sees the change as the difference, and approves it.
    let (_, home) = w.get(Some(&officer), &format!("{p}/local-offer")).await;
    let change = home
        .split(&format!("href=\"{p}/local-offer/changes/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the change is listed")
        .to_owned();
    let (_, difference) = w
        .get(Some(&officer), &format!("{p}/local-offer/changes/{change}"))
        .await;
    assert!(difference.contains("Zqxmark fee") && difference.contains("Opening times"));
    let (status, _) = w
        .post(
            Some(&officer),
            &format!("{p}/local-offer/changes/{change}/approve"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, after) = public_text(&w, &offer, &api).await;
    for mark in marks {
        assert!(after.contains(mark), "{mark} is public once approved");
    }
    // The provider sees it approved; another organisation's service is not theirs.
    let (_, mine) = w.get(Some(&provider), &format!("{p}/provide")).await;
    assert!(mine.contains("Published") && !mine.contains("Service other"));
    assert_eq!(
        w.get(Some(&provider), &format!("{p}/provide/services/other"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

/// Every page of the public Local Offer a family can reach by following links from its
/// home page, a search and a shortlist, and every answer of its API: all their text.
async fn public_text(w: &World, offer: &str, api: &str) -> (usize, String) {
    // Every page a family can reach by following links, and every API answer.
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec![
        offer.to_owned(),
        format!("{offer}/search?q=club"),
        format!("{offer}/shortlist?s=club&s=other"),
    ];
    let mut text = String::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) || seen.len() > 300 {
            continue;
        }
        let (status, body) = w.get(None, &path).await;
        assert!(status.is_success(), "{path}: {status}");
        for href in body.split("href=\"").skip(1) {
            let href = href.split('"').next().unwrap().replace("&amp;", "&");
            if href.starts_with(offer) && !href.contains("/assets/") {
                queue.push(href);
            }
        }
        text.push_str(&body);
    }
    for endpoint in [
        "/",
        "/services",
        "/services?full=true",
        "/services?format=ndjson&full=true",
        "/organizations?full=true",
        "/service_at_locations",
        "/taxonomy_terms",
    ] {
        let (_, body) = w.get(None, &format!("{api}{endpoint}")).await;
        text.push_str(&body);
    }
    let list: serde_json::Value =
        serde_json::from_str(&w.get(None, &format!("{api}/services")).await.1).unwrap();
    for service in list["contents"].as_array().unwrap() {
        let id = service["id"].as_str().unwrap();
        text.push_str(&w.get(None, &format!("{api}/services/{id}")).await.1);
    }
    (seen.len(), text.to_lowercase())
}

/// An entry overdue for review is marked on its page, and hidden from families (pages and
/// API alike) only once the partnership's policy says so (issue 16).
#[tokio::test]
async fn an_overdue_entry_is_hidden_only_by_the_partnerships_policy() {
    let w = world().await;
    with_local_offer(&w.store, w.a.pid).await;
    let offer = public_base(&w, w.a.pid)
        .await
        .replacen("/public/", "/local-offer/", 1);
    let api = offer.replacen("/local-offer/", "/api/oruk/", 1);
    // "club" and "other" were never checked: shown, and marked.
    let (status, page) = w.get(None, &format!("{offer}/services/club")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("May be out of date"));
    // "other" is checked today; the partnership hides what is overdue at once.
    let mut entry = w.store.local_offer_service(w.a.pid, "other").await.unwrap();
    entry.service.assured_date = Some(time::OffsetDateTime::now_utc().date());
    w.store
        .edit_service(Actor(None), w.a.pid, &entry.service, entry.version)
        .await
        .unwrap();
    let (_, page) = w.get(None, &format!("{offer}/services/other")).await;
    assert!(!page.contains("May be out of date"));
    w.store
        .set_review_policy(Actor(None), w.a.pid, 3, Some(0), 0)
        .await
        .unwrap();
    assert_eq!(
        w.get(None, &format!("{offer}/services/club")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = w.get(None, &format!("{api}/services")).await;
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let names: Vec<&str> = list["contents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Service other"]);
}

/// A directory imported from the pages (issue 16): a feed with records that cannot be
/// taken imports nothing, each record named with why; chosen to take the others, what
/// the import will do is shown first, then it is done whole.
#[tokio::test]
async fn a_feed_is_imported_from_the_pages_after_its_records_are_checked() {
    let w = world().await;
    let officer = w
        .session_for(
            "officer@example.org",
            Some((w.a.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    let path = format!("/p/{}/local-offer/import", w.a.pid);
    let feed = std::fs::read(format!(
        "{}/../../fixtures/oruk/hostile/mixed-valid-invalid.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let (status, page, _) = w
        .send(upload_request(&officer, &path, &[], "mixed.json", &feed))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("The file cannot be imported yet"), "{page}");
    assert!(page.contains("2 records cannot be taken"));
    assert!(
        !w.store.has_local_offer(w.a.pid).await.unwrap(),
        "nothing imported"
    );
    // Not a feed at all: said on the form.
    let (status, page, _) = w
        .send(upload_request(
            &officer,
            &path,
            &[],
            "notes.json",
            b"{\"hello\": 1",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("notes.json cannot be imported"));
    // An address on this machine (or the network behind the server) is not fetched.
    let (status, page, _) = w
        .send(upload_request(
            &officer,
            &path,
            &[("address", "http://127.0.0.1:9/api/")],
            "",
            b"",
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("not on the public internet"), "{page}");
    // Taking the others: shown first, then imported whole.
    let (status, page, _) = w
        .send(upload_request(
            &officer,
            &path,
            &[("skip_invalid", "yes")],
            "mixed.json",
            &feed,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Check what the import will do"));
    assert!(page.contains("4 services to add") && page.contains("2 records left out"));
    assert!(
        !w.store.has_local_offer(w.a.pid).await.unwrap(),
        "nothing yet"
    );
    let action = page
        .split(&format!("action=\"{path}/"))
        .nth(1)
        .and_then(|rest| rest.split(['"', '?']).next())
        .expect("the import button")
        .to_owned();
    let (status, _) = w
        .post(Some(&officer), &format!("{path}/{action}"), &[])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        w.store.local_offer(w.a.pid).await.unwrap().services.len(),
        4
    );
    // Another officer cannot use someone else's checked file.
    let other = w
        .session_for(
            "other-officer@example.org",
            Some((w.a.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    assert_eq!(
        w.post(Some(&other), &format!("{path}/{action}"), &[])
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

/// "Report a problem with this information" (issue 16): a family reports a problem from
/// the service's page without signing in; the officer sees it, flagged when it may hold
/// someone's details, and closes it; a robot filling the trap field is thanked and
/// ignored; one address cannot flood the officers.
#[tokio::test]
async fn a_family_reports_a_problem_and_the_officer_deals_with_it() {
    let w = world().await;
    with_local_offer(&w.store, w.a.pid).await;
    let offer = public_base(&w, w.a.pid)
        .await
        .replacen("/public/", "/local-offer/", 1);
    let (_, service) = w.get(None, &format!("{offer}/services/club")).await;
    assert!(service.contains("Report a problem with this information"));
    let path = format!("{offer}/services/club/problem");
    let (cookie, csrf, _) = w.anonymous(&path).await;
    let (status, page, _) = w
        .post_with_cookie([10, 0, 0, 1], &cookie, &path, &[("_csrf", &csrf)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Select what is wrong"));
    let (status, page, _) = w
        .post_with_cookie(
            [10, 0, 0, 1],
            &cookie,
            &path,
            &[
                ("_csrf", &csrf),
                ("kind", "opening_times"),
                ("details", "Closed on Mondays now, ring 07700 900123"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thank you"));
    let (_, _, _) = w
        .post_with_cookie(
            [10, 0, 0, 1],
            &cookie,
            &path,
            &[
                ("_csrf", &csrf),
                ("kind", "closed"),
                ("website", "http://spam.example"),
            ],
        )
        .await;
    let problems = w.store.list_problems(w.a.pid).await.unwrap();
    assert_eq!(problems.len(), 1, "the trap caught the robot");
    assert!(problems[0].flagged, "a phone number is flagged");
    // Not public, and the officer sees and closes it.
    assert!(!w
        .get(None, &format!("{offer}/services/club"))
        .await
        .1
        .contains("07700"));
    let officer = w
        .session_for(
            "officer@example.org",
            Some((w.a.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    let home = format!("/p/{}/local-offer", w.a.pid);
    let (_, page) = w.get(Some(&officer), &home).await;
    assert!(page.contains("Closed on Mondays now") && page.contains("May hold personal details"));
    let (status, _) = w
        .post(
            Some(&officer),
            &format!("{home}/problems/{}/dealt", problems[0].id),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(w.store.list_problems(w.a.pid).await.unwrap()[0]
        .dealt_at
        .is_some());
    // Another partnership's officer cannot touch it.
    let outsider = w
        .session_for(
            "outsider@example.org",
            Some((w.b.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    assert_eq!(
        w.post(
            Some(&outsider),
            &format!(
                "/p/{}/local-offer/problems/{}/dealt",
                w.b.pid, problems[0].id
            ),
            &[]
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // Flooding is refused.
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        last = w
            .post_with_cookie(
                [10, 0, 0, 2],
                &cookie,
                &path,
                &[("_csrf", &csrf), ("kind", "cost")],
            )
            .await
            .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}

/// The review programme as the scheduler runs it (issue 16), over five weeks: an entry's
/// contact is invited, reminded twice a week apart, then the officers are told, each once
/// however often the round runs; an entry with no address to ask goes to the officers at
/// once.
#[tokio::test]
async fn the_review_programme_invites_reminds_then_tells_the_officers() {
    use sendplan_domain::local_offer::{Directory, Organization, Service};
    use sendplan_web::local_offer_review::review_round;
    let w = world().await;
    let start = time::OffsetDateTime::now_utc();
    let checked = start.date() - time::Duration::days(100);
    let service = |key: &str, email: &str| Service {
        key: key.into(),
        organization_key: "org".into(),
        name: format!("Service {key}"),
        email: email.into(),
        assured_date: Some(checked),
        ..Service::default()
    };
    let directory = Directory {
        organizations: vec![Organization {
            key: "org".into(),
            name: "Org".into(),
            ..Organization::default()
        }],
        services: vec![service("asked", "asked@example.org"), service("silent", "")],
        terms: vec![],
    };
    w.store
        .import_directory(Actor(None), w.a.pid, &directory, "feed.json", true)
        .await
        .unwrap();
    w.session_for(
        "officer@example.org",
        Some((w.a.pid, Role::LocalOfferOfficer, None)),
        false,
    )
    .await;
    let base = "https://send.example.org";
    let day = |n: i64| start + time::Duration::days(n);
    // Day 0: the contact is invited; the entry with no address goes to the officer.
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(0)).await.unwrap(),
        2
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(0)).await.unwrap(),
        0,
        "once a day"
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(3)).await.unwrap(),
        0,
        "a week to answer"
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(7)).await.unwrap(),
        1,
        "reminder 1"
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(14))
            .await
            .unwrap(),
        1,
        "reminder 2"
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(21))
            .await
            .unwrap(),
        1,
        "the officer told"
    );
    assert_eq!(
        review_round(&w.store, w.a.pid, base, day(35))
            .await
            .unwrap(),
        0,
        "told once"
    );
    let mail = w
        .store
        .claim_mail(day(40), time::Duration::minutes(10), 50)
        .await
        .unwrap();
    let to = |address: &str| {
        mail.iter()
            .filter(|m| m.to.email == address)
            .map(|m| m.subject.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        to("asked@example.org"),
        vec![
            "Please check Service asked in Area E08000031's Local Offer".to_owned(),
            "Reminder: please check Service asked in Area E08000031's Local Offer".to_owned(),
            "Reminder: please check Service asked in Area E08000031's Local Offer".to_owned(),
        ]
    );
    assert_eq!(
        to("officer@example.org"),
        vec![
            "Service silent: the Local Offer review has had no answer".to_owned(),
            "Service asked: the Local Offer review has had no answer".to_owned(),
        ]
    );
    let invitation = mail
        .iter()
        .find(|m| m.subject.starts_with("Please check"))
        .unwrap();
    assert!(invitation
        .body
        .contains("https://send.example.org/local-offer-review/"));
    assert!(mail
        .iter()
        .find(|m| m.body.contains("no email address"))
        .is_some_and(|m| m.subject.starts_with("Service silent")));
    // The round holds the invitation and both reminders.
    let round = w.store.review_rounds(w.a.pid).await.unwrap();
    assert_eq!(
        round
            .iter()
            .find(|r| r.entry.service.key == "asked")
            .unwrap()
            .sent
            .len(),
        3
    );
}

/// A browser visiting the Local Offer: `ua`, and the headers `extra`, from `address`.
async fn visit(
    w: &World,
    address: [u8; 4],
    ua: &str,
    path: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, String, axum::http::HeaderMap) {
    let mut builder = Request::get(path).header(header::USER_AGENT, ua);
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    w.send_from(address, builder.body(Body::empty()).unwrap())
        .await
}

/// A form sent from a Local Offer page by a browser (`site` is its Sec-Fetch-Site).
async fn answer(
    w: &World,
    address: [u8; 4],
    ua: &str,
    path: &str,
    site: Option<&str>,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, axum::http::HeaderMap) {
    let mut builder = Request::post(path)
        .header(header::USER_AGENT, ua)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(site) = site {
        builder = builder.header("sec-fetch-site", site);
    }
    let body = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    w.send_from(address, builder.body(Body::from(body)).unwrap())
        .await
}

const FIREFOX: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1";

// Issue 17: families answer "Did you find what you were looking for?" without cookies;
// the forms refuse other sites, robots and floods; views are counted without storing the
// address, leaving out robots and browsers that ask not to be tracked; and an officer
// publishes a comment as "You said, we did" only once it is confirmed free of anything
// that could identify a family.
#[tokio::test]
async fn families_answers_and_visits_are_counted_without_cookies_and_published_with_care() {
    let w = world().await;
    with_local_offer(&w.store, w.a.pid).await;
    let offer = public_base(&w, w.a.pid)
        .await
        .replacen("/public/", "/local-offer/", 1);
    let feedback = format!("{offer}/feedback");

    // Pages: counted, and no cookie set on the visitor's device.
    let (status, home, headers) = visit(
        &w,
        [10, 0, 0, 1],
        FIREFOX,
        &offer,
        &[("referer", "https://www.google.co.uk/")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        home.contains("Did you find what you were looking for?")
            && home.contains("How would you rate this website?")
    );
    assert!(
        headers.get(header::SET_COOKIE).is_none(),
        "the Local Offer sets no cookie"
    );
    visit(
        &w,
        [10, 0, 0, 1],
        FIREFOX,
        &format!("{offer}/services/club"),
        &[],
    )
    .await;
    let (_, results, _) = visit(
        &w,
        [10, 0, 0, 2],
        IPHONE,
        &format!("{offer}/search?q=zorbing+xylophones&age=7"),
        &[],
    )
    .await;
    assert!(results.contains("No services match"));
    // Not counted: a browser asking not to be tracked, and robots.
    visit(
        &w,
        [10, 0, 0, 3],
        FIREFOX,
        &format!("{offer}/search?q=swimming"),
        &[("dnt", "1")],
    )
    .await;
    visit(&w, [10, 0, 0, 4], FIREFOX, &offer, &[("sec-gpc", "1")]).await;
    visit(
        &w,
        [10, 0, 0, 5],
        "Mozilla/5.0 (compatible; Googlebot/2.1)",
        &offer,
        &[],
    )
    .await;
    visit(&w, [10, 0, 0, 6], "curl/8.5.0", &offer, &[]).await;

    // The answer forms refuse posts that do not come from the site's own pages.
    let no = [("page", "/search"), ("found", "no")];
    assert_eq!(
        answer(&w, [10, 0, 0, 2], IPHONE, &feedback, None, &no)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        answer(
            &w,
            [10, 0, 0, 2],
            IPHONE,
            &feedback,
            Some("cross-site"),
            &no
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = answer(
        &w,
        [10, 0, 0, 2],
        IPHONE,
        &feedback,
        Some("same-origin"),
        &[("page", "https://evil.example/"), ("found", "no")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a page that is not the Local Offer's"
    );
    let (status, page, headers) = answer(
        &w,
        [10, 0, 0, 2],
        IPHONE,
        &feedback,
        Some("same-origin"),
        &no,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get(header::SET_COOKIE).is_none());
    assert!(
        page.contains("What were you looking for?")
            && page.contains("Do not include personal details")
    );
    let reference = page
        .split("name=\"reference\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    // The same answer again from the same browser counts once.
    let (_, again, _) = answer(
        &w,
        [10, 0, 0, 2],
        IPHONE,
        &feedback,
        Some("same-origin"),
        &no,
    )
    .await;
    assert!(again.contains("already answered for this page"));
    // The comment, once; it names a child, so it is flagged.
    let comment = format!("{offer}/feedback/comment");
    let said = "Nothing for my son Alfie, who loves zorbing";
    for _ in 0..2 {
        let (status, page, _) = answer(
            &w,
            [10, 0, 0, 2],
            IPHONE,
            &comment,
            Some("same-origin"),
            &[
                ("reference", &reference),
                ("page", "/search"),
                ("comment", said),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Thank you"));
    }
    // A robot filling the trap field is thanked and not counted.
    answer(
        &w,
        [10, 0, 0, 7],
        FIREFOX,
        &feedback,
        Some("same-origin"),
        &[
            ("page", ""),
            ("found", "yes"),
            ("website", "http://spam.example"),
        ],
    )
    .await;
    // The home page's rating.
    let (status, _, _) = answer(
        &w,
        [10, 0, 0, 1],
        FIREFOX,
        &feedback,
        Some("same-origin"),
        &[("page", ""), ("rated", "yes"), ("rating", "4")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = answer(
        &w,
        [10, 0, 0, 1],
        FIREFOX,
        &feedback,
        Some("same-origin"),
        &[("page", "/services/club"), ("rated", "yes")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rating without a choice"
    );
    // Flooding from one browser is refused.
    let mut last = StatusCode::OK;
    for i in 0..25 {
        let page = format!("/services/flood{i}");
        last = answer(
            &w,
            [10, 0, 0, 8],
            FIREFOX,
            &feedback,
            Some("same-origin"),
            &[("page", &page), ("found", "yes")],
        )
        .await
        .0;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);

    let comments = w.store.list_feedback(w.a.pid, None).await.unwrap();
    assert_eq!(comments.len(), 1);
    let entry = &comments[0];
    assert_eq!(
        entry.comment.as_deref(),
        Some(said),
        "the second sending did not replace it"
    );
    assert_eq!(entry.found, Some(false));
    assert!(!entry.flags.is_empty(), "a child's name is flagged");

    // The officer: the figures count exactly the two visitors.
    let officer = w
        .session_for(
            "officer@example.org",
            Some((w.a.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    let p = format!("/p/{}", w.a.pid);
    let (status, performance) = w
        .get(Some(&officer), &format!("{p}/local-offer/performance"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(performance.contains("google.co.uk"));
    let today = time::OffsetDateTime::now_utc().date();
    let month = sendplan_domain::local_offer::performance::Period::month_of(today);
    let figures = w.store.period_figures(w.a.pid, month).await.unwrap();
    let t = &figures.figures.totals;
    assert_eq!(
        (t.visits, t.visitors, t.page_views, t.bounces),
        (2, 2, 3, 1)
    );
    assert_eq!(
        figures
            .figures
            .visits_on(sendplan_domain::local_offer::analytics::DeviceClass::Mobile),
        1
    );
    assert_eq!(
        (figures.searches, figures.searches_found_nothing),
        (1, 1),
        "the not-tracked search is not kept"
    );
    // 1 "no", 1 rating, and the flood's answers (20 allowed in the hour).
    assert_eq!(
        (
            figures.found_no,
            figures.ratings,
            figures.rated_good_or_better
        ),
        (1, 1, 1)
    );
    let (_, csv) = w
        .get(Some(&officer), &format!("{p}/local-offer/performance.csv"))
        .await;
    assert!(csv.contains("Key figure,Visits,2,"));
    let (_, unmet) = w
        .get(Some(&officer), &format!("{p}/local-offer/unmet-need"))
        .await;
    assert!(unmet.contains("zorbing xylophones") && unmet.contains("5 to 10"));

    // Publishing: refused while the words name the child, or without the confirmation.
    let triage = format!("{p}/local-offer/feedback/{}", entry.id);
    let (status, page) = w.get(Some(&officer), &triage).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("what may be a name"));
    let plan = w.a.plan.to_string();
    let publish =
        |said: &'static str, redacted: &'static str, version: &'static str| -> Vec<(&str, &str)> {
            vec![
                ("themes", "missing"),
                (
                    "response",
                    "We asked the adventure centre to list its sessions",
                ),
                ("plan", plan.as_str()),
                ("said", said),
                ("redacted", redacted),
                ("decision", "publish"),
                ("version", version),
            ]
        };
    let (status, page) = w
        .post(Some(&officer), &triage, &publish(said, "yes", "1"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("still seem to hold what may be a name"));
    let clean = "Nothing for a child who loves zorbing";
    let (status, _) = w
        .post(Some(&officer), &triage, &publish(clean, "", "1"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = w
        .post(Some(&officer), &triage, &publish(clean, "yes", "1"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Sent again from the same page: refused as out of date, nothing published twice.
    let (status, page) = w
        .post(Some(&officer), &triage, &publish(clean, "yes", "1"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Someone else saved a change"));
    let published = w
        .store
        .list_you_said(w.a.pid, w.a.plan, true)
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert_eq!(published[0].said, clean);
    let (_, public) = w.get(None, &format!("{offer}/you-said-we-did")).await;
    assert!(
        public.contains(clean) && public.contains("adventure centre") && !public.contains("Alfie")
    );
    // Withdrawn: off the public pages at once.
    let (status, _) = w
        .post(
            Some(&officer),
            &triage,
            &[
                (
                    "response",
                    "We asked the adventure centre to list its sessions",
                ),
                ("said", clean),
                ("decision", "save"),
                ("version", "2"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, public) = w.get(None, &format!("{offer}/you-said-we-did")).await;
    assert!(!public.contains(clean));
    assert!(w
        .store
        .list_you_said(w.a.pid, w.a.plan, true)
        .await
        .unwrap()
        .is_empty());

    // Comments not published are deleted after the retention period; the answers stay.
    let later = today + time::Duration::days(200);
    assert_eq!(w.store.delete_expired_comments(later).await.unwrap(), 1);
    let kept = w.store.get_feedback(w.a.pid, entry.id).await.unwrap();
    assert!(kept.comment.is_none() && kept.comment_deleted && kept.found == Some(false));
    // Another partnership's officer sees none of it.
    let outsider = w
        .session_for(
            "outsider@example.org",
            Some((w.b.pid, Role::LocalOfferOfficer, None)),
            false,
        )
        .await;
    assert_eq!(
        w.get(
            Some(&outsider),
            &format!("/p/{}/local-offer/feedback/{}", w.b.pid, entry.id)
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
}

/// EHC casework is seen only by members granted it, whatever their role: an administrator
/// without it is refused and told how to get it. A granted member imports a return in the
/// pages (a return with a problem, or for another authority, imports nothing), sees the
/// DfE's measures given back and the overdue list, and each look at case-level data is
/// audited. The plan's measures of the clock reach the public page with no count under 5.
#[tokio::test]
async fn casework_is_seen_only_by_members_granted_it_and_public_figures_hide_small_counts() {
    use sendplan_interchange::dfe_published::{caseload, demand, timeliness};
    use sendplan_interchange::sen2_synthetic::{cases, surrounding_cases, to_xml};
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let admin = w
        .session_for(
            "admin@example.org",
            Some((w.a.pid, Role::Admin, None)),
            false,
        )
        .await;
    let (status, body) = w.get(Some(&admin), &format!("{p}/casework")).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an administrator is not granted it"
    );
    assert!(body.contains("casework access"), "{body}");
    assert!(
        !body.contains("EHC casework</a>"),
        "nor offered it in the menu"
    );
    let worker = w
        .session_for(
            "worker@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let worker_id = w
        .store
        .list_members(w.a.pid)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email == "worker@example.org")
        .unwrap()
        .user_id;
    // The administrator grants it on the member's page, keeping their role.
    let (status, _) = w
        .post(
            Some(&admin),
            &format!("{p}/members/{}", worker_id.0),
            &[("role", "viewer"), ("casework", "granted")],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = w.get(Some(&worker), &format!("{p}/casework")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("No SEN2 return has been imported yet"));

    // Wolverhampton's 2024 return, built to its published figures.
    let row = timeliness("E08000031", 2024).unwrap();
    let mut people = cases(&row.counts, 7).unwrap();
    let requests = demand("E08000031", 2024).authority.0.map(|n| n as u64);
    people.extend(surrounding_cases(
        &row.counts,
        &people,
        requests,
        caseload("E08000031", 2025),
        7,
    ));
    let xml = to_xml(&row.counts.la, 2024, &people);
    let import = format!("{p}/casework/import");
    // For another authority: nothing imported.
    let (status, body, _) = w
        .send(upload_request(
            &worker,
            &import,
            &[],
            "walsall.xml",
            to_xml("335", 2024, &people).as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("is for authority 335"), "{body}");
    // One plan issued before its request: every problem listed, nothing imported.
    let broken = xml.replacen("<ReceivedDate>2", "<ReceivedDate>3", 1);
    let (status, body, _) = w
        .send(upload_request(
            &worker,
            &import,
            &[],
            "broken.xml",
            broken.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("nothing was imported")
            && body.contains("AssessmentOutcomeDate")
            && body.contains("the plan is issued before the request was received"),
        "{body}"
    );
    assert!(w.store.casework_imports(w.a.pid).await.unwrap().is_empty());
    let (status, _, _) = w
        .send(upload_request(
            &worker,
            &import,
            &[],
            "sen2-2025.xml",
            xml.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, body) = w
        .get(Some(&worker), &format!("{p}/casework?year=2024"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let published = row.percentage_excluding.unwrap();
    assert!(
        body.contains(&format!("{published}%")),
        "the DfE's {published}% given back"
    );
    assert!(body.contains("The same."), "and said to be the same");
    assert!(
        body.contains("Within 20 weeks means up to and including day 140"),
        "the settings are said"
    );
    let audited = |w: &World| {
        let store = w.store.clone();
        let pid = w.a.pid;
        async move {
            store
                .list_audit(pid, None, 1000)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.entity == "casework_view")
                .count()
        }
    };
    assert_eq!(audited(&w).await, 0, "totals are not case-level");
    let (status, body) = w.get(Some(&worker), &format!("{p}/casework/overdue")).await;
    assert_eq!(status, StatusCode::OK);
    let case = body
        .split(&format!("href=\"{p}/casework/cases/"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("an overdue case")
        .replace("&amp;", "&");
    let (status, body) = w
        .get(Some(&worker), &format!("{p}/casework/cases/{case}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Overdue"));
    assert_eq!(audited(&w).await, 2, "the list and the case");
    // A viewer of the plans who is not granted it sees none of this.
    let viewer = w
        .session_for(
            "viewer2@example.org",
            Some((w.a.pid, Role::PlanManager, None)),
            false,
        )
        .await;
    for path in [
        "/casework",
        "/casework/overdue",
        &format!("/casework/cases/{case}"),
    ] {
        assert_eq!(
            w.get(Some(&viewer), &format!("{p}{path}")).await.0,
            StatusCode::FORBIDDEN
        );
    }

    // The plan's measures, published: no count of 1 to 4 reaches the public page.
    let (status, _) = w
        .post(
            Some(&viewer),
            &format!("{p}/plans/{}/measures/casework", w.a.plan),
            &[
                ("what", "casework_20_weeks_excluding"),
                ("what", "casework_open_over_20_weeks"),
                ("what", "casework_review_decisions_4_weeks"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let measures: Vec<String> = w
        .store
        .casework_measures(w.a.pid)
        .await
        .unwrap()
        .iter()
        .map(|(_, id, _)| id.0.to_string())
        .collect();
    let mut fields = vec![
        ("version", "0"),
        ("published", "yes"),
        ("summary", "We are making assessments quicker."),
        (
            &*Box::leak(format!("easy-{}", w.a.area).into_boxed_str()),
            "We want you to wait less.",
        ),
    ];
    for id in &measures {
        fields.push(("measures", id.as_str()));
    }
    let (status, _) = w
        .post(
            Some(&viewer),
            &format!("{p}/plans/{}/publish", w.a.plan),
            &fields,
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let public = format!("{}/plans/{}", public_base(&w, w.a.pid).await, w.a.plan);
    let (status, page) = w.get(None, &public).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("New EHC plans issued within 20 weeks, excluding exceptions (from casework)")
    );
    // Every figure recorded, and so every figure the public page and board papers can
    // show, rests on counts of 0 or at least 5.
    let mut shown = 0;
    for (_, id, what) in w.store.casework_measures(w.a.pid).await.unwrap() {
        for point in w.store.list_data_points(w.a.pid, id, false).await.unwrap() {
            shown += 1;
            if what
                == sendplan_domain::casework::plan_measures::CaseworkMeasure::OpenOverTwentyWeeks
            {
                assert!(point.value == 0.0 || point.value >= 5.0, "{point:?}");
                continue;
            }
            let (within, of) = point.note.split_once(" of ").unwrap();
            let within: u64 = within.parse().unwrap();
            let of: u64 = of.split(' ').next().unwrap().parse().unwrap();
            for n in [within, of, of - within] {
                assert!(n == 0 || n >= 5, "{what:?} {point:?}");
            }
            if point.period.label == "2024-12" && what.code() == "casework_20_weeks_excluding" {
                assert!(
                    page.contains(&format!("{}%", point.value)),
                    "December's value is public"
                );
            }
        }
    }
    assert!(shown >= 20, "the months are recorded ({shown})");
}

/// A case-system extract (CSV) brings what SEN2 cannot: the caseload by team and
/// caseworker, and exceptions as dated periods with their reasons. Its names are not kept.
/// A row with a problem imports nothing and is named by row and column.
#[tokio::test]
async fn a_case_system_extract_brings_caseload_and_dated_exceptions() {
    let w = world().await;
    let p = format!("/p/{}", w.a.pid);
    let worker = w
        .session_for(
            "worker@example.org",
            Some((w.a.pid, Role::Viewer, None)),
            false,
        )
        .await;
    let id = w
        .store
        .list_members(w.a.pid)
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.email == "worker@example.org")
        .unwrap()
        .user_id;
    w.store
        .set_casework_access(Actor(None), w.a.pid, id, true)
        .await
        .unwrap();
    let extract = "Case Reference,Forename,Surname,Caseworker,Team,Request received,Decision,Decision date,Assessment outcome,Plan issued,Exceptions\n\
EH1001,Alfie,Smithson,Jo Bloggs,Assessment team,08/01/2024,Y,12/02/2024,Y,30/07/2024,personal_circumstances 01/03/2024 15/04/2024\n\
EH1002,Bea,Jones,Jo Bloggs,Assessment team,01/06/2024,Y,10/07/2024,,,\n\
EH1003,Cal,Smith,Sam Patel,Assessment team,20/11/2024,,,,,\n";
    let import = format!("{p}/casework/import");
    // Made at the end of November: it stands for 2024 until the next extract or return.
    let fields = [
        ("as_at-day", "30"),
        ("as_at-month", "11"),
        ("as_at-year", "2024"),
    ];
    let broken = extract.replace("30/07/2024", "30/07/2023");
    let (status, body, _) = w
        .send(upload_request(
            &worker,
            &import,
            &fields,
            "extract.csv",
            broken.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("assessment_outcome_date") && body.contains(">2<"),
        "row 2 named"
    );
    assert!(w.store.casework_imports(w.a.pid).await.unwrap().is_empty());
    let (status, _, headers) = w
        .send(upload_request(
            &worker,
            &import,
            &fields,
            "extract.csv",
            extract.as_bytes(),
        ))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers.get(header::LOCATION).unwrap().to_str().unwrap();
    assert!(to.ends_with("?year=2024"), "{to}");
    let (status, body) = w
        .get(Some(&worker), &format!("{p}/casework?year=2024"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("a case-system extract"));
    assert!(body.contains("Caseload on 30 November 2024"));
    assert!(
        body.contains("Assessment team: Jo Bloggs") && body.contains("Assessment team: Sam Patel")
    );
    let (status, body) = w
        .get(
            Some(&worker),
            &format!("{p}/casework/cases/EH1001?year=2024"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Exceptional personal circumstances of the child or family, 1 March 2024 to 15 April 2024"), "{body}");
    assert!(body.contains("Jo Bloggs"));
    let everything = format!(
        "{:?}",
        w.store.casework_records(w.a.pid, 2025).await.unwrap()
    );
    for name in ["Alfie", "Smithson", "Bea", "Jones"] {
        assert!(!everything.contains(name), "{name} was kept");
    }
}
