//! Route table and the helpers every handler shares.

mod accounts;
mod actions;
mod admin;
mod audit;
mod casework;
mod corrections;
mod governance;
mod history;
mod imports;
mod inspections;
mod lifecycle;
mod local_offer;
mod local_offer_changes;
mod local_offer_feedback;
mod local_offer_import;
mod local_offer_performance;
mod local_offer_review;
mod measure_files;
mod measures;
mod members;
mod oruk_api;
mod partnerships;
mod people;
mod plans;
mod progress;
mod public_profile;
mod publication;
mod reminders;
mod reports;
mod session;
mod structure;
mod surveys;

use crate::auth::FLASH_COOKIE;
use crate::errors::AppResult;
use crate::middleware::set_cookie;
use crate::pages::FormPage;
use crate::AppState;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use sendplan_domain::input::{FieldErrors, RawForm};
use sendplan_storage::StoreError;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/health", get(session::health))
        .route(
            "/sign-in",
            get(session::show_sign_in).post(session::sign_in),
        )
        .route("/sign-out", post(session::sign_out))
        .route("/sign-in/sso", get(session::start_single_sign_on))
        .route("/sign-in/sso/callback", get(session::finish_single_sign_on))
        .route(
            "/forgot-password",
            get(session::show_forgot_password).post(session::request_password_reset),
        )
        .route(
            "/reset-password/{token}",
            get(session::show_reset_password).post(session::reset_password),
        )
        .route(
            "/invitations/{token}",
            get(accounts::show_invitation).post(accounts::accept_invitation),
        )
        .route("/account", get(accounts::show_account))
        .route(
            "/account/password",
            get(accounts::edit_password).post(accounts::change_password),
        )
        .route("/account/sessions", get(accounts::list_sessions))
        .route("/account/sessions/end", post(accounts::end_sessions))
        .route("/admin/accounts", get(admin::list_accounts))
        .route("/admin/accounts/{id}", get(admin::show_account))
        .route("/admin/accounts/{id}/access", post(admin::change_access))
        .route("/admin/accounts/{id}/reset", post(admin::reset_password))
        .route("/", get(partnerships::list_partnerships))
        .route(
            "/partnerships/new",
            get(partnerships::new_partnership).post(partnerships::create_partnership),
        )
        .route("/p/{pid}", get(partnerships::show_partnership))
        .route(
            "/p/{pid}/edit",
            get(partnerships::edit_partnership).post(partnerships::update_partnership),
        )
        .route(
            "/p/{pid}/provide",
            get(local_offer_changes::provider_services),
        )
        .route(
            "/p/{pid}/provide/services/{key}",
            get(local_offer_changes::edit_own_service).post(local_offer_changes::save_own_service),
        )
        .route(
            "/p/{pid}/local-offer",
            get(local_offer_changes::officer_page),
        )
        .route(
            "/p/{pid}/plans/{id}/measures/local-offer",
            get(local_offer_changes::new_local_offer_measures)
                .post(local_offer_changes::add_local_offer_measures),
        )
        .route(
            "/p/{pid}/plans/{id}/measures/casework",
            get(casework::new_plan_measures).post(casework::add_plan_measures),
        )
        .route("/p/{pid}/casework", get(casework::casework))
        .route("/p/{pid}/casework/overdue", get(casework::overdue_list))
        .route("/p/{pid}/casework/cases/{key}", get(casework::case))
        .route(
            "/p/{pid}/casework/find",
            get(casework::find).post(casework::find_case),
        )
        .route(
            "/p/{pid}/casework/import",
            get(casework::new_import).post(casework::import),
        )
        .route(
            "/p/{pid}/local-offer/performance",
            get(local_offer_performance::performance),
        )
        .route(
            "/p/{pid}/local-offer/performance.csv",
            get(local_offer_performance::performance_csv),
        )
        .route(
            "/p/{pid}/local-offer/unmet-need",
            get(local_offer_performance::unmet_need),
        )
        .route(
            "/p/{pid}/local-offer/feedback",
            get(local_offer_feedback::list_feedback),
        )
        .route(
            "/p/{pid}/local-offer/feedback/retention",
            get(local_offer_feedback::show_retention).post(local_offer_feedback::save_retention),
        )
        .route(
            "/p/{pid}/local-offer/feedback/{id}",
            get(local_offer_feedback::show_feedback).post(local_offer_feedback::triage_feedback),
        )
        .route(
            "/p/{pid}/local-offer/problems/{id}/dealt",
            post(local_offer_changes::problem_dealt_with),
        )
        .route(
            "/p/{pid}/local-offer/import",
            get(local_offer_import::new_import).post(local_offer_import::check_import),
        )
        .route(
            "/p/{pid}/local-offer/import/{id}",
            post(local_offer_import::run_import),
        )
        .route(
            "/p/{pid}/local-offer/review",
            get(local_offer_review::show_programme).post(local_offer_review::save_programme),
        )
        .route(
            "/local-offer-review/{token}",
            get(local_offer_review::show_review).post(local_offer_review::confirm_review),
        )
        .route(
            "/p/{pid}/local-offer/changes/{id}",
            get(local_offer_changes::show_change),
        )
        .route(
            "/p/{pid}/local-offer/changes/{id}/approve",
            post(local_offer_changes::approve_change),
        )
        .route(
            "/p/{pid}/local-offer/changes/{id}/return",
            get(local_offer_changes::confirm_return_change)
                .post(local_offer_changes::return_change),
        )
        .route(
            "/p/{pid}/local-offer/services/{key}",
            get(local_offer_changes::show_service),
        )
        .route(
            "/p/{pid}/local-offer/services/{key}/edit",
            get(local_offer_changes::edit_service).post(local_offer_changes::save_service),
        )
        .route(
            "/p/{pid}/local-offer/services/{key}/versions/{version}/restore",
            post(local_offer_changes::restore_version),
        )
        .route("/p/{pid}/members", get(members::list_members))
        .route(
            "/p/{pid}/members/{id}",
            get(members::edit_member).post(members::update_member),
        )
        .route(
            "/p/{pid}/members/{id}/remove",
            get(members::confirm_remove_member).post(members::remove_member),
        )
        .route(
            "/p/{pid}/invitations/new",
            get(members::new_invitation).post(members::create_invitation),
        )
        .route(
            "/p/{pid}/invitations/{id}/resend",
            post(members::resend_invitation),
        )
        .route(
            "/p/{pid}/invitations/{id}/withdraw",
            post(members::withdraw_invitation),
        )
        .route(
            "/p/{pid}/sign-in",
            get(members::edit_sign_in).post(members::save_sign_in),
        )
        .route("/p/{pid}/audit", get(audit::show_audit_log))
        .route("/p/{pid}/people", get(people::list_people))
        .route(
            "/p/{pid}/people/new",
            get(people::new_person).post(people::create_person),
        )
        .route(
            "/p/{pid}/people/{id}/edit",
            get(people::edit_person).post(people::update_person),
        )
        .route(
            "/p/{pid}/people/{id}/split",
            get(people::show_split_person).post(people::split_person),
        )
        .route(
            "/p/{pid}/people/{id}/merge",
            get(people::show_merge_person).post(people::merge_person),
        )
        .route("/p/{pid}/organisations", get(people::list_organisations))
        .route(
            "/p/{pid}/organisations/new",
            get(people::new_organisation).post(people::create_organisation),
        )
        .route(
            "/p/{pid}/organisations/{id}/edit",
            get(people::edit_organisation).post(people::update_organisation),
        )
        .route("/p/{pid}/inspections", get(inspections::list_inspections))
        .route(
            "/p/{pid}/inspections/new",
            get(inspections::new_inspection).post(inspections::create_inspection),
        )
        .route(
            "/p/{pid}/inspections/{id}",
            get(inspections::show_inspection),
        )
        .route(
            "/p/{pid}/inspections/{id}/edit",
            get(inspections::edit_inspection).post(inspections::update_inspection),
        )
        .route(
            "/p/{pid}/inspections/{id}/findings/new",
            get(inspections::new_finding).post(inspections::create_finding),
        )
        .route(
            "/p/{pid}/inspections/{id}/revisits/new",
            get(inspections::new_revisit).post(inspections::create_revisit),
        )
        .route(
            "/p/{pid}/findings/{id}/edit",
            get(inspections::edit_finding).post(inspections::update_finding),
        )
        .route(
            "/p/{pid}/plans/new",
            get(plans::new_plan).post(plans::create_plan),
        )
        .route("/p/{pid}/plans/{id}", get(plans::show_plan))
        .route(
            "/p/{pid}/plans/{id}/edit",
            get(plans::edit_plan).post(plans::update_plan),
        )
        .route("/p/{pid}/plans/{id}/ratings", get(plans::list_ratings))
        .route(
            "/p/{pid}/plans/{id}/ratings/new",
            get(plans::new_rating).post(plans::create_rating),
        )
        .route(
            "/p/{pid}/ratings/{id}/edit",
            get(plans::edit_rating).post(plans::update_rating),
        )
        .route(
            "/p/{pid}/plans/{id}/areas/new",
            get(structure::new_area).post(structure::create_area),
        )
        .route(
            "/p/{pid}/areas/{id}/edit",
            get(structure::edit_area).post(structure::update_area),
        )
        .route(
            "/p/{pid}/areas/{id}/progress/new",
            get(progress::new_area_progress).post(progress::create_area_progress),
        )
        .route(
            "/p/{pid}/areas/{id}/objectives/new",
            get(structure::new_objective).post(structure::create_objective),
        )
        .route(
            "/p/{pid}/objectives/{id}/edit",
            get(structure::edit_objective).post(structure::update_objective),
        )
        .route(
            "/p/{pid}/areas/{id}/actions/new",
            get(actions::new_action).post(actions::create_action),
        )
        .route("/p/{pid}/actions/{id}", get(actions::show_action))
        .route(
            "/p/{pid}/actions/{id}/edit",
            get(actions::edit_action).post(actions::update_action),
        )
        .route(
            "/p/{pid}/actions/{id}/updates/new",
            get(actions::new_update).post(actions::submit_action_update),
        )
        .route(
            "/p/{pid}/actions/{id}/milestones/new",
            get(actions::new_milestone).post(actions::create_milestone),
        )
        .route(
            "/p/{pid}/milestones/{id}/edit",
            get(actions::edit_milestone).post(actions::update_milestone),
        )
        .route("/p/{pid}/my-actions", get(actions::list_my_actions))
        .route("/p/{pid}/plans/{id}/measures", get(measures::list_measures))
        .route(
            "/p/{pid}/plans/{id}/dashboard",
            get(measures::show_dashboard),
        )
        .route(
            "/p/{pid}/plans/{id}/measures/new",
            get(measures::new_measure).post(measures::create_measure),
        )
        .route("/p/{pid}/measures/{id}", get(measures::show_measure))
        .route(
            "/p/{pid}/measures/{id}/edit",
            get(measures::edit_measure).post(measures::update_measure),
        )
        .route(
            "/p/{pid}/measures/{id}/export",
            get(measures::export_measure),
        )
        .route(
            "/p/{pid}/measures/{id}/values/new",
            get(measures::new_value).post(measures::record_value),
        )
        .route(
            "/p/{pid}/measures/{id}/values/import",
            get(measure_files::new_values_import).post(measure_files::import_values),
        )
        .route(
            "/p/{pid}/plans/{plan}/cycle/{id}/remove",
            get(governance::confirm_remove_line).post(governance::remove_line),
        )
        .route(
            "/p/{pid}/plans/{plan}/meetings/{id}/edit",
            get(governance::edit_meeting).post(governance::update_meeting),
        )
        .route(
            "/p/{pid}/meeting-actions/{id}/add",
            get(governance::add_action_arising),
        )
        .route("/public/{key}", get(publication::public_index))
        .route("/local-offer/{key}", get(local_offer::home))
        .route("/local-offer/{key}/search", get(local_offer::search))
        .route("/local-offer/{key}/shortlist", get(local_offer::shortlist))
        .route(
            "/local-offer/{key}/categories/{term}",
            get(local_offer::category),
        )
        .route(
            "/local-offer/{key}/services/{service}",
            get(local_offer::service),
        )
        .route(
            "/local-offer/{key}/feedback",
            post(local_offer_feedback::give_feedback),
        )
        .route(
            "/local-offer/{key}/feedback/comment",
            post(local_offer_feedback::add_comment),
        )
        .route(
            "/local-offer/{key}/you-said-we-did",
            get(local_offer_feedback::you_said_page),
        )
        .route(
            "/local-offer/{key}/privacy",
            get(local_offer_feedback::privacy),
        )
        .route(
            "/local-offer/{key}/services/{service}/problem",
            get(local_offer::problem_form).post(local_offer::report_problem),
        )
        .route(
            "/api/oruk/{key}",
            get(oruk_api::root).options(oruk_api::preflight),
        )
        .route(
            "/api/oruk/{key}/",
            get(oruk_api::root).options(oruk_api::preflight),
        )
        .route(
            "/api/oruk/{key}/{*rest}",
            get(oruk_api::path).options(oruk_api::preflight),
        )
        .route(
            "/public/{key}/brand.css",
            get(public_profile::brand_stylesheet),
        )
        .route("/public/{key}/logo", get(public_profile::logo))
        .route(
            "/p/{pid}/public-profile",
            get(public_profile::edit_public_profile).post(public_profile::save_public_profile),
        )
        .route("/public/{key}/plans/{id}", get(publication::public_plan))
        .route(
            "/public/{key}/reports/{id}",
            get(publication::public_report),
        )
        .route(
            "/p/{pid}/reports/{id}/correct",
            get(reports::new_correction).post(reports::issue_correction),
        )
        .route(
            "/p/{pid}/reports/{id}/publish",
            get(reports::edit_report_publication).post(reports::save_report_publication),
        )
        .route(
            "/p/{pid}/plans/{id}/publish",
            get(publication::edit_publication).post(publication::save_publication),
        )
        .route(
            "/p/{pid}/plans/{id}/you-said",
            get(publication::list_you_said),
        )
        .route(
            "/p/{pid}/plans/{id}/reminders",
            get(reminders::list_reminders),
        )
        .route(
            "/p/{pid}/plans/{id}/reminders/settings",
            get(reminders::edit_settings).post(reminders::save_settings),
        )
        .route(
            "/p/{pid}/you-said/{id}/edit",
            get(publication::edit_you_said).post(publication::update_you_said),
        )
        .route(
            "/p/{pid}/you-said/{id}/publication",
            post(publication::set_you_said_published),
        )
        .route(
            "/p/{pid}/plans/{id}/you-said/new",
            get(publication::new_you_said).post(publication::create_you_said),
        )
        .route(
            "/p/{pid}/plans/{id}/meetings",
            get(governance::list_meetings),
        )
        .route(
            "/p/{pid}/plans/{id}/meetings/new",
            get(governance::new_meeting).post(governance::create_meeting),
        )
        .route("/p/{pid}/boards", get(governance::list_boards))
        .route(
            "/p/{pid}/boards/new",
            get(governance::new_board).post(governance::create_board),
        )
        .route(
            "/p/{pid}/boards/{id}/edit",
            get(governance::edit_board).post(governance::update_board),
        )
        .route(
            "/p/{pid}/plans/{id}/cycle/new",
            get(governance::new_line).post(governance::create_line),
        )
        .route(
            "/p/{pid}/plans/{id}/reports",
            get(reports::show_reports).post(reports::produce_report),
        )
        .route(
            "/p/{pid}/plans/{id}/reports/view",
            get(reports::view_report),
        )
        .route("/p/{pid}/reports/{id}", get(reports::show_issued_report))
        .route(
            "/p/{pid}/reports/{id}/document",
            get(reports::issued_document),
        )
        .route("/p/{pid}/plans/{id}/surveys", get(surveys::list_surveys))
        .route(
            "/p/{pid}/plans/{id}/surveys/new",
            get(surveys::new_survey).post(surveys::create_survey),
        )
        .route("/p/{pid}/surveys/{id}", get(surveys::show_survey))
        .route(
            "/p/{pid}/surveys/{id}/edit",
            get(surveys::edit_survey).post(surveys::update_survey),
        )
        .route(
            "/p/{pid}/surveys/{id}/questions/{number}/measure",
            get(surveys::new_feed).post(surveys::feed_measure),
        )
        .route(
            "/p/{pid}/measures/{id}/targets/import",
            get(measure_files::new_targets_import).post(measure_files::import_targets),
        )
        .route(
            "/p/{pid}/measures/{id}/targets/export",
            get(measure_files::export_targets),
        )
        .route(
            "/p/{pid}/measures/{id}/comparators/new",
            get(measure_files::new_comparators).post(measure_files::add_comparators),
        )
        .route(
            "/p/{pid}/imports/new",
            get(imports::new_import).post(imports::upload_import),
        )
        .route(
            "/p/{pid}/imports/{id}",
            get(imports::show_import).post(imports::check_import),
        )
        .route("/p/{pid}/plans/{id}/export", get(imports::export_plan))
        .route(
            "/p/{pid}/delete/{kind}/{id}",
            get(lifecycle::confirm_delete).post(lifecycle::delete_record),
        )
        .route("/p/{pid}/deleted", get(lifecycle::list_deleted))
        .route("/p/{pid}/timeline", get(history::show_timeline))
        .route(
            "/p/{pid}/interventions/new",
            get(history::new_intervention).post(history::create_intervention),
        )
        .route(
            "/p/{pid}/interventions/{id}/edit",
            get(history::edit_intervention).post(history::update_intervention),
        )
        .route(
            "/p/{pid}/plans/{id}/approval",
            get(history::edit_approval).post(history::save_approval),
        )
        .route(
            "/p/{pid}/plans/{plan}/cycle/{id}/change",
            get(history::edit_cadence).post(history::change_cadence),
        )
        .route(
            "/p/{pid}/deleted/{id}/restore",
            post(lifecycle::restore_deleted),
        )
        .route(
            "/p/{pid}/plans/{id}/archive",
            get(lifecycle::confirm_archive).post(lifecycle::archive_plan),
        )
        .route(
            "/p/{pid}/plans/{id}/unarchive",
            post(lifecycle::unarchive_plan),
        )
        .route(
            "/p/{pid}/updates/{id}/correct",
            get(corrections::new_correction).post(corrections::correct_update),
        )
        .route(
            "/p/{pid}/updates/{id}/withdraw",
            get(corrections::confirm_withdrawal).post(corrections::withdraw_update),
        )
        .route(
            "/p/{pid}/milestones/{id}/done",
            get(corrections::new_milestone_done).post(corrections::mark_milestone_done),
        )
        .route("/template.xlsx", get(imports::download_template))
}

/// How a route's posts are read, decided by the route (its pattern in the table above),
/// never by the shape of the address. The session middleware applies it before any of the
/// body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyPolicy {
    /// The largest body taken, in bytes.
    pub limit: usize,
    /// The form sends a file (multipart), read by the handler with [`crate::upload::Upload`]
    /// after it has checked the person's rights.
    pub files: bool,
    /// The form is sent before signing in (it carries the sign-in cookie's CSRF token).
    pub before_sign_in: bool,
    /// The form is on every public Local Offer page, which sets no cookie: it is guarded
    /// against other sites by the browser's `Sec-Fetch-Site` and `Origin` headers instead
    /// of a token (see [`crate::middleware`]).
    pub same_origin_only: bool,
}

/// The routes whose forms send a file.
const UPLOAD_ROUTES: [&str; 8] = [
    "/p/{pid}/public-profile",
    "/p/{pid}/casework/import",
    "/p/{pid}/local-offer/import",
    "/p/{pid}/imports/new",
    "/p/{pid}/measures/{id}/values/import",
    "/p/{pid}/measures/{id}/targets/import",
    "/p/{pid}/measures/{id}/comparators/new",
    "/p/{pid}/plans/{id}/surveys/new",
];

/// The routes whose forms are sent by people not signed in.
const BEFORE_SIGN_IN_ROUTES: [&str; 6] = [
    "/sign-in",
    "/forgot-password",
    "/reset-password/{token}",
    "/invitations/{token}",
    "/local-offer-review/{token}",
    "/local-offer/{key}/services/{service}/problem",
];

/// The public Local Offer's feedback forms: on every page, so they must work without the
/// cookie a token would need (the Local Offer stores nothing on the visitor's device).
const SAME_ORIGIN_ROUTES: [&str; 2] = [
    "/local-offer/{key}/feedback",
    "/local-offer/{key}/feedback/comment",
];

/// Forms sent before signing in hold an email address and a password or two.
const BEFORE_SIGN_IN_BYTES: usize = 16 * 1024;

/// How posts to `route` (a pattern from [`routes`]) are read.
pub fn body_policy(route: &str) -> BodyPolicy {
    if UPLOAD_ROUTES.contains(&route) {
        BodyPolicy {
            // An authority's SEN2 return runs to tens of megabytes; every other upload
            // is a spreadsheet or a document.
            limit: if route == "/p/{pid}/casework/import" {
                crate::MAX_CASEWORK_UPLOAD_BYTES
            } else {
                crate::MAX_UPLOAD_BYTES
            },
            files: true,
            before_sign_in: false,
            same_origin_only: false,
        }
    } else if BEFORE_SIGN_IN_ROUTES.contains(&route) || SAME_ORIGIN_ROUTES.contains(&route) {
        BodyPolicy {
            limit: BEFORE_SIGN_IN_BYTES,
            files: false,
            before_sign_in: true,
            same_origin_only: SAME_ORIGIN_ROUTES.contains(&route),
        }
    } else {
        BodyPolicy {
            limit: crate::MAX_BODY_BYTES,
            files: false,
            before_sign_in: false,
            same_origin_only: false,
        }
    }
}

/// Post/Redirect/Get: after a successful change, go to `to` and show `message` once.
pub fn saved(state: &AppState, to: &str, message: &str) -> Response {
    redirect_with(
        state,
        to,
        &crate::auth::Flash {
            text: message.to_owned(),
            important: false,
        },
    )
}

/// A redirect to `to` that shows `flash` once there.
pub fn redirect_with(state: &AppState, to: &str, flash: &crate::auth::Flash) -> Response {
    let cookie = set_cookie(
        FLASH_COOKIE,
        &flash.to_cookie(),
        60,
        state.config.secure_cookies,
    );
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, to.to_owned())],
        [(header::SET_COOKIE, cookie)],
    )
        .into_response()
}

/// A submitted form as name/value pairs.
pub type FormPairs = axum::Form<Vec<(String, String)>>;

/// What a form post turns into when storage refuses it: rules and duplicates are shown
/// on the form (422) with everything typed kept; anything else is an error page.
pub fn refused(page: FormPage, form: &RawForm, error: StoreError) -> AppResult {
    match error {
        StoreError::Duplicate(message) | StoreError::Rule(message) => {
            // The field sent a choice the page did not offer, if one did (storage refuses
            // a person or finding of another partnership); else the first field.
            let anchor = page
                .fields
                .iter()
                .find(|f| !f.offers(&form.all(&f.name)))
                .or_else(|| page.fields.iter().find(|f| f.component() != "hidden"))
                .map(|f| f.anchor())
                .unwrap_or_default();
            page.with_errors(form, FieldErrors::single(anchor, message))
        }
        other => Err(other.into()),
    }
}

/// The version an edit form was loaded with (0 if missing, which can never match).
pub fn version_of(form: &RawForm) -> i64 {
    form.get("version").parse().unwrap_or(0)
}
