//! Reading `locales/`: shared by the xtask (which writes the message tables into the build)
//! and the app's `build.rs` (which takes this file as a module), so both read the same files the
//! same way.

use std::path::Path;

use prepoznaj_domain::locale::{Locale, MessageCatalogue};
use prepoznaj_domain::message_table::{self, MessageSection};

/// A section's file in `locale` (`locales/[<dir>/]<tag>.json`), `None` if there is none.
pub fn read_section(
    locales: &Path,
    section: &MessageSection,
    locale: Locale,
) -> Result<Option<MessageCatalogue>, String> {
    let path = locales.join(section.file(locale));
    if !path.is_file() {
        return Ok(None);
    }
    let text =
        std::fs::read_to_string(&path).map_err(|error| format!("{}: {error}", path.display()))?;
    message_table::parse_catalogue(&text)
        .map(Some)
        .map_err(|error| format!("{}: {error}", path.display()))
}
