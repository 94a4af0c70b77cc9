//! The app's hand-written JavaScript as shipped: `boot.js` and `quick-exit.js` lose their
//! whole-line `//` comments (they document the source; every page downloads the copy in
//! `dist/`).
//!
//! Only whole lines that start with `//` go; a line with code keeps everything on it, so no
//! string or URL can be cut.

use std::path::Path;

/// The files this step rewrites, relative to the build directory.
const SCRIPTS: [&str; 2] = ["boot.js", "quick-exit.js"];

/// Strips the comment lines of every file in [`SCRIPTS`] inside `dir`.
pub fn strip_comments(dir: &Path) -> Result<(), String> {
    for name in SCRIPTS {
        let path = dir.join(name);
        let source = std::fs::read_to_string(&path)
            .map_err(|error| format!("{}: {error}", path.display()))?;
        std::fs::write(&path, without_comment_lines(&source))
            .map_err(|error| format!("{}: {error}", path.display()))?;
    }
    Ok(())
}

/// `source` without the lines that hold only a `//` comment.
fn without_comment_lines(source: &str) -> String {
    source
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::without_comment_lines;

    #[test]
    fn only_whole_comment_lines_go() {
        let source = "// what it is\nconst a = 'http://x'; // why\n  // inside\nstart();\n";
        assert_eq!(
            without_comment_lines(source),
            "const a = 'http://x'; // why\nstart();\n"
        );
    }

    #[test]
    fn the_shipped_scripts_keep_every_line_of_code() {
        let code = |text: &str| {
            text.lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .count()
        };
        for (source, kept) in [
            (
                include_str!("../../public/boot.js"),
                "window.prepoznajPreferences",
            ),
            (
                include_str!("../../public/quick-exit.js"),
                "location.replace(NEUTRAL_PAGE)",
            ),
        ] {
            let stripped = without_comment_lines(source);
            assert_eq!(code(&stripped), code(source));
            assert!(stripped.contains(kept));
            assert!(!stripped.contains("// "));
        }
    }
}
