//! EHC needs assessments and plans, measured against the statutory clock (issue 18): the
//! clock's rules, one function each ([`clock`]), the DfE's published measures worked out
//! from case records with them ([`measures`]), and what local areas report besides: the
//! open pipeline, what is overdue, reviews, phase transfers and demand ([`pipeline`]). Pure: the case records come from the
//! SEN2 return an authority already makes, read elsewhere.

pub mod clock;
pub mod measures;
pub mod pipeline;
pub mod plan_measures;
pub mod records;
