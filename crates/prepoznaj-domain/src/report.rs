//! What a report's envelope holds once decrypted: the finished observation, as versioned
//! JSON. The phone writes it (then the `prepoznaj-envelope` crate encrypts it to the team's
//! keys); the team's inbox reads it. The server never sees it.
//!
//! The document is `{"format": 1, "observation": {…}}`, the observation as the phone stores
//! it, with status `complete`. A reader refuses a format it does not know rather than guess,
//! and a report whose own id is not the id of the envelope it came in
//! ([`ReportPlaintext::parse_for`]): a server that swaps or replays envelopes between reports
//! cannot pass one report off as another.

use serde::{Deserialize, Serialize};

use crate::observation::{Observation, ReportId};
use crate::protocol::ReportUuid;

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
    #[error("the envelope is report {envelope}, but the report inside says it is {inside}")]
    OtherReport {
        envelope: ReportId,
        inside: ReportId,
    },
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
        let found = document_format(bytes)?;
        if found != REPORT_FORMAT {
            return Err(ReportFormatError::UnknownFormat { found });
        }
        Ok(serde_json::from_slice(bytes)?)
    }

    /// Reads the decrypted bytes of the envelope listed as `envelope_id`.
    ///
    /// # Errors
    /// As [`ReportPlaintext::parse`], and [`ReportFormatError::OtherReport`] when the report
    /// inside names another id than the envelope's.
    pub fn parse_for(bytes: &[u8], envelope_id: &ReportUuid) -> Result<Self, ReportFormatError> {
        let report = Self::parse(bytes)?;
        let envelope = ReportId::from(envelope_id.clone());
        if *report.observation.id() != envelope {
            return Err(ReportFormatError::OtherReport {
                envelope,
                inside: report.observation.id().clone(),
            });
        }
        Ok(report)
    }
}

/// The `format` field of a decrypted JSON document (a report or a status note), read before
/// the rest so that another format is named rather than failing as malformed.
pub(crate) fn document_format(bytes: &[u8]) -> serde_json::Result<u32> {
    #[derive(Deserialize)]
    struct Versioned {
        format: u32,
    }
    serde_json::from_slice::<Versioned>(bytes).map(|versioned| versioned.format)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use proptest::prelude::*;

    use super::*;
    use crate::catalogue::shipped_catalogue;
    use crate::observation::strategies::{draft, fixed_context};
    use crate::observation::{Answer, Mode, ObservationDraft, UnixMillis};

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

    /// A finished observation under a UUIDv7 id, as phones make them.
    fn finished(id: &ReportUuid) -> Observation {
        let catalogue = shipped_catalogue();
        let mut draft = ObservationDraft::new(
            ReportId::from(id.clone()),
            catalogue.version().clone(),
            Mode::Quick,
            fixed_context(),
            UnixMillis(1),
        );
        let indicator = catalogue.indicators().next().unwrap().id().clone();
        draft
            .answer(&catalogue, &indicator, Answer::Observed, UnixMillis(2))
            .unwrap();
        draft.complete(&catalogue, UnixMillis(3)).unwrap()
    }

    #[test]
    fn a_report_reads_only_under_its_own_envelope_id() {
        let own = ReportUuid::new_v7(UnixMillis(1_000), [1; 10]);
        let other = ReportUuid::new_v7(UnixMillis(2_000), [2; 10]);
        let report = ReportPlaintext::new(finished(&own));
        let bytes = report.to_bytes();
        assert_eq!(ReportPlaintext::parse_for(&bytes, &own).unwrap(), report);
        let refused = ReportPlaintext::parse_for(&bytes, &other);
        assert!(
            matches!(
                &refused,
                Err(ReportFormatError::OtherReport { envelope, inside })
                    if *envelope == ReportId::from(other.clone())
                        && *inside == ReportId::from(own.clone())
            ),
            "{refused:?}"
        );
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
