//! What every XML reader here shares.

use quick_xml::events::BytesRef;

/// The character an entity reference stands for: a character reference (`&#233;`) or
/// one of XML's five predefined entities; `None` for any other (no reader here takes a
/// document type, so no other entity is defined).
pub(crate) fn referenced_char(reference: &BytesRef<'_>) -> Result<Option<char>, quick_xml::Error> {
    Ok(match reference.resolve_char_ref()? {
        Some(c) => Some(c),
        None => match reference.as_ref() {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => None,
        },
    })
}
