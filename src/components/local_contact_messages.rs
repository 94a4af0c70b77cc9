//! The translated texts of the school's own contacts: the name of each role, and why a contact,
//! a file or a link was refused (one message per domain error, saying what to do).

use prepoznaj_domain::local_contacts::{
    LocalContactError, LocalContactsImportError, LocalRole, NameError,
};
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::phone::PhoneError;

use crate::i18n::ContactsMessageFn;
use crate::i18n::ContactsMessages;

/// Every role with its name, in the order the form lists them.
pub const ROLES: [(LocalRole, ContactsMessageFn); 6] = [
    (LocalRole::SocialCareCentre, |m| {
        m.local_role_social_care_centre()
    }),
    (LocalRole::PoliceStation, |m| m.local_role_police_station()),
    (LocalRole::Principal, |m| m.local_role_principal()),
    (LocalRole::PsychologistOrPedagogue, |m| {
        m.local_role_psychologist_or_pedagogue()
    }),
    (LocalRole::ProtectionTeamLead, |m| {
        m.local_role_protection_team_lead()
    }),
    (LocalRole::Other, |m| m.local_role_other()),
];

/// The name of `role`.
#[must_use]
pub fn role_label(messages: &'static ContactsMessages, role: LocalRole) -> &'static str {
    ROLES
        .iter()
        .find(|(candidate, _)| *candidate == role)
        .map_or(messages.local_role_other(), |(_, label)| label(messages))
}

/// Why a name or a phone number was refused.
#[must_use]
pub fn contact_error_message(
    messages: &'static ContactsMessages,
    error: &LocalContactError,
) -> String {
    match error {
        LocalContactError::Name(NameError::Empty) => messages.local_name_empty().to_owned(),
        LocalContactError::Name(NameError::TooLong { max, .. }) => {
            messages.local_name_too_long().format(*max as u64)
        }
        LocalContactError::Name(NameError::ControlCharacter) => {
            messages.local_name_control().to_owned()
        }
        LocalContactError::Phone(error) => phone_error_message(messages, *error),
    }
}

fn phone_error_message(messages: &'static ContactsMessages, error: PhoneError) -> String {
    let message = match error {
        PhoneError::Empty => messages.local_phone_empty(),
        PhoneError::InvalidCharacter(character) => {
            return fill(
                messages.local_phone_invalid_character(),
                &[("character", &character.to_string())],
            );
        }
        PhoneError::MisplacedPlus => messages.local_phone_misplaced_plus(),
        PhoneError::TooShort => messages.local_phone_too_short(),
        PhoneError::TooLong => messages.local_phone_too_long(),
        PhoneError::UnknownShortNumber => messages.local_phone_unknown_short(),
        PhoneError::MissingTrunkPrefix => messages.local_phone_missing_trunk(),
        PhoneError::UnknownPrefix => messages.local_phone_unknown_prefix(),
        PhoneError::InvalidCountryCode => messages.local_phone_country_code(),
    };
    message.to_owned()
}

/// Why a file or a link was not imported; every message ends by saying nothing changed.
#[must_use]
pub fn import_error_message(
    messages: &'static ContactsMessages,
    error: &LocalContactsImportError,
) -> String {
    match error {
        LocalContactsImportError::InvalidLink => messages.import_error_link().to_owned(),
        LocalContactsImportError::Syntax(_) | LocalContactsImportError::WrongFormat => {
            messages.import_error_file().to_owned()
        }
        LocalContactsImportError::UnsupportedVersion { .. } => {
            messages.import_error_version().to_owned()
        }
        LocalContactsImportError::TooMany { count, max } => fill(
            messages.import_error_too_many(),
            &[("count", &count.to_string()), ("max", &max.to_string())],
        ),
        LocalContactsImportError::MalformedEntry { index, .. } => fill(
            messages.import_error_malformed(),
            &[("position", &(index + 1).to_string())],
        ),
        LocalContactsImportError::InvalidEntry { index, error } => fill(
            messages.import_error_entry(),
            &[
                ("position", &(index + 1).to_string()),
                ("problem", &contact_error_message(messages, error)),
            ],
        ),
    }
}
