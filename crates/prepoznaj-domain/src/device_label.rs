//! The label a staff phone gives itself when it enrols ("Android · Chrome"), made from its
//! browser's user agent string, so its team can tell its phones apart in the list of devices.
//! Only the system and the browser are named: never a model, a version or anything about the
//! person. Pure: the app passes the string it read.

use crate::protocol::DeviceName;

/// Systems, first match wins (an iPad may say "Macintosh"; Android says "Linux" too).
const SYSTEMS: [(&str, &str); 8] = [
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Windows", "Windows"),
    ("Macintosh", "macOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// Browsers, first match wins (most browsers also say "Chrome" or "Safari").
const BROWSERS: [(&str, &str); 11] = [
    ("SamsungBrowser/", "Samsung Internet"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("OPiOS/", "Opera"),
    ("FxiOS/", "Firefox"),
    ("Firefox/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
];

fn first_match(user_agent: &str, table: &[(&str, &'static str)]) -> Option<&'static str> {
    table
        .iter()
        .find(|(marker, _)| user_agent.contains(marker))
        .map(|(_, name)| *name)
}

/// "System · Browser" (or whichever of the two is recognised) from `user_agent`; `None` if
/// neither is.
#[must_use]
pub fn device_label(user_agent: &str) -> Option<DeviceName> {
    let parts: Vec<&str> = [
        first_match(user_agent, &SYSTEMS),
        first_match(user_agent, &BROWSERS),
    ]
    .into_iter()
    .flatten()
    .collect();
    DeviceName::parse(&parts.join(" · ")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_label_names_the_system_and_the_browser_only() {
        #[rustfmt::skip]
        let cases = [
            ("Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", Some("Android · Chrome")),
            ("Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36", Some("Android · Samsung Internet")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", Some("iPhone · Safari")),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0 Mobile/15E148 Safari/604.1", Some("iPhone · Chrome")),
            ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0", Some("Android · Firefox")),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", Some("Windows · Edge")),
            ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", Some("Linux · Chrome")),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", Some("macOS · Safari")),
            ("curl/8.5.0", None),
            ("", None),
        ];
        for (user_agent, label) in cases {
            assert_eq!(
                device_label(user_agent).as_ref().map(DeviceName::as_str),
                label,
                "{user_agent}"
            );
        }
    }
}
