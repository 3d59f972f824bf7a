//! EHC needs assessments and plans, measured against the statutory clock (issue 18): the
//! clock's rules, one function each ([`clock`]), and the DfE's published measures worked
//! out from case records with them ([`measures`]). Pure: the case records come from the
//! SEN2 return an authority already makes, read elsewhere.

pub mod clock;
pub mod measures;
pub mod records;
