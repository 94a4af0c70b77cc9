//! Every message key in `locales/` is used by the app, and every key a test looks up exists.
//!
//! The app reads messages through the structs `build.rs` generates, so a key the code names
//! but the files lack is already a build error; the other way round nothing complained, and
//! texts nobody sees piled up in the first load. A key counts as used when the app's code
//! (`src/**/*.rs`, test modules left out) reads it as a field: `.key`. The end-to-end specs
//! (`tests/e2e/`, `tests/cross-engine/`) look keys up in plain JSON, where a missing key is
//! only an `undefined` at run time: their lookups are checked here against the files.

use std::collections::BTreeSet;
use std::path::PathBuf;

mod support;
use support::{files, read, repository};

/// Every message key: the keys of the Serbian source files (`build.rs` makes the English
/// files match them), each with the file it is in.
fn message_keys() -> Vec<(String, PathBuf)> {
    let sources = files(&repository().join("locales"), "json");
    let mut keys = Vec::new();
    for path in sources.iter().filter(|path| path.ends_with("sr-Cyrl.json")) {
        let catalogue: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(&read(path))
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
        keys.extend(catalogue.keys().map(|key| (key.clone(), path.clone())));
    }
    assert!(keys.len() > 100, "only {} message keys found", keys.len());
    keys
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The identifier at the start of `text`.
fn identifier(text: &str) -> &str {
    let end = text.find(|c| !is_identifier_char(c)).unwrap_or(text.len());
    &text[..end]
}

/// The app's code without its tests: a file's `#[cfg(test)]` part (tests come last in a
/// file) and the test-only modules it declares there (`#[cfg(test)] mod table;`) left out.
fn app_code() -> String {
    let sources = files(&repository().join("src"), "rs");
    let mut test_modules = BTreeSet::new();
    let mut code = Vec::new();
    for path in &sources {
        let text = read(path);
        let (app, tests) = text.split_at(text.find("#[cfg(test)]").unwrap_or(text.len()));
        let module_dir = if path.ends_with("mod.rs") || path.ends_with("lib.rs") {
            path.with_file_name("")
        } else {
            path.with_extension("")
        };
        for declared in tests.split("mod ").skip(1) {
            let name = identifier(declared);
            if declared[name.len()..].starts_with(';') {
                test_modules.insert(module_dir.join(format!("{name}.rs")));
            }
        }
        code.push((path.clone(), app.to_owned()));
    }
    assert!(code.len() > 50, "only {} source files found", code.len());
    code.into_iter()
        .filter(|(path, _)| !test_modules.contains(path))
        .map(|(_, app)| app)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every identifier read as a field or method: `.name`.
fn fields(code: &str) -> BTreeSet<&str> {
    code.split('.')
        .skip(1)
        .map(identifier)
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn every_message_key_is_used_by_the_app() {
    let code = app_code();
    let used = fields(&code);
    let unused: Vec<String> = message_keys()
        .into_iter()
        .filter(|(key, _)| !used.contains(key.as_str()))
        .map(|(key, path)| format!("{key} ({})", path.display()))
        .collect();
    assert!(
        unused.is_empty(),
        "message keys no code of the app uses (delete them, or show them):\n{}",
        unused.join("\n")
    );
}

/// The message keys a spec looks up: `receiver.key` for every name bound to a locale's
/// messages (`const en = LOCALES.en`, `m: Messages`) and `LOCALES[tag].key`, and the keys
/// written as strings where a key is expected (`title: 'home_title'`,
/// `expectScreenIn(page, tag, 'home_title')`).
fn spec_lookups(spec: &str) -> Vec<String> {
    let mut receivers = BTreeSet::new();
    for (index, _) in spec.match_indices(" = LOCALES") {
        let before = &spec[..index];
        let start = before
            .rfind(|c| !is_identifier_char(c))
            .map_or(0, |position| position + 1);
        receivers.insert(&before[start..]);
    }
    for (index, _) in spec.match_indices(": Messages") {
        let before = &spec[..index];
        let start = before
            .rfind(|c| !is_identifier_char(c))
            .map_or(0, |position| position + 1);
        receivers.insert(&before[start..]);
    }
    let mut keys = Vec::new();
    let mut read_after = |rest: &str| {
        if let Some(after_dot) = rest.strip_prefix('.') {
            let key = identifier(after_dot);
            let is_call = after_dot[key.len()..].starts_with('(');
            if !key.is_empty() && !is_call {
                keys.push(key.to_owned());
            }
        }
    };
    for receiver in receivers.iter().filter(|receiver| !receiver.is_empty()) {
        for (index, _) in spec.match_indices(receiver) {
            let preceded_by_name = spec[..index]
                .chars()
                .next_back()
                // A longer name, a property, or a path (`locales/en.json`).
                .is_some_and(|c| is_identifier_char(c) || matches!(c, '.' | '/' | '$'));
            if !preceded_by_name {
                read_after(&spec[index + receiver.len()..]);
            }
        }
    }
    for (index, _) in spec.match_indices("LOCALES[") {
        let rest = &spec[index + "LOCALES[".len()..];
        if let Some(end) = rest.find(']') {
            read_after(&rest[end + 1..]);
        }
    }
    for (index, _) in spec.match_indices("LOCALES.") {
        let rest = &spec[index + "LOCALES.".len()..];
        read_after(&rest[identifier(rest).len()..]);
    }
    for (index, _) in spec.match_indices("title: '") {
        let key = identifier(&spec[index + "title: '".len()..]);
        keys.push(key.to_owned());
    }
    for (index, _) in spec.match_indices("expectScreenIn(") {
        let rest = &spec[index + "expectScreenIn(".len()..];
        let arguments = &rest[..rest.find(')').unwrap_or(rest.len())];
        let last = arguments.rsplit(',').next().unwrap_or_default().trim();
        if let Some(quoted) = last.strip_prefix('\'') {
            keys.push(identifier(quoted).to_owned());
        }
    }
    keys
}

#[test]
fn every_key_an_end_to_end_spec_looks_up_exists() {
    let keys: BTreeSet<String> = message_keys().into_iter().map(|(key, _)| key).collect();
    let mut specs = files(&repository().join("tests/e2e"), "ts");
    specs.extend(files(&repository().join("tests/cross-engine"), "ts"));
    let mut looked_up = 0;
    let mut missing = Vec::new();
    for path in &specs {
        for key in spec_lookups(&read(path)) {
            looked_up += 1;
            if !keys.contains(&key) {
                missing.push(format!("{key} ({})", path.display()));
            }
        }
    }
    assert!(
        looked_up > 200,
        "only {looked_up} lookups found in the specs"
    );
    assert!(
        missing.is_empty(),
        "keys the specs look up that no locale file has:\n{}",
        missing.join("\n")
    );
}

#[test]
fn lookups_are_found_in_every_form_the_specs_use() {
    let spec = "const en = LOCALES.en;\n\
        function f(page: Page, m: Messages) { m.guidance_title; }\n\
        en.home_title; LOCALES[tag].settings_title; LOCALES[tag][route.title];\n\
        en.json(); fill(en.sync_waiting, {});\n\
        const ROUTES = [{ path: '/', title: 'observe_title' }];\n\
        await expectScreenIn(page, DEFAULT_LOCALE, 'inbox_title');\n\
        the.other_thing; token.member_token;";
    assert_eq!(
        spec_lookups(spec),
        [
            "home_title",
            "sync_waiting",
            "guidance_title",
            "settings_title",
            "observe_title",
            "inbox_title"
        ]
    );
}
