//! Writes every bundle's message table in every locale into the build
//! (`messages/<bundle>.<locale>-<hash>.txt`, see `prepoznaj_domain::message_table`), and
//! names them in a `prepoznaj-messages` meta element of the bundle's page, which `boot.js`
//! reads to fetch the table of the page's locale. The tables are content-hashed, so the
//! server serves them `immutable`, and precached like every other file of the build.

use std::path::{Path, PathBuf};

use prepoznaj_domain::bundles::ALL;
use prepoznaj_domain::locale::Locale;
use prepoznaj_domain::message_table::{self, MessageSection};
use sha2::{Digest, Sha256};

use crate::locale_files::read_section;

/// The meta element's name.
const META: &str = "prepoznaj-messages";

/// Writes the tables into `staging` and names them in each bundle's page; returns how many.
pub fn write_tables(staging: &Path) -> Result<usize, String> {
    let source_dir =
        std::env::var_os("TRUNK_SOURCE_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let locales = source_dir.join("locales");
    let read = |section: &MessageSection, locale: Locale| read_section(&locales, section, locale);
    let sources = message_table::sources(&read)?;
    let out = staging.join("messages");
    std::fs::create_dir_all(&out).map_err(|error| format!("{}: {error}", out.display()))?;
    let mut written = 0;
    for bundle in ALL {
        let mut named = Vec::new();
        for locale in Locale::ALL {
            let table = message_table::bundle_table(locale, bundle.messages, &sources, &read)?;
            let hash: String = Sha256::digest(table.as_bytes())
                .iter()
                .take(8)
                .map(|byte| format!("{byte:02x}"))
                .collect();
            let name = format!("{}.{}-{hash}.txt", bundle.name, locale.tag());
            std::fs::write(out.join(&name), &table).map_err(|error| format!("{name}: {error}"))?;
            named.push(format!("{}=/messages/{name}", locale.tag()));
            written += 1;
        }
        let page_path = staging.join(bundle.html);
        let page = std::fs::read_to_string(&page_path)
            .map_err(|error| format!("{}: {error}", page_path.display()))?;
        std::fs::write(&page_path, with_meta(&page, &named.join(" "))?)
            .map_err(|error| format!("{}: {error}", page_path.display()))?;
    }
    Ok(written)
}

/// `page` with the meta element naming its tables, after trunk's `prepoznaj-wasm` one.
fn with_meta(page: &str, content: &str) -> Result<String, String> {
    let marker = "<meta name=\"prepoznaj-wasm\"";
    if !page.contains(marker) {
        return Err("a bundle page has no prepoznaj-wasm meta element".to_owned());
    }
    Ok(page.replacen(
        marker,
        &format!("<meta name=\"{META}\" content=\"{content}\">{marker}"),
        1,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meta_element_goes_beside_the_bundle_files() {
        let page = "<head><meta name=\"prepoznaj-js\" content=\"/a.js\"><meta name=\"prepoznaj-wasm\" content=\"/a_bg.wasm\"></head>";
        let with =
            with_meta(page, "sr-Cyrl=/messages/a.txt hu=/messages/b.txt").unwrap_or_default();
        assert!(with.contains(
            "<meta name=\"prepoznaj-messages\" content=\"sr-Cyrl=/messages/a.txt hu=/messages/b.txt\"><meta name=\"prepoznaj-wasm\""
        ));
        assert!(with_meta("<head></head>", "x").is_err());
    }
}
