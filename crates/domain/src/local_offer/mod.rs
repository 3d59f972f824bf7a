//! The Local Offer: the public directory of services for children and young people with
//! SEND and their families (Children and Families Act 2014 s30, SEND Regulations 2014
//! Schedule 2). Its records are shaped after Open Referral UK 3.0 (organizations, services,
//! locations, schedules, cost options, contacts, taxonomy terms), with sendplan's SEND
//! extensions (`SendDetails`), and checked here by rules the ORUK schemas cannot state
//! (coordinates on the Earth, ages in order, organisations that exist, taxonomies
//! without loops).

pub mod analytics;
pub mod changes;
mod checks;
pub mod coverage;
pub mod feedback;
pub mod geo;
pub mod measures;
mod model;
pub mod performance;
pub mod problems;
pub mod review;
pub mod search;

pub use checks::{check_directory, is_web_address, Problem};
pub use model::*;
