//! Links to the app's pages that mark the page they lead to (`aria-current="page"`), and the
//! current path they compare with, without tying the chrome every bundle shares to a router:
//! the feature bundles give leptos_router's location ([`RoutedPath`]), the shell its own
//! navigation between its two pages ([`provide_shell_path`]), so that the shell's first load
//! carries no router.

use leptos::prelude::*;
use prepoznaj_domain::bundles::{self, Bundle};
use wasm_bindgen::JsCast;

use crate::app::link_rel;

/// The path of the page shown (reactive).
#[derive(Debug, Clone, Copy)]
pub struct CurrentPath(Signal<String>);

/// Whether a link to `href` leads to the page at `path`: the same page, or a page below it
/// (`/observe` for `/observe/…`); the home page only for itself.
#[must_use]
pub fn is_current(href: &str, path: &str) -> bool {
    let path = path.trim_end_matches('/');
    let href = href.trim_end_matches('/');
    path == href
        || (!href.is_empty()
            && path
                .strip_prefix(href)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// A link to one of the app's pages; `aria-current="page"` while that page is shown, and
/// `rel="external"` when another bundle serves it (see `app::link_rel`).
#[component]
pub fn PageLink(href: &'static str, class: &'static str, children: Children) -> impl IntoView {
    let current = use_context::<CurrentPath>();
    let is_here = move || {
        current
            .is_some_and(|CurrentPath(path)| path.with(|path| is_current(href, path)))
            .then_some("page")
    };
    view! {
        <a href=href class=class rel=link_rel(href) aria-current=is_here>
            {children()}
        </a>
    }
}

/// Gives [`PageLink`]s the router's location; inside a `<Router>`.
#[component]
pub fn RoutedPath(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    provide_context(CurrentPath(Signal::derive(move || location.pathname.get())));
    children()
}

/// The shell's navigation without a router: the path shown, changed by a click on a link to
/// another of the shell's pages (the address changes with `history.pushState`, no page load)
/// and by the browser's back and forward buttons. Links to another bundle's pages and links
/// that only change the `#fragment` are left to the browser.
pub fn provide_shell_path() -> Signal<String> {
    let pathname = || window().location().pathname().unwrap_or_default();
    let path = RwSignal::new(pathname());
    let on_click = window_event_listener(leptos::ev::click, move |event| {
        if let Some(href) = shell_link_target(&event, &path.get_untracked()) {
            event.prevent_default();
            match window().history() {
                Ok(history) => {
                    if let Err(error) =
                        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&href))
                    {
                        leptos::logging::warn!("cannot change the address: {error:?}");
                    }
                }
                Err(error) => leptos::logging::warn!("no history: {error:?}"),
            }
            path.set(href);
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    });
    let on_back = window_event_listener(leptos::ev::popstate, move |_| path.set(pathname()));
    on_cleanup(move || {
        on_click.remove();
        on_back.remove();
    });
    let signal: Signal<String> = path.into();
    provide_context(CurrentPath(signal));
    signal
}

/// The path a click leads to when the shell itself should show it: a plain left click on a
/// same-origin link to a shell page other than `current`, opened here.
fn shell_link_target(event: &web_sys::MouseEvent, current: &str) -> Option<String> {
    if event.default_prevented()
        || event.button() != 0
        || event.meta_key()
        || event.ctrl_key()
        || event.shift_key()
        || event.alt_key()
    {
        return None;
    }
    let anchor = event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest("a[href]")
        .ok()??
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .ok()?;
    if !anchor.target().is_empty()
        || anchor.has_attribute("download")
        || anchor.rel().split_whitespace().any(|rel| rel == "external")
        || anchor.origin() != window().location().origin().ok()?
    {
        return None;
    }
    let path = anchor.pathname();
    let shell: Bundle = bundles::SHELL;
    (bundles::bundle_for_path(&path) == shell && path != current).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_current_on_its_page_and_below_it_and_home_only_at_home() {
        assert!(is_current("/", "/"));
        assert!(!is_current("/", "/settings"));
        assert!(is_current("/settings", "/settings"));
        assert!(is_current("/observe", "/observe/0190-aa"));
        assert!(is_current("/observe", "/observe/"));
        assert!(!is_current("/observe", "/observer"));
        assert!(!is_current("/contacts", "/"));
    }
}
