//! Build recipes for Prepoznaj.
//!
//! - `post-build [DIR]`: run by trunk (Trunk.toml hook) on its staging directory
//!   (`TRUNK_STAGING_DIR`): strips the comment lines of `boot.js`, builds the feature bundles next to trunk's shell, writes the
//!   service worker's precache list, bundle table and version from the build output, then
//!   writes precompressed `.br` and `.gz` siblings for the server; writes every bundle's
//!   message table per locale and names them in the bundle's page.
//! - `size-report [DIR]`: prints the compressed bytes of everything the first load needs.
//!
//! It never touches source files; it only rewrites files inside the given build directory.

mod bundles;
mod compress;
mod locale_files;
mod messages;
mod precache;
mod scripts;
mod size_report;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let command = args.next().unwrap_or_default();
    let explicit_dir = args.next().map(PathBuf::from);
    let result = match command.as_str() {
        "post-build" => {
            let staging = std::env::var_os("TRUNK_STAGING_DIR").map(PathBuf::from);
            match explicit_dir.or(staging) {
                Some(dir) => post_build(&dir),
                None => Err("post-build needs a directory (or TRUNK_STAGING_DIR)".to_owned()),
            }
        }
        "size-report" => size_report::run(&explicit_dir.unwrap_or_else(|| PathBuf::from("dist"))),
        _ => Err("usage: xtask post-build [DIR] | xtask size-report [DIR]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask: error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn post_build(dir: &std::path::Path) -> Result<(), String> {
    scripts::strip_comments(dir)?;
    let bundles = bundles::build_feature_bundles(dir)?;
    eprintln!("xtask: feature bundles built: {}", bundles.join(", "));
    let tables = messages::write_tables(dir)?;
    eprintln!("xtask: {tables} message tables written");
    let version = precache::write_service_worker(dir)?;
    let compressed = compress::compress_tree(dir)?;
    eprintln!(
        "xtask: service worker version {version}; {compressed} files precompressed in {}",
        dir.display()
    );
    Ok(())
}
