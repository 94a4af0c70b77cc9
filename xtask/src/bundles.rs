//! Builds the app's feature bundles (every bundle of `prepoznaj_domain::bundles` but the
//! shell, which trunk builds) into the staging directory, the way trunk builds the shell:
//! cargo → wasm-bindgen (`--target web`) → wasm-opt `-Oz` in release, content-hashed names,
//! and an HTML page that is the shell's `index.html` pointing at the bundle's files.

use std::path::{Path, PathBuf};
use std::process::Command;

use prepoznaj_domain::bundles::{ALL, Bundle, SHELL};
use sha2::{Digest, Sha256};

/// Builds every feature bundle into `staging`; returns their names.
pub fn build_feature_bundles(staging: &Path) -> Result<Vec<&'static str>, String> {
    let release = std::env::var("TRUNK_PROFILE").map_or(true, |profile| profile == "release");
    let index_path = staging.join(SHELL.html);
    let index = std::fs::read_to_string(&index_path)
        .map_err(|error| format!("{}: {error}", index_path.display()))?;
    let shell_js = meta_content(&index, "prepoznaj-js")?;
    let shell_wasm = meta_content(&index, "prepoznaj-wasm")?;
    let mut built = Vec::new();
    for bundle in ALL.iter().filter(|bundle| bundle.name != SHELL.name) {
        let (js, wasm) = build_bundle(bundle, staging, release)?;
        let page = point_page_at(&index, &shell_js, &shell_wasm, &js, &wasm);
        let page = with_styles(&page, bundle, staging)?;
        std::fs::write(staging.join(bundle.html), page)
            .map_err(|error| format!("{}: {error}", bundle.html))?;
        built.push(bundle.name);
    }
    Ok(built)
}

fn build_bundle(
    bundle: &Bundle,
    staging: &Path,
    release: bool,
) -> Result<(String, String), String> {
    let profile = if release { "wasm-release" } else { "dev" };
    run(Command::new("cargo").args([
        "build",
        "--quiet",
        "--profile",
        profile,
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        "prepoznaj",
        "--bin",
        bundle.name,
    ]))?;
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let profile_dir = if release { "wasm-release" } else { "debug" };
    let wasm = target_dir
        .join("wasm32-unknown-unknown")
        .join(profile_dir)
        .join(format!("{}.wasm", bundle.name));
    let out = staging.join(format!(".bundle-{}", bundle.name));
    std::fs::create_dir_all(&out).map_err(|error| format!("{}: {error}", out.display()))?;
    run(Command::new("wasm-bindgen")
        .arg("--target=web")
        .arg("--no-typescript")
        .arg(format!("--out-dir={}", out.display()))
        .arg(format!("--out-name={}", bundle.name))
        .arg(&wasm))?;
    let bindgen_wasm = out.join(format!("{}_bg.wasm", bundle.name));
    if release {
        let optimised = out.join("optimised.wasm");
        run(Command::new("wasm-opt")
            .arg(format!("--output={}", optimised.display()))
            .arg("-Oz")
            .arg(&bindgen_wasm))?;
        std::fs::rename(&optimised, &bindgen_wasm).map_err(|error| error.to_string())?;
    }
    let js_bytes = read(&out.join(format!("{}.js", bundle.name)))?;
    let wasm_bytes = read(&bindgen_wasm)?;
    let mut hasher = Sha256::new();
    hasher.update(&js_bytes);
    hasher.update(&wasm_bytes);
    let hash: String = hasher
        .finalize()
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let js_name = format!("{}-{hash}.js", bundle.name);
    let wasm_name = format!("{}-{hash}_bg.wasm", bundle.name);
    write(&staging.join(&js_name), &js_bytes)?;
    write(&staging.join(&wasm_name), &wasm_bytes)?;
    std::fs::remove_dir_all(&out).map_err(|error| format!("{}: {error}", out.display()))?;
    Ok((format!("/{js_name}"), format!("/{wasm_name}")))
}

/// `page` with a link to the bundle's own style sheet (its `styles` joined, content-hashed)
/// just before `</head>`, after the shell's `main.css` it builds on.
fn with_styles(page: &str, bundle: &Bundle, staging: &Path) -> Result<String, String> {
    if bundle.styles.is_empty() {
        return Ok(page.to_owned());
    }
    let source_dir =
        std::env::var_os("TRUNK_SOURCE_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let mut css = Vec::new();
    for style in bundle.styles {
        css.extend(read(&source_dir.join("style").join(style))?);
        css.push(b'\n');
    }
    let hash: String = Sha256::digest(&css)
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    let name = format!("{}-{hash}.css", bundle.name);
    write(&staging.join(&name), &css)?;
    let link = format!("<link rel=\"stylesheet\" href=\"/{name}\" />\n  </head>");
    if !page.contains("</head>") {
        return Err(format!("{} has no </head>", bundle.html));
    }
    Ok(page.replacen("</head>", &link, 1))
}

/// The `content` of `<meta name="{name}" content="…">` that trunk writes (Trunk.toml).
fn meta_content(html: &str, name: &str) -> Result<String, String> {
    let marker = format!("<meta name=\"{name}\" content=\"");
    let start = html
        .find(&marker)
        .map(|start| start + marker.len())
        .ok_or_else(|| format!("index.html has no <meta name=\"{name}\">"))?;
    let end = html[start..]
        .find('"')
        .ok_or_else(|| format!("unterminated <meta name=\"{name}\">"))?;
    Ok(html[start..start + end].to_owned())
}

/// The shell's page with every reference to its JS and wasm replaced by the bundle's. The
/// preload links lose their `integrity` (it was the shell files' digest).
fn point_page_at(index: &str, shell_js: &str, shell_wasm: &str, js: &str, wasm: &str) -> String {
    let mut page = String::with_capacity(index.len());
    let mut rest = index;
    while let Some(start) = rest.find("<link ") {
        page.push_str(&rest[..start]);
        let end = rest[start..]
            .find('>')
            .map_or(rest.len(), |end| start + end + 1);
        let tag = &rest[start..end];
        if tag.contains(shell_js) || tag.contains(shell_wasm) {
            page.push_str(&without_integrity(tag));
        } else {
            page.push_str(tag);
        }
        rest = &rest[end..];
    }
    page.push_str(rest);
    page.replace(shell_wasm, wasm).replace(shell_js, js)
}

fn without_integrity(tag: &str) -> String {
    match tag.find(" integrity=\"") {
        Some(start) => {
            let value_start = start + " integrity=\"".len();
            let end = tag[value_start..]
                .find('"')
                .map_or(tag.len(), |end| value_start + end + 1);
            format!("{}{}", &tag[..start], &tag[end..])
        }
        None => tag.to_owned(),
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("cannot run {:?}: {error}", command.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed with {status}"))
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|error| format!("{}: {error}", path.display()))
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|error| format!("{}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_page_points_at_the_bundle_files_only() {
        let index = concat!(
            "<meta name=\"prepoznaj-js\" content=\"/prepoznaj-aaaa.js\">",
            "<meta name=\"prepoznaj-wasm\" content=\"/prepoznaj-aaaa_bg.wasm\">",
            "<link rel=\"stylesheet\" href=\"/main-1.css\" integrity=\"sha384-css\"/>",
            "<link rel=\"modulepreload\" href=\"/prepoznaj-aaaa.js\" crossorigin=\"anonymous\" integrity=\"sha384-js\">",
            "<link rel=\"preload\" href=\"/prepoznaj-aaaa_bg.wasm\" integrity=\"sha384-wasm\" as=\"fetch\">"
        );
        let page = point_page_at(
            index,
            "/prepoznaj-aaaa.js",
            "/prepoznaj-aaaa_bg.wasm",
            "/b-1.js",
            "/b-1_bg.wasm",
        );
        assert_eq!(
            meta_content(&page, "prepoznaj-js").unwrap_or_default(),
            "/b-1.js"
        );
        assert_eq!(
            meta_content(&page, "prepoznaj-wasm").unwrap_or_default(),
            "/b-1_bg.wasm"
        );
        assert!(
            page.contains(
                "<link rel=\"modulepreload\" href=\"/b-1.js\" crossorigin=\"anonymous\">"
            )
        );
        assert!(page.contains("<link rel=\"preload\" href=\"/b-1_bg.wasm\" as=\"fetch\">"));
        assert!(
            page.contains("integrity=\"sha384-css\""),
            "other links keep their integrity"
        );
        assert!(!page.contains("prepoznaj-aaaa"));
    }
}
