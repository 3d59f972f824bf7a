//! The need types of the DfE's SEN2 return (and the school census), as every SEND system
//! codes them: used for the Local Offer's "needs served" and, later, for casework.

crate::coded_enum! {
    /// A child's special educational need, as SEN2 codes it.
    NeedType {
        Spld => ("SPLD", "Specific learning difficulty (such as dyslexia)"),
        Mld => ("MLD", "Moderate learning difficulty"),
        Sld => ("SLD", "Severe learning difficulty"),
        Pmld => ("PMLD", "Profound and multiple learning difficulty"),
        Semh => ("SEMH", "Social, emotional and mental health"),
        Slcn => ("SLCN", "Speech, language and communication needs"),
        Hi => ("HI", "Hearing impairment"),
        Vi => ("VI", "Vision impairment"),
        Msi => ("MSI", "Multi-sensory impairment"),
        Pd => ("PD", "Physical disability"),
        Asd => ("ASD", "Autism"),
        Ds => ("DS", "Down syndrome"),
        Oth => ("OTH", "Other difficulty or disability"),
    }
}

impl NeedType {
    /// A need type from its SEN2 code, in any case ("asd", "ASD").
    pub fn from_any_case(code: &str) -> Option<Self> {
        Self::from_code(&code.trim().to_ascii_uppercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_any_case() {
        assert_eq!(NeedType::from_any_case(" asd "), Some(NeedType::Asd));
        assert_eq!(NeedType::from_any_case("Semh"), Some(NeedType::Semh));
        assert_eq!(NeedType::from_any_case("ADHD"), None);
    }
}
