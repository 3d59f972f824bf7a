//! Which new passwords sendplan accepts, following the NCSC's password guidance: length over
//! complexity, and a deny list of passwords people really use, in place of composition rules
//! ("must contain a digit and a symbol"), which only push people to `Password1!` and to
//! writing it down. Long passwords and any characters, spaces included, are welcome, so a
//! passphrase of three random words is the easy way through.
//!
//! The deny list is `data/common-passwords.txt` (where it comes from and its licences are in
//! `data/README.md`), embedded in the binary so that checking a password needs no file, no
//! network and no start-up work: the text is sorted, and is binary-searched where it lies.

use std::cmp::Ordering;

/// The shortest password accepted (NCSC: length over complexity).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest accepted, so hashing time stays bounded.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// The GOV.UK error message for an empty password (or one of nothing but spaces).
pub const ENTER_A_PASSWORD: &str = "Enter a password";
/// The GOV.UK error message for a password shorter than [`MIN_PASSWORD_CHARS`].
pub const PASSWORD_TOO_SHORT: &str = "Password must be 12 characters or more";
/// The GOV.UK error message for a password longer than [`MAX_PASSWORD_CHARS`].
pub const PASSWORD_TOO_LONG: &str = "Password must be 256 characters or fewer";
/// The GOV.UK error message for a password holding an invisible control character.
pub const PASSWORD_HAS_CONTROL: &str =
    "Your password must only have characters you can type: it has a hidden control character, perhaps pasted in";
/// The GOV.UK error message for a password that is the account's own email address or name.
pub const PASSWORD_IS_PERSONAL: &str = "Password must not be your email address or name";
/// The GOV.UK error message for a password on the deny list. It says what to do instead, as
/// the NCSC advises, rather than only that the password was refused.
pub const PASSWORD_TOO_COMMON: &str =
    "Password is too common: choose one that is harder to guess, such as three random words";

/// Lower-cased, deduplicated, one a line, sorted by UTF-8 bytes: see `data/README.md`.
const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");
/// The list holds nothing shorter (shorter entries were dropped when it was made).
const SHORTEST_LISTED_CHARS: usize = 4;
/// Every entry is shorter than this many bytes (a test checks), so a longer candidate needs
/// no lookup, and a long string of digits costs no more than trimming it.
const LONGEST_LISTED_BYTES: usize = 64;
/// An email address's local part shorter than this ("al@...") is too likely to turn up by
/// chance in a good passphrase to be refused inside one.
const SHORTEST_LOCAL_PART_CHARS: usize = 4;

/// Why a new password cannot be used, in the words of the GOV.UK error message to show; None
/// when it can.
///
/// `personal` holds the account's email address and name: a password that is one of them
/// (ignoring case and spaces, and trailing digits and punctuation, so "Jane Smith 1985!" is
/// refused for Jane Smith), or contains the email's local part of 4+ chars, is refused too,
/// since anyone who knows the account knows them.
///
/// Lengths are counted in characters, not bytes, so a password in any script has the same
/// allowance. The checks run in the order a person can act on: missing, too short, too long,
/// personal, common.
pub fn new_password_problem(password: &str, personal: &[&str]) -> Option<&'static str> {
    if password.trim().is_empty() {
        return Some(ENTER_A_PASSWORD);
    }
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS {
        return Some(PASSWORD_TOO_SHORT);
    }
    if length > MAX_PASSWORD_CHARS {
        return Some(PASSWORD_TOO_LONG);
    }
    // Control characters cannot be typed, only pasted by mistake, and would then be
    // impossible to type at sign-in.
    if password.chars().any(char::is_control) {
        return Some(PASSWORD_HAS_CONTROL);
    }
    if is_personal(password, personal) {
        return Some(PASSWORD_IS_PERSONAL);
    }
    if is_common_password(password) {
        return Some(PASSWORD_TOO_COMMON);
    }
    None
}

/// Whether the password is on the shipped list of common passwords (compared
/// case-insensitively, and also with trailing digits and punctuation trimmed, so
/// "password123!" counts as common).
///
/// Trimming goes one character at a time and looks each shorter form up, because the
/// commonest way to "strengthen" a listed password is to add to its end, and the listed form
/// may itself end in a digit ("trustno1!!!!" is "trustno1"). Anything that is not a letter is
/// trimmed (digits, punctuation, spaces, symbols such as "£", emoji). A password with no
/// letters at all is compared whole: the start of a long number is another number, not the
/// same password with something added (the list holds many 4-digit PINs and years).
pub fn is_common_password(password: &str) -> bool {
    let mut candidate = password.to_lowercase();
    if !candidate.chars().any(char::is_alphabetic) {
        return candidate.len() < LONGEST_LISTED_BYTES && is_listed(&candidate);
    }
    loop {
        if candidate.len() < LONGEST_LISTED_BYTES && is_listed(&candidate) {
            return true;
        }
        match candidate.chars().next_back() {
            Some(last) if !last.is_alphabetic() => {
                candidate.pop();
            }
            _ => return false,
        }
    }
}

/// Whether `lower_cased` is a line of [`COMMON_PASSWORDS`]: a binary search over the text's
/// bytes, each probe widened to the line it falls in. It allocates nothing and needs no index,
/// so the list costs only its size in the binary, and nothing at start-up.
fn is_listed(lower_cased: &str) -> bool {
    if lower_cased.chars().count() < SHORTEST_LISTED_CHARS {
        return false;
    }
    let text = COMMON_PASSWORDS.as_bytes();
    let needle = lower_cased.as_bytes();
    // `low` is always the start of a line and `high` the start of a line or the end: the
    // lines between them are the ones still to search.
    let (mut low, mut high) = (0, text.len());
    while low < high {
        let middle = low + (high - low) / 2;
        let start = text[low..middle]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(low, |newline| low + newline + 1);
        let end = text[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |newline| start + newline);
        match text[start..end].cmp(needle) {
            Ordering::Equal => return true,
            Ordering::Less => low = end + 1,
            Ordering::Greater => high = start,
        }
    }
    false
}

/// Whether the password is, or plainly contains, what anyone who knows the account knows.
fn is_personal(password: &str, personal: &[&str]) -> bool {
    let password = comparable(password);
    let trimmed = password.trim_end_matches(|c: char| !c.is_alphabetic());
    personal.iter().any(|known| {
        let whole = comparable(known);
        if whole.is_empty() {
            return false;
        }
        if password == whole || trimmed == whole {
            return true;
        }
        known
            .trim()
            .rsplit_once('@')
            .is_some_and(|(local, _domain)| {
                let local = comparable(local);
                local.chars().count() >= SHORTEST_LOCAL_PART_CHARS && password.contains(&local)
            })
    })
}

/// Lower-cased, with whitespace removed, so "Jane Smith" and "janesmith" compare equal.
fn comparable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const JANE: [&str; 2] = ["Jane.Smith@council.gov.uk", "Jane Smith"];

    fn listed() -> impl Iterator<Item = &'static str> {
        COMMON_PASSWORDS.lines()
    }

    #[test]
    fn the_list_is_large_lower_cased_unique_and_sorted_by_bytes() {
        assert!(COMMON_PASSWORDS.ends_with('\n'));
        assert!(listed().count() > 50_000, "{}", listed().count());
        for entry in listed() {
            assert_eq!(entry, entry.to_lowercase(), "{entry:?} is not lower case");
            assert_eq!(entry, entry.trim(), "{entry:?} has spaces around it");
            assert!(entry.chars().count() >= SHORTEST_LISTED_CHARS, "{entry:?}");
            assert!(entry.len() < LONGEST_LISTED_BYTES, "{entry:?}");
        }
        let lines: Vec<&str> = listed().collect();
        for pair in lines.windows(2) {
            assert!(
                pair[0].as_bytes() < pair[1].as_bytes(),
                "{:?} then {:?}: the list must be sorted and unique for the binary search",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn every_listed_password_is_found_and_nothing_between_them_is() {
        for entry in listed() {
            assert!(is_listed(entry), "{entry:?} not found");
            // Sorts just after the entry, before the next: must not be found.
            assert!(
                !is_listed(&format!("{entry}\u{10FFFF}")),
                "{entry:?}+ found"
            );
        }
        for outside in ["", "!", "!!!!", "\u{10FFFF}\u{10FFFF}\u{10FFFF}\u{10FFFF}"] {
            assert!(!is_listed(outside), "{outside:?}");
        }
    }

    #[test]
    fn an_empty_or_blank_password_is_asked_for() {
        assert_eq!(new_password_problem("", &JANE), Some(ENTER_A_PASSWORD));
        assert_eq!(
            new_password_problem("              ", &JANE),
            Some(ENTER_A_PASSWORD)
        );
    }

    #[test]
    fn a_password_must_be_12_characters_or_more() {
        assert_eq!(
            new_password_problem("lamp sky oa", &[]),
            Some(PASSWORD_TOO_SHORT)
        );
        assert_eq!(new_password_problem("lamp sky oak", &[]), None);
        // A short common password is told it is short first: that is what to fix.
        assert_eq!(
            new_password_problem("password", &[]),
            Some(PASSWORD_TOO_SHORT)
        );
        assert!(PASSWORD_TOO_SHORT.contains(&MIN_PASSWORD_CHARS.to_string()));
    }

    #[test]
    fn a_password_may_be_256_characters_but_no_more() {
        let longest = "marmalade tractor whistle ".repeat(10)[..MAX_PASSWORD_CHARS].to_owned();
        assert_eq!(new_password_problem(&longest, &[]), None);
        assert_eq!(
            new_password_problem(&format!("{longest}x"), &[]),
            Some(PASSWORD_TOO_LONG)
        );
        assert!(PASSWORD_TOO_LONG.contains(&MAX_PASSWORD_CHARS.to_string()));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 11 characters but 22 bytes: still too short.
        assert_eq!(
            new_password_problem(&"é".repeat(11), &[]),
            Some(PASSWORD_TOO_SHORT)
        );
        assert_eq!(new_password_problem(&"é".repeat(12), &[]), None);
        // 256 characters but 768 bytes: still allowed.
        assert_eq!(new_password_problem(&"日".repeat(256), &[]), None);
        assert_eq!(
            new_password_problem(&"日".repeat(257), &[]),
            Some(PASSWORD_TOO_LONG)
        );
        assert_eq!(new_password_problem("żółć gęślą jaźń", &[]), None);
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case_and_trailing_digits_and_punctuation() {
        for common in [
            "password1234",
            "PASSWORD1234",
            "Password123!",
            "password123456",
            "Password 2024 !!",
            "qwertyuiop1234",
            "qwertyuiop£££",
            "Iloveyou!!!!",
            "trustno1!!!!",
            "1q2w3e4r5t6y",
            "123456789012",
            "Manchesterunited",
        ] {
            assert!(is_common_password(common), "{common:?}");
            assert_eq!(
                new_password_problem(common, &JANE),
                Some(PASSWORD_TOO_COMMON),
                "{common:?}"
            );
        }
        if is_listed("qwertyuiopas") {
            assert_eq!(
                new_password_problem("qwertyuiopas", &[]),
                Some(PASSWORD_TOO_COMMON)
            );
        }
    }

    #[test]
    fn a_common_password_after_a_long_tail_of_digits_is_still_found() {
        assert!(is_common_password(&format!("password{}", "1".repeat(300))));
        assert!(!is_common_password(&"1".repeat(300)));
        // Digits alone are compared whole: a number that starts with a listed year is fine.
        assert!(is_listed("1990"));
        assert!(!is_common_password("199058302716"));
    }

    #[test]
    fn a_passphrase_of_three_random_words_is_accepted() {
        for good in [
            "marmalade tractor whistle",
            "Correct-Lantern-Orbit-77",
            "purple tractor whistle!",
            "  spaces at both ends are kept  ",
        ] {
            assert!(!is_common_password(good), "{good:?}");
            assert_eq!(new_password_problem(good, &JANE), None, "{good:?}");
        }
    }

    #[test]
    fn no_composition_rules_only_length_and_the_list() {
        // No digit, no capital, no symbol: fine. All digits but not common: fine too.
        assert_eq!(new_password_problem("the quiet heron sleeps", &[]), None);
        assert_eq!(new_password_problem("739150284617", &[]), None);
    }

    #[test]
    fn the_accounts_email_address_or_name_is_refused() {
        for personal in [
            "jane.smith@council.gov.uk",
            "JANE.SMITH@COUNCIL.GOV.UK",
            "Jane Smith 1985!",
            "janesmith2024",
            "my name is jane.smith really",
        ] {
            assert_eq!(
                new_password_problem(personal, &JANE),
                Some(PASSWORD_IS_PERSONAL),
                "{personal:?}"
            );
        }
        // The same passwords are fine for someone else.
        assert_eq!(
            new_password_problem("janesmith2024", &["al@example.org", "Al Jones"]),
            None
        );
    }

    #[test]
    fn a_short_local_part_is_not_refused_inside_a_passphrase() {
        let personal = ["al@example.org", "Al Jones"];
        assert_eq!(new_password_problem("always almost alert", &personal), None);
        assert_eq!(
            new_password_problem("al@example.org", &personal),
            Some(PASSWORD_IS_PERSONAL)
        );
        // Empty personal details never match.
        assert_eq!(
            new_password_problem("marmalade tractor whistle", &["", " "]),
            None
        );
    }
}
