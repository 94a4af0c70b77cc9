//! Escaping text for the few views written as HTML strings (the checklist's indicators, the
//! sync status line, the team inbox's list), where building a view per element would cost too much.

/// `text` escaped for HTML text and for a double-quoted attribute value.
pub fn escape_into(html: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\'' => html.push_str("&#39;"),
            other => html.push(other),
        }
    }
}
