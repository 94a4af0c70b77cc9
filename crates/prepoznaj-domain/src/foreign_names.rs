//! Serbian proper names inside a text in another language.
//!
//! A Hungarian text keeps the Serbian name of an institution or a law beside its Hungarian
//! one where a caller will hear it on the phone or find it on a document, written
//! `{sr|Centar za socijalni rad}` in the content files (Serbian Latin inside the braces).
//! [`plain`] is the text as read (the name without its braces); [`segments`] gives the app the
//! pieces, so that it marks each name `lang="sr-Latn"` for screen readers and hyphenation.

use std::borrow::Cow;

const OPEN: &str = "{sr|";
const CLOSE: char = '}';

/// A piece of a text: in the text's own language, or a Serbian name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    /// The characters shown.
    pub text: &'a str,
    /// Whether they are a Serbian name (Serbian Latin) inside the text.
    pub serbian: bool,
}

/// The text's pieces in order; a text without names is one piece. An opening `{sr|` without
/// its closing brace is shown as written.
#[must_use]
pub fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let name_start = start + OPEN.len();
        let Some(length) = rest[name_start..].find(CLOSE) else {
            break;
        };
        if start > 0 {
            pieces.push(Segment {
                text: &rest[..start],
                serbian: false,
            });
        }
        pieces.push(Segment {
            text: &rest[name_start..name_start + length],
            serbian: true,
        });
        rest = &rest[name_start + length + 1..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(Segment {
            text: rest,
            serbian: false,
        });
    }
    pieces
}

/// The text as read: every name without its markup.
#[must_use]
pub fn plain(text: &str) -> Cow<'_, str> {
    if !text.contains(OPEN) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(segments(text).iter().map(|segment| segment.text).collect())
}

/// Whether every `{sr|` has its closing brace and holds a name.
#[must_use]
pub fn well_formed(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        let name_start = start + OPEN.len();
        match rest[name_start..].find(CLOSE) {
            Some(length) if !rest[name_start..name_start + length].trim().is_empty() => {
                rest = &rest[name_start + length + 1..];
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_its_own_segment_and_reads_without_braces() {
        let text = "Hívja a szociális központot ({sr|Centar za socijalni rad}) még ma.";
        assert_eq!(
            segments(text),
            vec![
                Segment {
                    text: "Hívja a szociális központot (",
                    serbian: false
                },
                Segment {
                    text: "Centar za socijalni rad",
                    serbian: true
                },
                Segment {
                    text: ") még ma.",
                    serbian: false
                },
            ]
        );
        assert_eq!(
            plain(text),
            "Hívja a szociális központot (Centar za socijalni rad) még ma."
        );
        assert!(well_formed(text));
    }

    #[test]
    fn text_without_names_is_one_segment_and_broken_markup_is_caught() {
        assert_eq!(
            segments("Rendőrség: 192"),
            vec![Segment {
                text: "Rendőrség: 192",
                serbian: false
            }]
        );
        assert!(matches!(plain("Rendőrség: 192"), Cow::Borrowed(_)));
        assert!(!well_formed("a {sr|Centar za socijalni rad"));
        assert!(!well_formed("a {sr| } b"));
        assert_eq!(
            segments("{sr|Policija}"),
            vec![Segment {
                text: "Policija",
                serbian: true
            }]
        );
    }
}
