//! Distances for "near a postcode": postcodes written the way people type them, and the
//! distance between two points on the Earth.

/// A point: latitude and longitude in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub latitude: f64,
    pub longitude: f64,
}

/// The mean radius of the Earth in metres (the IUGG's), for the haversine formula.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The distance between two points along the Earth's surface, in metres (the haversine
/// formula; within 0.5% of the true distance anywhere in the UK).
pub fn distance_metres(a: Point, b: Point) -> f64 {
    let (la1, la2) = (a.latitude.to_radians(), b.latitude.to_radians());
    let d_lat = la2 - la1;
    let d_lon = (b.longitude - a.longitude).to_radians();
    let h = (d_lat / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (d_lon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// Metres in a mile.
pub const METRES_PER_MILE: f64 = 1609.344;

/// A UK postcode as people type it ("wv1 1sh", "WV11SH", " WV1  1SH ") written the one
/// way ("WV1 1SH"); `None` if it cannot be a postcode. An outward code alone ("WV1") is
/// accepted too, as people often type only that.
pub fn normalise_postcode(text: &str) -> Option<String> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !(2..=7).contains(&compact.len()) || !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if !compact.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    // A full postcode ends in a digit and two letters (the inward code).
    let inward_shape = |s: &str| {
        let b = s.as_bytes();
        b.len() == 3
            && b[0].is_ascii_digit()
            && b[1].is_ascii_alphabetic()
            && b[2].is_ascii_alphabetic()
    };
    if compact.len() >= 5 && inward_shape(&compact[compact.len() - 3..]) {
        let (outward, inward) = compact.split_at(compact.len() - 3);
        return valid_outward(outward).then(|| format!("{outward} {inward}"));
    }
    valid_outward(&compact).then_some(compact)
}

/// An outward code: one or two letters, then a digit, then perhaps a letter or digit.
fn valid_outward(code: &str) -> bool {
    let letters = code.chars().take_while(char::is_ascii_alphabetic).count();
    let rest = &code[letters..];
    (1..=2).contains(&letters)
        && (1..=2).contains(&rest.len())
        && rest.starts_with(|c: char| c.is_ascii_digit())
}

/// The outward code of a normalised postcode ("WV1" of "WV1 1SH").
pub fn outcode(postcode: &str) -> &str {
    postcode.split(' ').next().unwrap_or(postcode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_are_read_as_people_type_them() {
        for (typed, expected) in [
            ("wv1 1sh", Some("WV1 1SH")),
            ("WV11SH", Some("WV1 1SH")),
            ("  sw1a   2aa ", Some("SW1A 2AA")),
            ("B1 1AA", Some("B1 1AA")),
            ("wv10", Some("WV10")),
            ("M1", Some("M1")),
            ("12345", None),
            ("WV1 1SH; DROP", None),
            ("", None),
            ("ABC", None),
        ] {
            assert_eq!(normalise_postcode(typed).as_deref(), expected, "{typed}");
        }
        assert_eq!(outcode("WV1 1SH"), "WV1");
        assert_eq!(outcode("WV10"), "WV10");
    }

    #[test]
    fn distances_are_right_to_a_few_metres() {
        // Wolverhampton's civic centre to Birmingham's council house: about 19.4 km.
        let wolverhampton = Point {
            latitude: 52.5862,
            longitude: -2.1288,
        };
        let birmingham = Point {
            latitude: 52.4797,
            longitude: -1.9026,
        };
        let d = distance_metres(wolverhampton, birmingham);
        assert!((d - 19_400.0).abs() < 200.0, "{d}");
        assert_eq!(distance_metres(birmingham, birmingham), 0.0);
        // One degree of latitude is about 111.2 km.
        let north = Point {
            latitude: 53.4797,
            ..birmingham
        };
        assert!((distance_metres(birmingham, north) - 111_195.0).abs() < 10.0);
    }
}
