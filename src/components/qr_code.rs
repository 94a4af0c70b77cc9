//! A QR code drawn as inline SVG: a light square with one `<path>` of the dark modules. No
//! image, no `style` attribute, no inline markup string, so the CSP is untouched.

use leptos::prelude::*;
use qrcode::{Color, EcLevel, QrCode as Encoded};

/// Light modules a QR code needs around it so that a reader finds it.
const QUIET_ZONE: usize = 4;

/// An encoded QR code, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSymbol {
    /// Modules per side, quiet zone included.
    side: usize,
    /// The dark modules as SVG path data, one unit per module.
    path: String,
}

impl QrSymbol {
    /// Encodes `text` with the lowest error correction (a screen is not a scratched label),
    /// so the code stays as coarse, and as easy to scan, as possible. `None` when the text is
    /// too long for any QR code.
    #[must_use]
    pub fn encode(text: &str) -> Option<QrSymbol> {
        let encoded = Encoded::with_error_correction_level(text.as_bytes(), EcLevel::L).ok()?;
        let size = encoded.width();
        Some(QrSymbol {
            side: size + 2 * QUIET_ZONE,
            path: dark_modules_path(size, |x, y| encoded[(x, y)] == Color::Dark),
        })
    }
}

/// SVG path data covering every dark module: each row's runs of dark modules as one
/// rectangle each (`M x y h run v 1 h -run z`), offset by the quiet zone.
fn dark_modules_path(size: usize, is_dark: impl Fn(usize, usize) -> bool) -> String {
    let mut path = String::new();
    for y in 0..size {
        let mut x = 0;
        while x < size {
            if !is_dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < size && is_dark(x, y) {
                x += 1;
            }
            let run = x - start;
            path.push_str(&format!(
                "M{} {}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            ));
        }
    }
    path
}

/// The symbol as an image with a text alternative. Always dark on light, also in dark mode:
/// readers expect it so.
#[component]
pub fn QrCode(symbol: QrSymbol, #[prop(into)] label: TextProp) -> impl IntoView {
    let view_box = format!("0 0 {side} {side}", side = symbol.side);
    view! {
        <svg
            class="qr-code"
            xmlns="http://www.w3.org/2000/svg"
            viewBox=view_box
            role="img"
            aria-label=move || label.get()
            shape-rendering="crispEdges"
            data-testid="qr-code"
        >
            <rect class="qr-code__light" width="100%" height="100%" fill="#ffffff" />
            <path class="qr-code__dark" d=symbol.path fill="#000000" />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_dark_modules_become_one_rectangle_each() {
        // Row 0: dark, dark, light; row 1: light, light, dark.
        let dark = |x: usize, y: usize| matches!((x, y), (0, 0) | (1, 0) | (2, 1));
        assert_eq!(
            dark_modules_path(3, dark),
            "M4 4h2v1h-2zM6 5h1v1h-1z".to_owned()
        );
    }

    #[test]
    fn a_share_link_encodes_and_a_too_long_text_does_not() {
        let link = format!("https://example.org/contacts/import#{}", "A".repeat(1_000));
        let Some(symbol) = QrSymbol::encode(&link) else {
            panic!("a 1,000-character link fits a QR code");
        };
        assert!(symbol.side > 2 * QUIET_ZONE);
        assert!(symbol.path.starts_with('M'));
        assert_eq!(QrSymbol::encode(&"a".repeat(3_000)), None);
    }
}
