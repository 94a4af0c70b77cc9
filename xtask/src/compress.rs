//! Precompressed `.br` (quality 11) and `.gz` (level 9) siblings of every text and wasm file,
//! so that the server never compresses on the fly.

use std::io::Write as _;
use std::path::Path;

use crate::precache::{is_compressed_sibling, list_files};

const COMPRESSIBLE: [&str; 8] = [
    "html",
    "js",
    "wasm",
    "css",
    "webmanifest",
    "json",
    "svg",
    "txt",
];

/// Writes the siblings for every compressible file below `dir`; returns how many files.
pub fn compress_tree(dir: &Path) -> Result<usize, String> {
    let mut count = 0;
    for path in list_files(dir)? {
        let compressible = path
            .extension()
            .and_then(|extension| extension.to_str())
            .is_some_and(|extension| COMPRESSIBLE.contains(&extension));
        if !compressible || is_compressed_sibling(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|error| format!("{}: {error}", path.display()))?;
        let name = path.to_string_lossy();
        for (suffix, compressed) in [("br", brotli_bytes(&bytes)?), ("gz", gzip_bytes(&bytes)?)] {
            // A sibling that saves nothing is not written; the server then sends the file.
            if compressed.len() < bytes.len() {
                std::fs::write(format!("{name}.{suffix}"), compressed)
                    .map_err(|error| format!("{name}.{suffix}: {error}"))?;
            }
        }
        count += 1;
    }
    Ok(count)
}

/// Brotli at the highest quality, as served.
pub fn brotli_bytes(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(bytes).map_err(|error| error.to_string())?;
        writer.flush().map_err(|error| error.to_string())?;
    }
    Ok(out)
}

/// Gzip at level 9, as served.
pub fn gzip_bytes(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .map_err(|error| error.to_string())?;
    encoder.finish().map_err(|error| error.to_string())
}
