//! A content text (`LocalizedText`) as shown in a locale, with the right `lang` on what is
//! in another language: a Serbian name inside a Hungarian text (`{sr|…}`, see
//! `prepoznaj_domain::foreign_names`) is marked `lang="sr-Latn"`, and a text not yet translated
//! into Hungarian, shown in Serbian Latin, is marked as Serbian as a whole.

use leptos::prelude::*;
use prepoznaj_domain::catalogue::LocalizedText;
use prepoznaj_domain::foreign_names::segments;
use prepoznaj_domain::locale::Locale;

use crate::html::escape_into;

/// The language tag of a Serbian name inside another language's text.
const SERBIAN_NAME: &str = "sr-Latn";

/// `text` in `locale` as a view (for a page that renders again when the locale changes).
pub fn localized(text: &LocalizedText, locale: Locale) -> AnyView {
    let marked = text.marked(locale).into_owned();
    let pieces = segments(&marked)
        .into_iter()
        .map(|piece| {
            let shown = piece.text.to_owned();
            if piece.serbian {
                view! { <span lang=SERBIAN_NAME>{shown}</span> }.into_any()
            } else {
                shown.into_any()
            }
        })
        .collect_view();
    let written_in = text.written_in(locale);
    if written_in == locale {
        pieces.into_any()
    } else {
        view! { <span lang=written_in.tag()>{pieces}</span> }.into_any()
    }
}

/// `text` in `locale` as escaped HTML appended to `html` (for views built as strings).
pub fn localized_into(html: &mut String, text: &LocalizedText, locale: Locale) {
    let written_in = text.written_in(locale);
    if written_in != locale {
        html.push_str(&format!("<span lang=\"{}\">", written_in.tag()));
    }
    for piece in segments(&text.marked(locale)) {
        if piece.serbian {
            html.push_str(&format!("<span lang=\"{SERBIAN_NAME}\">"));
            escape_into(html, piece.text);
            html.push_str("</span>");
        } else {
            escape_into(html, piece.text);
        }
    }
    if written_in != locale {
        html.push_str("</span>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(hu: Option<&str>) -> LocalizedText {
        LocalizedText {
            sr: "Позовите центар за социјални рад.".to_owned(),
            en: "Call the Centre for Social Work.".to_owned(),
            hu: hu.map(str::to_owned),
        }
    }

    #[test]
    fn a_serbian_name_in_hungarian_is_marked_and_an_untranslated_text_is_serbian() {
        let mut html = String::new();
        localized_into(
            &mut html,
            &text(Some(
                "Hívja a szociális központot ({sr|Centar za socijalni rad}).",
            )),
            Locale::Hu,
        );
        assert_eq!(
            html,
            "Hívja a szociális központot (<span lang=\"sr-Latn\">Centar za socijalni rad</span>)."
        );
        let mut html = String::new();
        localized_into(&mut html, &text(None), Locale::Hu);
        assert_eq!(
            html,
            "<span lang=\"sr-Latn\">Pozovite centar za socijalni rad.</span>"
        );
        let mut html = String::new();
        localized_into(&mut html, &text(None), Locale::En);
        assert_eq!(html, "Call the Centre for Social Work.");
    }
}
