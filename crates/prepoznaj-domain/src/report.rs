//! What a report's envelope holds once decrypted: the finished observation, as versioned
//! JSON. The phone writes it (then the `prepoznaj-envelope` crate encrypts it to the team's
//! keys); the team's inbox reads it. The server never sees it.
//!
//! The document is `{"format": 1, "observation": {…}}`, the observation as the phone stores
//! it, with status `complete`. A reader refuses a format it does not know rather than guess.

use serde::{Deserialize, Serialize};

use crate::observation::Observation;

/// The format this build writes and reads.
pub const REPORT_FORMAT: u32 = 1;

/// The plaintext of one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportPlaintext {
    pub format: u32,
    pub observation: Observation,
}

/// Why decrypted bytes are not a report this build can read.
#[derive(Debug, thiserror::Error)]
pub enum ReportFormatError {
    #[error("the report is format {found}; this build reads format {REPORT_FORMAT}")]
    UnknownFormat { found: u32 },
    #[error("the report is not a readable document: {0}")]
    Malformed(#[from] serde_json::Error),
}

impl ReportPlaintext {
    #[must_use]
    pub fn new(observation: Observation) -> Self {
        Self {
            format: REPORT_FORMAT,
            observation,
        }
    }

    /// The bytes to encrypt (compact JSON, UTF-8).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        // A struct of plain data and string-keyed maps always serialises.
        serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("a report always serialises"))
    }

    /// Reads decrypted bytes.
    ///
    /// # Errors
    /// [`ReportFormatError`] for another format or bytes that are not a report.
    pub fn parse(bytes: &[u8]) -> Result<Self, ReportFormatError> {
        #[derive(Deserialize)]
        struct Versioned {
            format: u32,
        }
        let versioned: Versioned = serde_json::from_slice(bytes)?;
        if versioned.format != REPORT_FORMAT {
            return Err(ReportFormatError::UnknownFormat {
                found: versioned.format,
            });
        }
        Ok(serde_json::from_slice(bytes)?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use proptest::prelude::*;

    use super::*;
    use crate::observation::UnixMillis;
    use crate::observation::strategies::draft;

    proptest! {
        #[test]
        fn every_finished_observation_round_trips(
            (catalogue, draft) in draft().prop_filter("answered", |(_, draft)| !draft.answers().is_empty())
        ) {
            let observation = draft.complete(&catalogue, UnixMillis(9)).unwrap();
            let report = ReportPlaintext::new(observation);
            prop_assert_eq!(ReportPlaintext::parse(&report.to_bytes()).unwrap(), report);
        }
    }

    #[test]
    fn another_format_is_refused_by_number() {
        assert!(matches!(
            ReportPlaintext::parse(br#"{"format": 2, "observation": {}}"#),
            Err(ReportFormatError::UnknownFormat { found: 2 })
        ));
        assert!(matches!(
            ReportPlaintext::parse(b"not json"),
            Err(ReportFormatError::Malformed(_))
        ));
    }
}
