//! The team inbox's words for what a report holds: the observer's role and setting, the
//! assessment level, the team's status, whom the team informed, why a report could not be
//! opened, and why a status change is not verified. One place, so the list, the report view and its printed record say the same.

use prepoznaj_domain::assessment::Level;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::observation::{AgeBand, Gender, ObserverRole, Setting};
use prepoznaj_domain::status_note::{InboxStatus, Informed};

use crate::i18n::{InboxMessages, MessageFn, Messages};
use crate::inbox::reading::{NoteProblem, OpenFailure};
use crate::pages::observe_start::{AGE_BANDS, GENDERS, ROLES, SETTINGS};

/// `value`'s label in one of the observation form's tables.
fn form_label<T: PartialEq>(
    messages: &'static Messages,
    table: &[(T, &str, MessageFn)],
    value: &T,
) -> &'static str {
    table
        .iter()
        .find(|(known, _, _)| known == value)
        .map_or("", |(_, _, label)| label(messages))
}

/// The observer's role, as the observation form names it.
#[must_use]
pub fn role_label(messages: &'static Messages, role: ObserverRole) -> &'static str {
    form_label(messages, &ROLES, &role)
}

/// Where the observation was made, as the observation form names it.
#[must_use]
pub fn setting_label(messages: &'static Messages, setting: Setting) -> &'static str {
    form_label(messages, &SETTINGS, &setting)
}

/// The child's age band ("not saying" when not given).
#[must_use]
pub fn age_label(messages: &'static Messages, age_band: Option<AgeBand>) -> &'static str {
    form_label(messages, &AGE_BANDS, &age_band)
}

/// The child's gender ("not saying" when not given).
#[must_use]
pub fn gender_label(messages: &'static Messages, gender: Option<Gender>) -> &'static str {
    form_label(messages, &GENDERS, &gender)
}

/// The assessment's level in a few words.
#[must_use]
pub fn level_label(messages: &'static InboxMessages, level: Option<Level>) -> &'static str {
    match level {
        None => messages.inbox_level_unknown(),
        Some(Level::NothingMarked) => messages.inbox_level_nothing_marked(),
        Some(Level::KeepObserving) => messages.inbox_level_keep_observing(),
        Some(Level::InformToday) => messages.inbox_level_inform_today(),
        Some(Level::ImmediateDanger) => messages.inbox_level_immediate_danger(),
    }
}

/// Where the report stands in the team's work.
#[must_use]
pub fn status_label(messages: &'static InboxMessages, status: InboxStatus) -> &'static str {
    match status {
        InboxStatus::New => messages.inbox_status_new(),
        InboxStatus::Seen => messages.inbox_status_seen(),
        InboxStatus::ActedUpon => messages.inbox_status_acted_upon(),
        InboxStatus::Closed => messages.inbox_status_closed(),
    }
}

/// Whom the team informed.
#[must_use]
pub fn informed_label(messages: &'static InboxMessages, informed: Informed) -> &'static str {
    match informed {
        Informed::SocialCareCentre => messages.inbox_informed_social_care_centre(),
        Informed::Police => messages.inbox_informed_police(),
        Informed::Prosecutor => messages.inbox_informed_prosecutor(),
        Informed::TraffickingProtectionCentre => messages.inbox_informed_trafficking_centre(),
        Informed::Parents => messages.inbox_informed_parents(),
    }
}

/// Why an envelope could not be opened, as the end of a sentence.
#[must_use]
pub fn failure_reason(messages: &'static InboxMessages, failure: OpenFailure) -> &'static str {
    match failure {
        OpenFailure::NotForThisKey => messages.inbox_reason_not_for_key(),
        OpenFailure::Damaged => messages.inbox_reason_damaged(),
        OpenFailure::UnknownFormat => messages.inbox_reason_unknown_format(),
        OpenFailure::OtherReport => messages.inbox_reason_other_report(),
    }
}

/// Why a status change is not verified, as the end of a sentence.
#[must_use]
pub fn note_problem_reason(messages: &'static InboxMessages, problem: NoteProblem) -> String {
    match problem {
        NoteProblem::Open(failure) => failure_reason(messages, failure).to_owned(),
        NoteProblem::Unsigned => messages.inbox_reason_note_unsigned().to_owned(),
        NoteProblem::UnknownAuthor => messages.inbox_reason_note_unknown_author().to_owned(),
        NoteProblem::AuthorNotYetKnown => {
            messages.inbox_reason_note_author_not_yet_known().to_owned()
        }
        NoteProblem::BadSignature => messages.inbox_reason_note_bad_signature().to_owned(),
        NoteProblem::OtherChange => messages.inbox_reason_note_other_change().to_owned(),
        NoteProblem::OtherStatus { note } => fill(
            messages.inbox_reason_note_other_status(),
            &[("status", status_label(messages, InboxStatus::after([note])))],
        ),
    }
}

/// "The server says: closed. No verified team note says so."
#[must_use]
pub fn server_disagrees(messages: &'static InboxMessages, server_says: InboxStatus) -> String {
    fill(
        messages.inbox_server_disagrees(),
        &[("status", status_label(messages, server_says))],
    )
}
