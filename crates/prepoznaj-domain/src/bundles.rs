//! The app's entry points ("bundles") and the addresses each one serves.
//!
//! The app is built as several wasm programs so that the first load stays small: the shell
//! (home, settings) loads first; a feature bundle loads when one of its
//! addresses is opened (and the service worker precaches all of them for offline use). This
//! table is the one place that says which address belongs to which bundle: the app uses it to
//! make links to another bundle full page loads, the build step to write each bundle's HTML
//! and the service worker's navigation fallback, and the server for its fallback.

/// One entry point of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bundle {
    /// Name of the binary target (and of its built `.js`/`_bg.wasm` files).
    pub name: &'static str,
    /// The HTML page that starts it, at the root of the build.
    pub html: &'static str,
    /// Address prefixes it serves; the shell serves everything the others do not.
    pub prefixes: &'static [&'static str],
    /// Style sheets in `style/` only this bundle needs, added to its page after the shell's
    /// `main.css` (so they are not part of the first load).
    pub styles: &'static [&'static str],
    /// The sections of UI messages it shows (`message_table::SECTIONS`), in the order its
    /// message table holds them; the shell's first.
    pub messages: &'static [&'static str],
}

/// Home and settings (and every unknown address): what the first load needs.
pub const SHELL: Bundle = Bundle {
    name: "prepoznaj",
    html: "index.html",
    prefixes: &[],
    styles: &[],
    messages: &["shell"],
};

/// The observation checklist and quick mode.
pub const OBSERVE: Bundle = Bundle {
    name: "prepoznaj-observe",
    html: "observe.html",
    prefixes: &["/observe", "/quick"],
    styles: &["contacts.css", "answers.css"],
    messages: &["shell", "contacts", "team", "lock"],
};

/// The guidance and the contacts (national, and the school's own local ones).
pub const REFERENCE: Bundle = Bundle {
    name: "prepoznaj-reference",
    html: "reference.html",
    prefixes: &["/guidance", "/contacts"],
    styles: &["guidance.css", "contacts.css"],
    messages: &["shell", "guidance", "contacts"],
};

/// The protection team's pages (set-up, joining, key recovery, members, enrolment links, the
/// inbox of reports) and a staff phone's enrolment: the pages that make and hold keys.
pub const TEAM: Bundle = Bundle {
    name: "prepoznaj-team",
    html: "team.html",
    prefixes: &["/team", "/enrol", "/inbox"],
    styles: &["contacts.css", "team.css", "inbox.css", "answers.css"],
    messages: &["shell", "contacts", "team", "inbox", "lock"],
};

/// Practice on made-up cases: the exercise, quick practice, the record, the trainer's view.
/// It never links `age` and never touches an observation or the outbox.
pub const PRACTICE: Bundle = Bundle {
    name: "prepoznaj-practice",
    html: "practice.html",
    prefixes: &["/practice"],
    styles: &["answers.css", "practice.css"],
    messages: &["shell", "practice"],
};

/// Every bundle; the shell first.
pub const ALL: [Bundle; 5] = [SHELL, OBSERVE, REFERENCE, TEAM, PRACTICE];

/// The bundle that serves `path` (a URL path, without query or fragment).
#[must_use]
pub fn bundle_for_path(path: &str) -> Bundle {
    ALL.into_iter()
        .find(|bundle| {
            bundle.prefixes.iter().any(|prefix| {
                path == *prefix
                    || path
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .unwrap_or(SHELL)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_map_to_their_bundle() {
        for path in [
            "/observe",
            "/observe/",
            "/observe/new",
            "/observe/abc/summary",
            "/quick",
            "/quick/x",
        ] {
            assert_eq!(bundle_for_path(path), OBSERVE, "{path}");
        }
        for path in [
            "/guidance",
            "/contacts",
            "/contacts/local",
            "/contacts/import",
        ] {
            assert_eq!(bundle_for_path(path), REFERENCE, "{path}");
        }
        for path in [
            "/team",
            "/team/setup",
            "/team/join",
            "/team/recover",
            "/enrol",
            "/inbox",
            "/inbox/abc",
        ] {
            assert_eq!(bundle_for_path(path), TEAM, "{path}");
        }
        for path in [
            "/practice",
            "/practice/case/begging",
            "/practice/quick",
            "/practice/record",
        ] {
            assert_eq!(bundle_for_path(path), PRACTICE, "{path}");
        }
        for path in [
            "/",
            "/practices",
            "/enrolment",
            "/inboxes",
            "/guidance-x",
            "/settings",
            "/observer",
            "/quickly",
            "/nope",
        ] {
            assert_eq!(bundle_for_path(path), SHELL, "{path}");
        }
    }

    #[test]
    fn names_and_pages_are_distinct() {
        for (index, bundle) in ALL.iter().enumerate() {
            for other in &ALL[index + 1..] {
                assert_ne!(bundle.name, other.name);
                assert_ne!(bundle.html, other.html);
            }
        }
    }
}
