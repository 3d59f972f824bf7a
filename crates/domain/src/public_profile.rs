//! How a partnership's public pages present it: as its own, not as sendplan. Families
//! expect their council's name, logo and colours, how to contact the SEND team, a link to
//! the Local Offer and a way to give feedback. The colour is checked against GOV.UK's
//! contrast rule (white text on it at 4.5:1 or more, WCAG 2.2 AA), and the logo is a PNG
//! or JPEG small enough for a phone.

use crate::input::{parse_email, FieldErrors, FormReader, RawForm};
use serde::{Deserialize, Serialize};

/// The largest logo taken: a header logo is a few kilobytes; 200 KB is generous.
pub const LOGO_MAX_BYTES: usize = 200 * 1024;
/// WCAG 2.2 AA for normal text: the header's white text on the partnership's colour.
pub const MIN_CONTRAST: f64 = 4.5;
/// The GOV.UK header's own colour, used when the partnership sets none.
pub const DEFAULT_COLOUR: &str = "#0b0c0c";

/// A partnership's public presentation. Every field may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicProfile {
    /// The header's colour, "#rrggbb", or empty for GOV.UK's black.
    pub colour: String,
    pub website: String,
    pub contact_email: String,
    pub contact_phone: String,
    /// Postal address or opening hours: free text, several lines.
    pub contact_text: String,
    pub local_offer_url: String,
    pub feedback_url: String,
    /// "image/png" or "image/jpeg" when a logo is kept; empty without one.
    pub logo_type: String,
    pub version: i64,
}

impl PublicProfile {
    /// The header's colour: the partnership's, or GOV.UK's black.
    pub fn header_colour(&self) -> &str {
        if self.colour.is_empty() {
            DEFAULT_COLOUR
        } else {
            &self.colour
        }
    }

    /// Whether families are given any way to reach the partnership.
    pub fn has_contact(&self) -> bool {
        !(self.website.is_empty()
            && self.contact_email.is_empty()
            && self.contact_phone.is_empty()
            && self.contact_text.is_empty())
    }
}

/// The form's answers: the profile's text fields, and what to do with the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicProfileInput {
    pub profile: PublicProfile,
    pub logo: LogoChange,
}

/// What the form does to the logo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoChange {
    Keep,
    Remove,
    /// A new logo: its bytes and type.
    Replace(Vec<u8>, &'static str),
}

impl PublicProfileInput {
    /// Reads the form and the chosen logo file (if any, sent as the form's `file`),
    /// checking every field.
    pub fn parse(form: &RawForm, logo: Option<&[u8]>) -> Result<Self, FieldErrors> {
        let mut f = FormReader::new(form);
        let colour = f.optional("colour", "the colour", 7).to_lowercase();
        if !colour.is_empty() {
            match parse_hex_colour(&colour) {
                None => f.error(
                    "colour",
                    "Enter the colour as a hex code of 6 digits after #, like #1d70b8",
                ),
                Some(rgb) => {
                    let ratio = contrast_ratio(rgb, (255, 255, 255));
                    if ratio < MIN_CONTRAST {
                        f.error(
                            "colour",
                            format!(
                                "Choose a darker colour: white text on {colour} has a contrast of {ratio:.1} to 1, and it must be at least {MIN_CONTRAST} to 1 to be readable"
                            ),
                        );
                    }
                }
            }
        }
        let website = web_address(&mut f, "website", "the website");
        let contact_email = parse_email(&mut f, "contact_email", false);
        let contact_phone = f.optional("contact_phone", "the phone number", 40);
        if !contact_phone.is_empty()
            && !contact_phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +()-".contains(c))
        {
            f.error(
                "contact_phone",
                "Enter the phone number in digits, like 01902 551 111",
            );
        }
        let contact_text = f.optional("contact_text", "the address or opening hours", 1000);
        let local_offer_url = web_address(&mut f, "local_offer_url", "the Local Offer's address");
        let feedback_url = web_address(&mut f, "feedback_url", "the feedback page's address");
        let logo = match logo {
            Some(bytes) => match logo_type(bytes) {
                Err(message) => {
                    f.error("file", message);
                    LogoChange::Keep
                }
                Ok(kind) => LogoChange::Replace(bytes.to_vec(), kind),
            },
            None if form.get("remove_logo") == "yes" => LogoChange::Remove,
            None => LogoChange::Keep,
        };
        let version = form.get("version").parse().unwrap_or(0);
        f.finish(PublicProfileInput {
            profile: PublicProfile {
                colour,
                website,
                contact_email,
                contact_phone,
                contact_text,
                local_offer_url,
                feedback_url,
                logo_type: String::new(),
                version,
            },
            logo,
        })
    }
}

/// One web address, starting https:// or http://, or nothing.
fn web_address(f: &mut FormReader<'_>, field: &str, what: &str) -> String {
    let text = f.optional(field, what, 500);
    if !text.is_empty()
        && (!(text.starts_with("https://") || text.starts_with("http://"))
            || text.contains(char::is_whitespace)
            || text.contains(['"', '<', '>']))
    {
        f.error(
            field,
            "Enter a web address starting with https://, like https://www.example.gov.uk/send",
        );
    }
    text
}

/// A logo's type from its first bytes (never from its name): PNG or JPEG, within the size.
pub fn logo_type(bytes: &[u8]) -> Result<&'static str, String> {
    if bytes.is_empty() {
        return Err("The selected file is empty: choose a PNG or JPEG logo".to_owned());
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(format!(
            "The logo must be smaller than {} KB (this one is {} KB)",
            LOGO_MAX_BYTES / 1024,
            bytes.len().div_ceil(1024)
        ));
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Ok("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Ok("image/jpeg")
    } else {
        Err("The logo must be a PNG or JPEG image".to_owned())
    }
}

/// "#1d70b8" as red, green and blue.
pub fn parse_hex_colour(text: &str) -> Option<(u8, u8, u8)> {
    let hex = text.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let part = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some((part(0)?, part(2)?, part(4)?))
}

/// The WCAG contrast ratio of two colours, from 1 (the same) to 21 (black on white).
pub fn contrast_ratio(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    fn channel(c: u8) -> f64 {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }
    let luminance =
        |(r, g, b): (u8, u8, u8)| 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    let (la, lb) = (luminance(a), luminance(b));
    let (light, dark) = if la > lb { (la, lb) } else { (lb, la) };
    (light + 0.05) / (dark + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contrast_is_measured_as_wcag_does() {
        let white = (255, 255, 255);
        assert!((contrast_ratio((0, 0, 0), white) - 21.0).abs() < 0.01);
        assert!((contrast_ratio(white, white) - 1.0).abs() < 0.01);
        // GOV.UK blue on white is 5.17 to 1; GOV.UK yellow fails.
        assert!((contrast_ratio((0x1d, 0x70, 0xb8), white) - 5.17).abs() < 0.02);
        assert!(contrast_ratio((0xff, 0xdd, 0x00), white) < MIN_CONTRAST);
    }

    fn form(pairs: &[(&str, &str)]) -> RawForm {
        RawForm::from_pairs(pairs)
    }

    #[test]
    fn a_profile_is_read_and_each_bad_field_named() {
        let ok = PublicProfileInput::parse(
            &form(&[
                ("colour", "#1D70B8"),
                ("website", "https://www.wolverhampton.gov.uk"),
                ("contact_email", "SEND@wolverhampton.gov.uk"),
                ("contact_phone", "01902 551 111"),
                ("local_offer_url", "https://win.wolverhampton.gov.uk/"),
            ]),
            None,
        )
        .expect("valid");
        assert_eq!(ok.profile.colour, "#1d70b8");
        assert_eq!(ok.profile.contact_email, "send@wolverhampton.gov.uk");
        assert_eq!(ok.logo, LogoChange::Keep);
        let bad = PublicProfileInput::parse(
            &form(&[
                ("colour", "#ffdd00"),
                ("website", "javascript:alert(1)"),
                ("contact_phone", "call us"),
                ("feedback_url", "https://x.example/a b"),
            ]),
            Some(b"GIF89a"),
        )
        .unwrap_err();
        for field in ["colour", "website", "contact_phone", "feedback_url", "file"] {
            assert!(bad.message_for(field).is_some(), "{field} is refused");
        }
        assert!(bad
            .message_for("colour")
            .unwrap()
            .contains("must be at least 4.5 to 1"));
    }

    #[test]
    fn a_logo_is_known_by_its_bytes_and_its_size_checked() {
        assert_eq!(logo_type(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(logo_type(&[0xff, 0xd8, 0xff, 0xe0]), Ok("image/jpeg"));
        assert!(logo_type(b"<svg onload=alert(1)>").is_err());
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert!(logo_type(&big).unwrap_err().contains("smaller than 200 KB"));
        let removed = PublicProfileInput::parse(&form(&[("remove_logo", "yes")]), None).unwrap();
        assert_eq!(removed.logo, LogoChange::Remove);
    }
}
