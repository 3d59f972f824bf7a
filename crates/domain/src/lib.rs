//! The SEND improvement-plan domain: what a partnership, an inspection, a plan and its
//! actions are, how ratings mean the same thing across different plans' schemes, and the
//! flags (overdue, stale, blocked) that are always computed from the facts, never stored.
//!
//! Nothing in this crate does I/O: every rule here is a pure function of its inputs
//! (including "today", which callers pass in) so it can be unit-tested exhaustively.

pub mod access;
pub mod accounts;
pub mod casework;
pub mod codes;
pub mod dates;
pub mod flags;
pub mod governance;
pub mod history;
pub mod ids;
pub mod import;
pub mod input;
pub mod inspection;
pub mod leads;
pub mod lifecycle;
pub mod local_offer;
pub mod measures;
pub mod needs;
pub mod numbering;
pub mod partnership;
pub mod passwords;
pub mod periods;
pub mod plan;
pub mod public_profile;
pub mod publication;
pub mod rating;
pub mod reminders;
pub mod reports;
pub mod surveys;

pub use ids::*;
pub use time::Date;
