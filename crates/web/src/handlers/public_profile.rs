//! The partnership's public pages as its own: the form where its colour, logo, contact
//! details and Local Offer and feedback links are set, and the stylesheet and logo its
//! public pages load (served from this site, so the pages' strict CSP still holds).

use super::{refused, saved};
use crate::auth::Ctx;
use crate::errors::{AppError, AppResult};
use crate::forms::{Choice, Field};
use crate::pages::FormPage;
use crate::upload::{Upload, Uploaded};
use crate::views::Chrome;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use sendplan_domain::access::Capability;
use sendplan_domain::public_profile::{
    parse_hex_colour, PublicProfile, PublicProfileInput, LOGO_MAX_BYTES, MIN_CONTRAST,
};
use sendplan_storage::StoreError;

fn profile_page(ctx: &Ctx, profile: &PublicProfile) -> FormPage {
    let mut fields = vec![
        Field::text("colour", "Header colour (optional)")
            .hint(&format!("Your organisation's colour for the top of the public pages, as a hex code like #1d70b8. It must be dark enough for white text on it to be readable (a contrast of at least {MIN_CONTRAST} to 1). Leave blank for GOV.UK black."))
            .value(&profile.colour),
        Field::file("file", "Logo (optional)", ".png,.jpg,.jpeg,image/png,image/jpeg").hint(&format!(
            "A PNG or JPEG smaller than {} KB, shown beside your name at the top of the public pages.{}",
            LOGO_MAX_BYTES / 1024,
            if profile.logo_type.is_empty() { "" } else { " Choosing a file replaces the logo you have." }
        )),
    ];
    if !profile.logo_type.is_empty() {
        fields.push(Field::checkboxes(
            "remove_logo",
            "Your logo",
            vec![Choice::new("yes", "Remove the logo")],
        ));
    }
    fields.extend([
        Field::text("website", "Website (optional)")
            .hint("Your SEND pages, starting https://")
            .value(&profile.website),
        Field::text("contact_email", "Email address for families (optional)")
            .value(&profile.contact_email),
        Field::text("contact_phone", "Phone number for families (optional)")
            .value(&profile.contact_phone),
        Field::textarea("contact_text", "Address or opening hours (optional)")
            .value(&profile.contact_text),
        Field::text("local_offer_url", "Your Local Offer's address (optional)")
            .hint("Families looking for services are sent here, starting https://")
            .value(&profile.local_offer_url),
        Field::text("feedback_url", "Where families give feedback (optional)")
            .hint("A form or page for comments on the plan or your services, starting https://")
            .value(&profile.feedback_url),
        Field::hidden("version", profile.version),
    ]);
    let mut page = FormPage::new(
        Chrome::for_ctx(ctx, "Public pages: your look and contact details", "overview"),
        "Public pages: your look and contact details",
        format!("{}/public-profile", ctx.base()),
        fields,
    )
    .caption(ctx.partnership.name.clone())
    .intro("Families see your name, logo and colour at the top of every page you publish, and how to contact you, your Local Offer and where to give feedback at the foot of each.")
    .cancel(ctx.base());
    page.multipart = true;
    page
}

pub async fn edit_public_profile(State(state): State<AppState>, ctx: Ctx) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let profile = state.store.get_public_profile(ctx.pid()).await?;
    crate::pages::html(&profile_page(&ctx, &profile))
}

pub async fn save_public_profile(
    State(state): State<AppState>,
    ctx: Ctx,
    upload: Upload,
) -> AppResult {
    ctx.require(Capability::ManagePartnership)?;
    let profile = state.store.get_public_profile(ctx.pid()).await?;
    let page = profile_page(&ctx, &profile);
    let Uploaded { form, file } = upload.read().await?;
    let input = match PublicProfileInput::parse(&form, file.as_ref().map(|(_, b)| b.as_slice())) {
        Ok(input) => input,
        Err(errors) => return page.with_errors(&form, errors),
    };
    match state
        .store
        .save_public_profile(ctx.actor(), ctx.pid(), &input)
        .await
    {
        Ok(()) => Ok(saved(
            &state,
            &ctx.base(),
            "Public pages' look and contact details saved",
        )),
        Err(StoreError::Conflict) => {
            let current = state.store.get_public_profile(ctx.pid()).await?;
            page.with_conflict(&form, current.version, &ctx.base())
        }
        Err(error) => refused(page, &form, error),
    }
}

/// The public pages' own colours: the header in the partnership's colour. Only a colour
/// the form checked is written, and it is checked again here.
pub async fn brand_stylesheet(State(state): State<AppState>, Path(key): Path<String>) -> AppResult {
    let (partnership, _, _) = super::publication::named_partnership(&state, &key).await?;
    let profile = state.store.get_public_profile(partnership).await?;
    let colour = profile.header_colour();
    let css = match parse_hex_colour(colour) {
        Some((r, g, b)) => format!(
            ".app-brand-header {{ background-color: #{r:02x}{g:02x}{b:02x}; }}\n.app-brand-header .govuk-header__container {{ border-bottom-color: #{r:02x}{g:02x}{b:02x}; }}\n"
        ),
        None => String::new(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, no-cache"),
        ],
        css,
    )
        .into_response())
}

/// The partnership's logo, as uploaded.
pub async fn logo(State(state): State<AppState>, Path(key): Path<String>) -> AppResult {
    let (partnership, _, _) = super::publication::named_partnership(&state, &key).await?;
    let logo = state
        .store
        .get_public_logo(partnership)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, logo.content_type),
            (header::CACHE_CONTROL, "public, no-cache".to_owned()),
        ],
        logo.bytes,
    )
        .into_response())
}
