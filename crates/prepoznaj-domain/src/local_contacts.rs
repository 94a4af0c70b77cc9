//! The school's own contacts (its Social Care Centre, police station, principal, …), entered
//! once and handed to every member of staff as a file or a link.
//!
//! A [`LocalContactDraft`] is what the form holds; [`LocalContactDraft::parse`] checks it and
//! yields a [`LocalContact`]. A [`LocalContactList`] holds at most [`MAX_LOCAL_CONTACTS`] in
//! the order the school chose.
//!
//! **Export file** ([`LocalContactList::to_json`]), version 1:
//!
//! ```json
//! {
//!   "format": "prepoznaj-local-contacts",
//!   "version": 1,
//!   "contacts": [
//!     { "name": "Центар за социјални рад", "role": "social_care_centre", "phone": "+381113942355" }
//!   ]
//! }
//! ```
//!
//! (written pretty-printed, one field a line). `phone` is E.164 or a short code.
//!
//! **Share link** ([`LocalContactList::to_link_fragment`]): the same document in compact JSON
//! with each contact as a `[name, role, phone]` triple, then written one byte per character
//! (ASCII as itself, the letters of both Serbian alphabets and common typographic marks as
//! bytes `0x80`–`0xCF` from [`LINK_CHARACTERS`], anything else as a JSON `\uXXXX` escape), then
//! base64url without padding. A Cyrillic letter so costs one byte instead of UTF-8's two:
//! ten contacts with long Cyrillic names come to about 1,000 characters, which still makes a
//! readable QR code. The app puts it after `/contacts/import#`.
//!
//! Reading either form checks everything and applies nothing half-way: it yields the whole
//! list or an error naming the entry (by 0-based index) and its problem. This module does no
//! IO.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::phone::{PhoneError, PhoneNumber};

/// The longest name of a contact, in characters.
pub const MAX_NAME_CHARS: usize = 80;

/// The most contacts a list holds.
pub const MAX_LOCAL_CONTACTS: usize = 50;

/// The `format` of an export file or link.
pub const EXPORT_FORMAT: &str = "prepoznaj-local-contacts";

/// The `version` written, and the only one read.
pub const EXPORT_VERSION: u64 = 1;

/// The characters a share link writes as one byte each, `0x80` onwards: Serbian Cyrillic,
/// Serbian Latin letters with diacritics and typographic marks. Append only: a link made
/// with this table must still read.
pub const LINK_CHARACTERS: [char; 80] = [
    'а', 'б', 'в', 'г', 'д', 'ђ', 'е', 'ж', 'з', 'и', 'ј', 'к', 'л', 'љ', 'м', 'н', 'њ', 'о', 'п',
    'р', 'с', 'т', 'ћ', 'у', 'ф', 'х', 'ц', 'ч', 'џ', 'ш', 'А', 'Б', 'В', 'Г', 'Д', 'Ђ', 'Е', 'Ж',
    'З', 'И', 'Ј', 'К', 'Л', 'Љ', 'М', 'Н', 'Њ', 'О', 'П', 'Р', 'С', 'Т', 'Ћ', 'У', 'Ф', 'Х', 'Ц',
    'Ч', 'Џ', 'Ш', 'č', 'ć', 'ž', 'š', 'đ', 'Č', 'Ć', 'Ž', 'Š', 'Đ', '–', '—', '„', '“', '”', '‘',
    '’', '…', '«', '»',
];

/// Whom a local contact reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocalRole {
    /// The Social Care Centre (Центар за социјални рад).
    SocialCareCentre,
    /// The local police station.
    PoliceStation,
    /// The school's principal.
    Principal,
    /// The school psychologist or pedagogue.
    PsychologistOrPedagogue,
    /// The lead of the school's team for protection from violence.
    ProtectionTeamLead,
    Other,
}

impl LocalRole {
    /// Every role, in the order a form lists them.
    pub const ALL: [LocalRole; 6] = [
        LocalRole::SocialCareCentre,
        LocalRole::PoliceStation,
        LocalRole::Principal,
        LocalRole::PsychologistOrPedagogue,
        LocalRole::ProtectionTeamLead,
        LocalRole::Other,
    ];

    /// The name in files and links (the serde name): `social_care_centre`, ….
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            LocalRole::SocialCareCentre => "social_care_centre",
            LocalRole::PoliceStation => "police_station",
            LocalRole::Principal => "principal",
            LocalRole::PsychologistOrPedagogue => "psychologist_or_pedagogue",
            LocalRole::ProtectionTeamLead => "protection_team_lead",
            LocalRole::Other => "other",
        }
    }
}

/// What the contact form holds, unchecked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalContactDraft {
    pub name: String,
    pub role: LocalRole,
    pub phone: String,
}

/// A checked contact: a trimmed name of 1 to [`MAX_NAME_CHARS`] characters without control
/// characters, a role and a checked phone number.
///
/// Serialises as `{"name", "role", "phone"}` (phone in E.164) and deserialises through
/// [`LocalContactDraft::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "LocalContactDraft")]
pub struct LocalContact {
    name: String,
    role: LocalRole,
    phone: PhoneNumber,
}

/// The fields of the contact form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LocalContactField {
    Name,
    Phone,
}

/// What is wrong with a contact's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("the name is empty")]
    Empty,
    #[error("the name has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the name contains a control character such as a line break")]
    ControlCharacter,
}

/// What is wrong with a contact, by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalContactError {
    #[error("name: {0}")]
    Name(NameError),
    #[error("phone: {0}")]
    Phone(PhoneError),
}

impl LocalContactError {
    /// The form field to show the message next to.
    #[must_use]
    pub fn field(&self) -> LocalContactField {
        match self {
            LocalContactError::Name(_) => LocalContactField::Name,
            LocalContactError::Phone(_) => LocalContactField::Phone,
        }
    }
}

impl LocalContactDraft {
    /// Checks the draft.
    ///
    /// # Errors
    /// The first problem, the name's before the phone's; [`LocalContactDraft::errors`] gives
    /// all of them.
    pub fn parse(&self) -> Result<LocalContact, LocalContactError> {
        let name = check_name(&self.name).map_err(LocalContactError::Name)?;
        let phone = PhoneNumber::parse(&self.phone).map_err(LocalContactError::Phone)?;
        Ok(LocalContact {
            name,
            role: self.role,
            phone,
        })
    }

    /// Every problem of the draft, at most one per field, so the form can mark each field.
    #[must_use]
    pub fn errors(&self) -> Vec<LocalContactError> {
        let name = check_name(&self.name).err().map(LocalContactError::Name);
        let phone = PhoneNumber::parse(&self.phone)
            .err()
            .map(LocalContactError::Phone);
        name.into_iter().chain(phone).collect()
    }
}

fn check_name(name: &str) -> Result<String, NameError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(NameError::Empty);
    }
    if trimmed.chars().any(char::is_control) {
        return Err(NameError::ControlCharacter);
    }
    let length = trimmed.chars().count();
    if length > MAX_NAME_CHARS {
        return Err(NameError::TooLong {
            length,
            max: MAX_NAME_CHARS,
        });
    }
    Ok(trimmed.to_owned())
}

impl TryFrom<LocalContactDraft> for LocalContact {
    type Error = LocalContactError;

    fn try_from(draft: LocalContactDraft) -> Result<Self, Self::Error> {
        draft.parse()
    }
}

impl From<&LocalContact> for LocalContactDraft {
    /// A draft for editing; Serbian numbers in the form they are dialled in Serbia.
    fn from(contact: &LocalContact) -> Self {
        LocalContactDraft {
            name: contact.name.clone(),
            role: contact.role,
            phone: contact.phone.display_national(),
        }
    }
}

impl LocalContact {
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    #[must_use]
    pub fn role(&self) -> LocalRole {
        self.role
    }

    #[must_use]
    pub fn phone(&self) -> &PhoneNumber {
        &self.phone
    }
}

/// Why a list cannot take another contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LocalContactListError {
    #[error("a list has at most {max} contacts; this one would have {count}")]
    TooMany { count: usize, max: usize },
}

/// Why an export file or link was not read. Nothing of it is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalContactsImportError {
    #[error("the link is damaged or is not a contacts link")]
    InvalidLink,
    #[error("the file is not valid json: {0}")]
    Syntax(String),
    #[error("this is not a prepoznaj local contacts file")]
    WrongFormat,
    #[error("local contacts version {found} is not supported; this app reads version {supported}")]
    UnsupportedVersion { found: u64, supported: u64 },
    #[error("the file has {count} contacts; at most {max} are allowed")]
    TooMany { count: usize, max: usize },
    #[error("contact {index} is malformed: {message}")]
    MalformedEntry { index: usize, message: String },
    #[error("contact {index}: {error}")]
    InvalidEntry {
        index: usize,
        error: LocalContactError,
    },
}

/// The school's contacts in the order it chose; at most [`MAX_LOCAL_CONTACTS`].
///
/// Serialises as the array of its contacts (for storage); deserialising checks every contact
/// and the count again.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<LocalContact>", into = "Vec<LocalContact>")]
pub struct LocalContactList {
    contacts: Vec<LocalContact>,
}

impl LocalContactList {
    #[must_use]
    pub fn new() -> LocalContactList {
        LocalContactList::default()
    }

    /// # Errors
    /// [`LocalContactListError::TooMany`] above [`MAX_LOCAL_CONTACTS`].
    pub fn from_contacts(
        contacts: Vec<LocalContact>,
    ) -> Result<LocalContactList, LocalContactListError> {
        if contacts.len() > MAX_LOCAL_CONTACTS {
            return Err(LocalContactListError::TooMany {
                count: contacts.len(),
                max: MAX_LOCAL_CONTACTS,
            });
        }
        Ok(LocalContactList { contacts })
    }

    #[must_use]
    pub fn contacts(&self) -> &[LocalContact] {
        &self.contacts
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.contacts.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty()
    }

    /// Adds a contact at the end.
    ///
    /// # Errors
    /// [`LocalContactListError::TooMany`] when the list is full.
    pub fn push(&mut self, contact: LocalContact) -> Result<(), LocalContactListError> {
        if self.contacts.len() >= MAX_LOCAL_CONTACTS {
            return Err(LocalContactListError::TooMany {
                count: self.contacts.len() + 1,
                max: MAX_LOCAL_CONTACTS,
            });
        }
        self.contacts.push(contact);
        Ok(())
    }

    /// Puts `contact` in place of the one at `index` and returns that one; `None` (and no
    /// change) when there is no such index.
    pub fn replace(&mut self, index: usize, contact: LocalContact) -> Option<LocalContact> {
        self.contacts
            .get_mut(index)
            .map(|slot| std::mem::replace(slot, contact))
    }

    /// Removes and returns the contact at `index`; `None` when there is no such index.
    pub fn remove(&mut self, index: usize) -> Option<LocalContact> {
        (index < self.contacts.len()).then(|| self.contacts.remove(index))
    }

    /// The first saved contact, other than the one at `except` (the one being changed), that
    /// has `phone`. Numbers compare as E.164, so `011 394-2355`, `011/394 2355` and
    /// `+381 11 3942355` are the same number. Saving one twice is allowed; the app warns.
    #[must_use]
    pub fn same_number(&self, phone: &PhoneNumber, except: Option<usize>) -> Option<&LocalContact> {
        self.contacts
            .iter()
            .enumerate()
            .find(|(index, contact)| Some(*index) != except && contact.phone() == phone)
            .map(|(_, contact)| contact)
    }

    /// Moves the contact at `from` to position `to`; false (and no change) when either is
    /// out of range.
    pub fn move_contact(&mut self, from: usize, to: usize) -> bool {
        if from >= self.contacts.len() || to >= self.contacts.len() {
            return false;
        }
        let contact = self.contacts.remove(from);
        self.contacts.insert(to, contact);
        true
    }

    /// The export file, pretty-printed JSON (see the module documentation).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut json = format!(
            "{{\n  \"format\": \"{EXPORT_FORMAT}\",\n  \"version\": {EXPORT_VERSION},\n  \"contacts\": ["
        );
        for (index, contact) in self.contacts.iter().enumerate() {
            json.push_str(if index == 0 { "\n" } else { ",\n" });
            json.push_str("    {\n      \"name\": ");
            push_json_string(&mut json, &contact.name);
            json.push_str(",\n      \"role\": ");
            push_json_string(&mut json, contact.role.as_str());
            json.push_str(",\n      \"phone\": ");
            push_json_string(&mut json, contact.phone.e164());
            json.push_str("\n    }");
        }
        json.push_str(if self.contacts.is_empty() {
            "]\n}"
        } else {
            "\n  ]\n}"
        });
        json
    }

    /// Reads an export file.
    ///
    /// # Errors
    /// [`LocalContactsImportError`] for a file that is not JSON, not this format or version,
    /// too long, or has an entry that is malformed or invalid.
    pub fn from_json(json: &str) -> Result<LocalContactList, LocalContactsImportError> {
        let document: Value = serde_json::from_str(json)
            .map_err(|error| LocalContactsImportError::Syntax(error.to_string()))?;
        read_document(&document, |entry| LocalContactDraft::deserialize(entry))
    }

    /// The share link's fragment: base64url, no padding (see the module documentation).
    #[must_use]
    pub fn to_link_fragment(&self) -> String {
        let mut json =
            format!("{{\"format\":\"{EXPORT_FORMAT}\",\"version\":{EXPORT_VERSION},\"contacts\":[");
        for (index, contact) in self.contacts.iter().enumerate() {
            if index > 0 {
                json.push(',');
            }
            json.push('[');
            push_json_string(&mut json, &contact.name);
            json.push(',');
            push_json_string(&mut json, contact.role.as_str());
            json.push(',');
            push_json_string(&mut json, contact.phone.e164());
            json.push(']');
        }
        json.push_str("]}");
        URL_SAFE_NO_PAD.encode(pack(&json))
    }

    /// Reads a share link's fragment (with or without its leading `#`).
    ///
    /// # Errors
    /// [`LocalContactsImportError::InvalidLink`] for a damaged link, otherwise as
    /// [`LocalContactList::from_json`].
    pub fn from_link_fragment(
        fragment: &str,
    ) -> Result<LocalContactList, LocalContactsImportError> {
        let fragment = fragment.trim();
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let bytes = URL_SAFE_NO_PAD
            .decode(fragment)
            .map_err(|_| LocalContactsImportError::InvalidLink)?;
        let json = unpack(&bytes).ok_or(LocalContactsImportError::InvalidLink)?;
        let document: Value =
            serde_json::from_str(&json).map_err(|_| LocalContactsImportError::InvalidLink)?;
        read_document(&document, |entry| {
            let (name, role, phone) = <(String, LocalRole, String)>::deserialize(entry)?;
            Ok(LocalContactDraft { name, role, phone })
        })
    }
}

impl TryFrom<Vec<LocalContact>> for LocalContactList {
    type Error = LocalContactListError;

    fn try_from(contacts: Vec<LocalContact>) -> Result<Self, Self::Error> {
        LocalContactList::from_contacts(contacts)
    }
}

impl From<LocalContactList> for Vec<LocalContact> {
    fn from(list: LocalContactList) -> Self {
        list.contacts
    }
}

/// Checks the envelope of a file or link and every entry, read by `read_entry`.
fn read_document(
    document: &Value,
    read_entry: impl Fn(&Value) -> Result<LocalContactDraft, serde_json::Error>,
) -> Result<LocalContactList, LocalContactsImportError> {
    if document.get("format").and_then(Value::as_str) != Some(EXPORT_FORMAT) {
        return Err(LocalContactsImportError::WrongFormat);
    }
    let version = document
        .get("version")
        .and_then(Value::as_u64)
        .ok_or(LocalContactsImportError::WrongFormat)?;
    if version != EXPORT_VERSION {
        return Err(LocalContactsImportError::UnsupportedVersion {
            found: version,
            supported: EXPORT_VERSION,
        });
    }
    let entries = document
        .get("contacts")
        .and_then(Value::as_array)
        .ok_or(LocalContactsImportError::WrongFormat)?;
    if entries.len() > MAX_LOCAL_CONTACTS {
        return Err(LocalContactsImportError::TooMany {
            count: entries.len(),
            max: MAX_LOCAL_CONTACTS,
        });
    }
    let mut contacts = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let draft =
            read_entry(entry).map_err(|error| LocalContactsImportError::MalformedEntry {
                index,
                message: error.to_string(),
            })?;
        let contact = draft
            .parse()
            .map_err(|error| LocalContactsImportError::InvalidEntry { index, error })?;
        contacts.push(contact);
    }
    Ok(LocalContactList { contacts })
}

/// Appends `text` as a JSON string literal.
fn push_json_string(json: &mut String, text: &str) {
    json.push('"');
    for character in text.chars() {
        match character {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            '\n' => json.push_str("\\n"),
            '\r' => json.push_str("\\r"),
            '\t' => json.push_str("\\t"),
            control if u32::from(control) < 0x20 => {
                json.push_str(&format!("\\u{:04x}", u32::from(control)));
            }
            other => json.push(other),
        }
    }
    json.push('"');
}

/// One byte per character of a JSON text: ASCII as itself, [`LINK_CHARACTERS`] from `0x80`,
/// anything else as `\uXXXX` (which is only ever inside a string, where JSON allows it).
fn pack(json: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(json.len());
    for character in json.chars() {
        if let Ok(ascii) = u8::try_from(character)
            && ascii.is_ascii()
        {
            bytes.push(ascii);
        } else if let Some(position) = LINK_CHARACTERS.iter().position(|&c| c == character)
            && let Ok(offset) = u8::try_from(position)
        {
            bytes.push(0x80 + offset);
        } else {
            let mut units = [0_u16; 2];
            for unit in character.encode_utf16(&mut units) {
                bytes.extend(format!("\\u{unit:04x}").bytes());
            }
        }
    }
    bytes
}

/// The JSON text of [`pack`]ed bytes; `None` for a byte that stands for nothing.
fn unpack(bytes: &[u8]) -> Option<String> {
    bytes
        .iter()
        .map(|&byte| {
            if byte.is_ascii() {
                Some(char::from(byte))
            } else {
                LINK_CHARACTERS.get(usize::from(byte - 0x80)).copied()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;
    use proptest::prelude::*;

    fn contact(name: &str, role: LocalRole, phone: &str) -> LocalContact {
        LocalContactDraft {
            name: name.to_owned(),
            role,
            phone: phone.to_owned(),
        }
        .parse()
        .unwrap()
    }

    #[test]
    fn the_same_number_is_found_however_it_was_written_except_in_the_contact_being_changed() {
        let list = typical_list();
        for written in [
            "011 394 2355",
            "011/394-2355",
            "+381 11 394 2355",
            "00381113942355",
            "+381 (0)11 3942355",
        ] {
            let phone = PhoneNumber::parse(written).unwrap();
            assert_eq!(
                list.same_number(&phone, None).map(LocalContact::name),
                Some("Центар за социјални рад Вождовац"),
                "{written}"
            );
            assert_eq!(list.same_number(&phone, Some(0)), None, "{written}");
            assert_eq!(
                list.same_number(&phone, Some(1)).map(LocalContact::name),
                Some("Центар за социјални рад Вождовац"),
                "{written}"
            );
        }
        let elsewhere = PhoneNumber::parse("011 394 2356").unwrap();
        assert_eq!(list.same_number(&elsewhere, None), None);
    }

    /// Ten contacts as a school in Belgrade might enter them, with long Cyrillic names.
    fn typical_list() -> LocalContactList {
        use LocalRole::*;
        LocalContactList::from_contacts(vec![
            contact(
                "Центар за социјални рад Вождовац",
                SocialCareCentre,
                "011 394 2355",
            ),
            contact(
                "ЦСР – дежурни радник (ноћу и викендом)",
                SocialCareCentre,
                "064 123 4567",
            ),
            contact("Полицијска станица Вождовац", PoliceStation, "011/397-2944"),
            contact(
                "ПУ за град Београд – дежурна служба",
                PoliceStation,
                "011 306 1234",
            ),
            contact("Директорка Јелена Марковић", Principal, "063 123 4567"),
            contact(
                "Психолошкиња Ана Петровић",
                PsychologistOrPedagogue,
                "064 111 2233",
            ),
            contact(
                "Педагог Милош Илић",
                PsychologistOrPedagogue,
                "065 222 3344",
            ),
            contact(
                "Марија Лукић, тим за заштиту",
                ProtectionTeamLead,
                "060 333 4455",
            ),
            contact("Дом здравља Вождовац – педијатрија", Other, "011 309 0000"),
            contact("Школски полицајац Никола Јовановић", Other, "062 987 6543"),
        ])
        .unwrap()
    }

    #[test]
    fn drafts_are_checked_by_field() {
        let good = LocalContactDraft {
            name: "  Полицијска станица Врачар ".to_owned(),
            role: LocalRole::PoliceStation,
            phone: "011/123-4567".to_owned(),
        };
        let contact = good.parse().unwrap();
        assert_eq!(contact.name(), "Полицијска станица Врачар");
        assert_eq!(contact.role(), LocalRole::PoliceStation);
        assert_eq!(contact.phone().e164(), "+381111234567");
        assert!(good.errors().is_empty());

        let bad = LocalContactDraft {
            name: " \t ".to_owned(),
            role: LocalRole::Other,
            phone: "063 12".to_owned(),
        };
        assert_eq!(bad.parse(), Err(LocalContactError::Name(NameError::Empty)));
        let errors = bad.errors();
        assert_eq!(
            errors,
            [
                LocalContactError::Name(NameError::Empty),
                LocalContactError::Phone(PhoneError::TooShort)
            ]
        );
        let fields: Vec<_> = errors.iter().map(LocalContactError::field).collect();
        assert_eq!(fields, [LocalContactField::Name, LocalContactField::Phone]);
    }

    #[test]
    fn name_rules() {
        let name_error = |name: &str| {
            LocalContactDraft {
                name: name.to_owned(),
                role: LocalRole::Principal,
                phone: "192".to_owned(),
            }
            .parse()
            .err()
        };
        assert_eq!(name_error(&"ш".repeat(80)), None);
        assert_eq!(
            name_error(&"ш".repeat(81)),
            Some(LocalContactError::Name(NameError::TooLong {
                length: 81,
                max: 80
            }))
        );
        assert_eq!(
            name_error("Ана\nПетровић"),
            Some(LocalContactError::Name(NameError::ControlCharacter))
        );
        assert_eq!(
            name_error("Ана\u{7}"),
            Some(LocalContactError::Name(NameError::ControlCharacter))
        );
        assert_eq!(name_error("\"Ђура\" \\ Jakšić"), None);
    }

    #[test]
    fn roles_are_snake_case() {
        for role in LocalRole::ALL {
            assert_eq!(
                serde_json::to_string(&role).unwrap(),
                format!("\"{}\"", role.as_str())
            );
        }
        assert_eq!(
            serde_json::from_str::<LocalRole>("\"psychologist_or_pedagogue\"").unwrap(),
            LocalRole::PsychologistOrPedagogue
        );
    }

    #[test]
    fn a_contact_reads_back_into_an_editable_draft() {
        let contact = contact(
            "ЦСР Врачар",
            LocalRole::SocialCareCentre,
            "+381 11 123 4567",
        );
        let draft = LocalContactDraft::from(&contact);
        assert_eq!(draft.phone, "011 123 4567");
        assert_eq!(draft.parse().unwrap(), contact);
    }

    #[test]
    fn contacts_serialise_with_e164_and_are_checked_on_read() {
        let contact = contact("Директор", LocalRole::Principal, "063 123 456");
        let json = serde_json::to_string(&contact).unwrap();
        assert_eq!(
            json,
            r#"{"name":"Директор","role":"principal","phone":"+38163123456"}"#
        );
        assert_eq!(
            serde_json::from_str::<LocalContact>(&json).unwrap(),
            contact
        );
        assert!(
            serde_json::from_str::<LocalContact>(r#"{"name":"","role":"other","phone":"192"}"#)
                .is_err()
        );
        let list = typical_list();
        let stored = serde_json::to_string(&list).unwrap();
        assert_eq!(
            serde_json::from_str::<LocalContactList>(&stored).unwrap(),
            list
        );
    }

    #[test]
    fn the_list_holds_at_most_fifty() {
        let one = contact("Директор", LocalRole::Principal, "063 123 456");
        let mut list = LocalContactList::new();
        for _ in 0..MAX_LOCAL_CONTACTS {
            list.push(one.clone()).unwrap();
        }
        assert_eq!(
            list.push(one.clone()),
            Err(LocalContactListError::TooMany { count: 51, max: 50 })
        );
        assert_eq!(list.len(), 50);
        assert!(LocalContactList::from_contacts(vec![one; 51]).is_err());
        let too_many = format!(
            "[{}]",
            vec![r#"{"name":"a","role":"other","phone":"192"}"#; 51].join(",")
        );
        assert!(serde_json::from_str::<LocalContactList>(&too_many).is_err());
    }

    #[test]
    fn editing_keeps_order() {
        let mut list = typical_list();
        let names = |list: &LocalContactList| -> Vec<String> {
            list.contacts()
                .iter()
                .map(|c| c.name().to_owned())
                .collect()
        };
        let before = names(&list);
        assert!(list.move_contact(0, 2));
        assert_eq!(
            names(&list)[..3],
            [before[1].clone(), before[2].clone(), before[0].clone()]
        );
        assert!(!list.move_contact(0, 10));
        let removed = list.remove(2).unwrap();
        assert_eq!(removed.name(), before[0]);
        assert_eq!(list.remove(9), None);
        let new = contact("Нови", LocalRole::Other, "192");
        assert_eq!(list.replace(0, new.clone()).unwrap().name(), before[1]);
        assert_eq!(list.replace(99, new.clone()), None);
        assert_eq!(list.contacts()[0], new);
        assert_eq!(list.len(), 9);
        assert!(!list.is_empty());
    }

    /// The export file as serde would write it, to prove the hand-written writer agrees.
    #[derive(Serialize)]
    struct SerdeDocument<'a, C: Serialize> {
        format: &'a str,
        version: u64,
        contacts: Vec<C>,
    }

    #[test]
    fn the_file_writer_agrees_with_serde() {
        for list in [typical_list(), LocalContactList::new()] {
            let document = SerdeDocument {
                format: EXPORT_FORMAT,
                version: EXPORT_VERSION,
                contacts: list.contacts().to_vec(),
            };
            assert_eq!(
                list.to_json(),
                serde_json::to_string_pretty(&document).unwrap()
            );
            assert_eq!(LocalContactList::from_json(&list.to_json()).unwrap(), list);
        }
    }

    #[test]
    fn the_link_is_the_compact_document_and_reads_back() {
        let list = typical_list();
        let fragment = list.to_link_fragment();
        let json = unpack(&URL_SAFE_NO_PAD.decode(&fragment).unwrap()).unwrap();
        let document = SerdeDocument {
            format: EXPORT_FORMAT,
            version: EXPORT_VERSION,
            contacts: list
                .contacts()
                .iter()
                .map(|c| (c.name(), c.role(), c.phone().e164()))
                .collect(),
        };
        assert_eq!(json, serde_json::to_string(&document).unwrap());
        assert_eq!(
            LocalContactList::from_link_fragment(&fragment).unwrap(),
            list
        );
        assert_eq!(
            LocalContactList::from_link_fragment(&format!("#{fragment}")).unwrap(),
            list
        );
        assert!(
            fragment
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }

    #[test]
    fn ten_typical_contacts_fit_a_readable_qr_code() {
        let length = typical_list().to_link_fragment().len();
        // About 1,000 today; UTF-8 JSON with keys would be about 1,650.
        assert!(length < 1_100, "the link fragment has {length} characters");
    }

    #[test]
    fn damaged_links_are_refused() {
        let fragment = typical_list().to_link_fragment();
        for damaged in [
            "",
            "not base64!",
            &fragment[..fragment.len() / 2],
            &format!("{fragment}=="),
            // A byte beyond the table (0xff).
            &URL_SAFE_NO_PAD.encode([b'{', 0xff, b'}']),
        ] {
            assert!(
                LocalContactList::from_link_fragment(damaged).is_err(),
                "{damaged}"
            );
        }
        assert_eq!(
            LocalContactList::from_link_fragment(&URL_SAFE_NO_PAD.encode(b"{")),
            Err(LocalContactsImportError::InvalidLink)
        );
    }

    #[test]
    fn link_entries_are_checked() {
        let link = |json: &str| URL_SAFE_NO_PAD.encode(pack(json));
        assert_eq!(
            LocalContactList::from_link_fragment(&link(
                r#"{"format":"prepoznaj-local-contacts","version":1,"contacts":[["Ана","principal","192"],["Б","other","12"]]}"#
            )),
            Err(LocalContactsImportError::InvalidEntry {
                index: 1,
                error: LocalContactError::Phone(PhoneError::UnknownShortNumber)
            })
        );
        assert!(matches!(
            LocalContactList::from_link_fragment(&link(
                r#"{"format":"prepoznaj-local-contacts","version":1,"contacts":[["Ана","principal"]]}"#
            )),
            Err(LocalContactsImportError::MalformedEntry { index: 0, .. })
        ));
    }

    #[test]
    fn file_import_refusals_name_the_problem() {
        let file = |contacts: &str| {
            format!(
                r#"{{"format":"prepoznaj-local-contacts","version":1,"contacts":[{contacts}]}}"#
            )
        };
        let import = |json: &str| LocalContactList::from_json(json);
        assert!(matches!(
            import("{"),
            Err(LocalContactsImportError::Syntax(_))
        ));
        assert_eq!(
            import(r#"{"format":"something-else","version":1,"contacts":[]}"#),
            Err(LocalContactsImportError::WrongFormat)
        );
        assert_eq!(import("[]"), Err(LocalContactsImportError::WrongFormat));
        assert_eq!(
            import(r#"{"format":"prepoznaj-local-contacts","contacts":[]}"#),
            Err(LocalContactsImportError::WrongFormat)
        );
        assert_eq!(
            import(r#"{"format":"prepoznaj-local-contacts","version":2,"contacts":[]}"#),
            Err(LocalContactsImportError::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        );
        assert_eq!(
            import(r#"{"format":"prepoznaj-local-contacts","version":1,"contacts":{}}"#),
            Err(LocalContactsImportError::WrongFormat)
        );
        let entry = r#"{"name":"a","role":"other","phone":"192"}"#;
        assert_eq!(
            import(&file(&vec![entry; 51].join(","))),
            Err(LocalContactsImportError::TooMany { count: 51, max: 50 })
        );
        assert_eq!(
            import(&file(&format!(
                r#"{entry},{{"name":"Б","role":"police_station","phone":"+381 45 123 456"}}"#
            ))),
            Err(LocalContactsImportError::InvalidEntry {
                index: 1,
                error: LocalContactError::Phone(PhoneError::UnknownPrefix)
            })
        );
        assert_eq!(
            import(&file(r#"{"name":"","role":"other","phone":"192"}"#)),
            Err(LocalContactsImportError::InvalidEntry {
                index: 0,
                error: LocalContactError::Name(NameError::Empty)
            })
        );
        assert!(matches!(
            import(&file(r#"{"name":"a","role":"janitor","phone":"192"}"#)),
            Err(LocalContactsImportError::MalformedEntry { index: 0, .. })
        ));
        // Fields added by a later version are ignored; an empty list is fine.
        assert_eq!(
            import(&file(
                r#"{"name":"a","role":"other","phone":"192","note":"x"}"#
            ))
            .unwrap()
            .len(),
            1
        );
        assert!(import(&file("")).unwrap().is_empty());
    }

    #[test]
    fn packing_round_trips_anything() {
        let text = "ascii \"Ђура\" \\ Jakšić – „citat“ … 😀 中文 é";
        let mut json = String::new();
        push_json_string(&mut json, text);
        let packed = pack(&json);
        let unpacked = unpack(&packed).unwrap();
        // Characters outside the table travel as escapes, which JSON reads as themselves.
        assert!(unpacked.contains("\\ud83d\\ude00"));
        assert_eq!(serde_json::from_str::<String>(&unpacked).unwrap(), text);
        // Serbian text costs one byte a letter.
        assert_eq!(pack("Ђура Јакшић").len(), "Ђура Јакшић".chars().count());
    }

    fn arbitrary_name() -> impl Strategy<Value = String> {
        "[^\\p{Cc}]{1,80}".prop_filter("not blank", |name| !name.trim().is_empty())
    }

    fn arbitrary_contact() -> impl Strategy<Value = LocalContact> {
        (
            arbitrary_name(),
            proptest::sample::select(LocalRole::ALL.to_vec()),
            proptest::sample::select(vec![
                "192",
                "116 111",
                "011 123 4567",
                "063 123 456",
                "+44 20 7946 0958",
                "0800 100 388",
            ]),
        )
            .prop_map(|(name, role, phone)| {
                LocalContactDraft {
                    name,
                    role,
                    phone: phone.to_owned(),
                }
                .parse()
                .unwrap()
            })
    }

    proptest! {
        #[test]
        fn file_and_link_round_trip(contacts in proptest::collection::vec(arbitrary_contact(), 0..12)) {
            let list = LocalContactList::from_contacts(contacts).unwrap();
            prop_assert_eq!(&LocalContactList::from_json(&list.to_json()).unwrap(), &list);
            prop_assert_eq!(
                &LocalContactList::from_link_fragment(&list.to_link_fragment()).unwrap(),
                &list
            );
        }

        #[test]
        fn import_never_panics(input in "\\PC{0,200}") {
            let _ = LocalContactList::from_json(&input);
            let _ = LocalContactList::from_link_fragment(&input);
        }
    }
}
