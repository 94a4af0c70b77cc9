//! What the operator records about a school besides its name, for a deployment that serves a
//! School Administration or the whole country: its municipality, its school administration
//! and the operator's own id for it ([`ExternalId`]), checked once here and stored as checked.
//!
//! No IO and no SQL: the store keeps these, `operator` reads them from files and prints them.

use std::fmt;

use prepoznaj_domain::protocol::{NameError, SchoolName};
use serde::Serialize;

/// A municipality or a school administration, by the rules of a school's name: trimmed, one
/// line, at most [`SchoolName::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct PlaceName(String);

impl PlaceName {
    /// `None` for a blank text (not given).
    ///
    /// # Errors
    /// [`NameError`] for a name too long or with a control character.
    pub fn parse_optional(text: &str) -> Result<Option<Self>, NameError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        SchoolName::parse(text).map(|name| Some(Self(String::from(name))))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PlaceName {
    type Error = NameError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse_optional(&text)?.ok_or(NameError::Empty)
    }
}

impl From<PlaceName> for String {
    fn from(name: PlaceName) -> Self {
        name.0
    }
}

impl fmt::Display for PlaceName {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The operator's own id for a school (the Ministry's or the administration's number for
/// it): what makes an import idempotent, and a way to name the school in commands. Trimmed,
/// 1 to [`ExternalId::MAX_CHARS`] characters, no whitespace or control characters inside.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct ExternalId(String);

/// Why a text is not an external id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalIdError {
    #[error("the external id has {length} characters; at most {max} are allowed")]
    TooLong { length: usize, max: usize },
    #[error("the external id contains a space or a control character")]
    Whitespace,
}

impl ExternalId {
    /// The longest external id accepted, in characters.
    pub const MAX_CHARS: usize = 64;

    /// `None` for a blank text (not given).
    ///
    /// # Errors
    /// [`ExternalIdError`] for an id too long or with whitespace or a control character.
    pub fn parse_optional(text: &str) -> Result<Option<Self>, ExternalIdError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let length = trimmed.chars().count();
        if length > Self::MAX_CHARS {
            return Err(ExternalIdError::TooLong {
                length,
                max: Self::MAX_CHARS,
            });
        }
        if trimmed
            .chars()
            .any(|character| character.is_whitespace() || character.is_control())
        {
            return Err(ExternalIdError::Whitespace);
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ExternalId {
    type Error = ExternalIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse_optional(&text)?.ok_or(ExternalIdError::Whitespace)
    }
}

impl From<ExternalId> for String {
    fn from(id: ExternalId) -> Self {
        id.0
    }
}

impl fmt::Display for ExternalId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Where a school is and the operator's id for it; each may be unknown (a school made by
/// `school create`, or before these were kept).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SchoolDetails {
    pub municipality: Option<PlaceName>,
    pub school_administration: Option<PlaceName>,
    pub external_id: Option<ExternalId>,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly on purpose")]

    use super::*;

    #[test]
    fn blank_is_not_given_and_bad_text_is_refused() {
        assert_eq!(ExternalId::parse_optional("  "), Ok(None));
        assert_eq!(
            ExternalId::parse_optional(" 70123 ")
                .unwrap()
                .unwrap()
                .as_str(),
            "70123"
        );
        assert_eq!(
            ExternalId::parse_optional("701 23"),
            Err(ExternalIdError::Whitespace)
        );
        assert_eq!(
            ExternalId::parse_optional(&"7".repeat(65)),
            Err(ExternalIdError::TooLong {
                length: 65,
                max: 64
            })
        );
        assert_eq!(PlaceName::parse_optional(""), Ok(None));
        assert_eq!(
            PlaceName::parse_optional(" Нови Сад ")
                .unwrap()
                .unwrap()
                .as_str(),
            "Нови Сад"
        );
        assert_eq!(
            PlaceName::parse_optional("a\u{7}b"),
            Err(NameError::ControlCharacter)
        );
    }
}
