//! Compressed size of everything the first load needs: index.html and what it references
//! (boot.js, the wasm-bindgen JS, the wasm, the CSS, the manifest), and the shell's message
//! table, in each locale.

use std::path::Path;

use crate::compress::{brotli_bytes, gzip_bytes};

/// The first-load budget of the shell in every locale (issue 18), in bytes of brotli.
const BUDGET_BROTLI: usize = 120 * 1024;

/// Prints one line per first-load file and the totals; names the budget verdict.
pub fn run(dir: &Path) -> Result<(), String> {
    let index_path = dir.join("index.html");
    let index = std::fs::read_to_string(&index_path)
        .map_err(|error| format!("{}: {error} (build first)", index_path.display()))?;
    let mut files = vec!["/index.html".to_owned()];
    for attribute in ["href=\"", "src=\"", "content=\""] {
        for piece in index.split(attribute).skip(1) {
            let Some(url) = piece.split('"').next() else {
                continue;
            };
            let wanted = url.starts_with('/')
                && [".js", ".wasm", ".css", ".webmanifest"]
                    .iter()
                    .any(|ext| url.ends_with(ext));
            if wanted && !files.iter().any(|known| known == url) {
                files.push(url.to_owned());
            }
        }
    }
    let (mut raw_total, mut br_total, mut gz_total) = (0, 0, 0);
    let mut out =
        String::from("first-load file                               raw     brotli       gzip\n");
    for url in &files {
        let path = dir.join(url.trim_start_matches('/'));
        let bytes = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let (raw, br, gz) = (
            bytes.len(),
            brotli_bytes(&bytes)?.len(),
            gzip_bytes(&bytes)?.len(),
        );
        raw_total += raw;
        br_total += br;
        gz_total += gz;
        out.push_str(&format!("{url:<40} {raw:>10} {br:>10} {gz:>10}\n"));
    }
    out.push_str(&format!(
        "{:<40} {raw_total:>10} {br_total:>10} {gz_total:>10}\n",
        "total"
    ));
    out.push_str("the shell's message table, per locale (one is loaded):\n");
    let tables = index
        .split("<meta name=\"prepoznaj-messages\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("index.html names no message tables (prepoznaj-messages)")?;
    let mut largest = 0;
    for pair in tables.split(' ') {
        let (tag, url) = pair
            .split_once('=')
            .ok_or("a malformed prepoznaj-messages pair")?;
        let path = dir.join(url.trim_start_matches('/'));
        let bytes = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let br = brotli_bytes(&bytes)?.len();
        out.push_str(&format!(
            "{:<40} {:>10} {br:>10} {:>10}\n",
            format!("  {tag}"),
            bytes.len(),
            gzip_bytes(&bytes)?.len()
        ));
        let with_table = br_total + br;
        out.push_str(&format!(
            "first-load bytes in {tag}: {with_table} brotli ({:.1} KiB)\n",
            with_table as f64 / 1024.0
        ));
        largest = largest.max(with_table);
    }
    let verdict = if largest <= BUDGET_BROTLI {
        "within"
    } else {
        "OVER"
    };
    out.push_str(&format!(
        "first-load bytes without the table: {br_total} brotli, {gz_total} gzip; the largest locale: {largest} brotli ({:.1} KiB); budget {} KiB brotli in every locale: {verdict}\n",
        largest as f64 / 1024.0,
        BUDGET_BROTLI / 1024
    ));
    eprint!("{out}");
    Ok(())
}
