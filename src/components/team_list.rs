//! What the team page's lists of the school's phones and enrolment links share: loading a
//! list, and again whenever the team changes one ([`keep_loaded`]); its status line while it
//! is not loaded ([`listing_notice`]); its items or its empty state ([`listing_items`]); and
//! withdrawing an item after a confirmation, signed on this device ([`Withdrawal`],
//! [`WithdrawButton`]).

use std::future::Future;
use std::rc::Rc;

use leptos::prelude::*;
use prepoznaj_domain::protocol::Secret;
use prepoznaj_envelope::signing::ChainSigningKey;

use crate::components::api_error::api_error_message;
use crate::i18n::I18n;
use crate::inbox::SessionMember;
use crate::pages::team::{TeamContext, use_team};
use crate::sync::api::ApiCallError;

/// A list the team page downloads: while loading, why it failed, or what it holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing<T> {
    Loading,
    Failed(ApiCallError),
    Loaded(Vec<T>),
}

/// The status line of a list that is not loaded yet (`None` once it is).
pub fn listing_notice<T>(
    i18n: I18n,
    listing: &Listing<T>,
    loading: fn(I18n) -> &'static str,
) -> Option<AnyView> {
    match listing {
        Listing::Loading => {
            Some(view! { <p class="hint" role="status">{move || loading(i18n)}</p> }.into_any())
        }
        Listing::Failed(error) => {
            let error = error.clone();
            Some(view! {
                <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
            }.into_any())
        }
        Listing::Loaded(_) => None,
    }
}

/// A loaded list's items, each drawn by `item`, in a `<ul>` with the test id `list`; or the
/// line `empty` (test id `empty_id`) when it holds none. `None` while not loaded.
pub fn listing_items<T>(
    i18n: I18n,
    listing: &Listing<T>,
    (list, empty_id): (&'static str, &'static str),
    empty: fn(I18n) -> &'static str,
    item: impl Fn(&T) -> AnyView,
) -> Option<AnyView> {
    match listing {
        Listing::Loaded(items) if items.is_empty() => {
            Some(view! { <p data-testid=empty_id>{move || empty(i18n)}</p> }.into_any())
        }
        Listing::Loaded(items) => Some(
            view! {
                <ul class="team-list" data-testid=list>{items.iter().map(item).collect_view()}</ul>
            }
            .into_any(),
        ),
        _ => None,
    }
}

/// Loads the list `fetch` gives into `listing` now, and again whenever the team's lists change
/// (`TeamContext::lists_changed`).
pub fn keep_loaded<T, Answer>(listing: RwSignal<Listing<T>>, fetch: fn(Secret) -> Answer)
where
    T: Send + Sync + 'static,
    Answer: Future<Output = Result<Vec<T>, ApiCallError>> + 'static,
{
    let team = use_team();
    Effect::new(move || {
        team.lists_changed.track();
        let answer = fetch(team.token.get_value());
        leptos::task::spawn_local(async move {
            listing.set(match answer.await {
                Ok(items) => Listing::Loaded(items),
                Err(error) => Listing::Failed(error),
            });
        });
    });
}

/// Withdrawing an item of a list: the item waiting for its confirmation, whether a withdrawal
/// is under way (every withdraw button waits), and what became of the last one.
#[derive(Debug)]
pub struct Withdrawal<T: Send + Sync + 'static, Done: Send + Sync + 'static> {
    pub confirming: RwSignal<Option<T>>,
    pub busy: RwSignal<bool>,
    pub outcome: RwSignal<Option<Result<Done, ApiCallError>>>,
    team: TeamContext,
}

impl<T: Send + Sync + 'static, Done: Send + Sync + 'static> Clone for Withdrawal<T, Done> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static, Done: Send + Sync + 'static> Copy for Withdrawal<T, Done> {}

impl<T, Done> Default for Withdrawal<T, Done>
where
    T: Clone + Send + Sync + 'static,
    Done: Clone + Send + Sync + 'static,
{
    fn default() -> Self {
        Self::new()
    }
}

impl<T, Done> Withdrawal<T, Done>
where
    T: Clone + Send + Sync + 'static,
    Done: Clone + Send + Sync + 'static,
{
    /// Nothing asked yet; within the member view (it uses the team's context).
    #[must_use]
    pub fn new() -> Self {
        Self {
            confirming: RwSignal::new(None),
            busy: RwSignal::new(false),
            outcome: RwSignal::new(None),
            team: use_team(),
        }
    }

    /// Withdraws `item` (confirmed) with `request`, given the unlocked signing key and its
    /// member (the passphrase is asked for first when the key is locked); keeps what became of
    /// it and loads the team's lists again.
    pub fn withdraw<Answer>(
        self,
        item: T,
        request: impl Fn(Rc<ChainSigningKey>, SessionMember, T) -> Answer + Copy + 'static,
    ) where
        Answer: Future<Output = Result<Done, ApiCallError>> + 'static,
    {
        self.confirming.set(None);
        let team = self.team;
        team.with_signer(move |key, member| {
            let item = item.clone();
            self.busy.set(true);
            self.outcome.set(None);
            leptos::task::spawn_local(async move {
                let answer = request(key, member, item).await;
                self.outcome.set(Some(answer));
                self.busy.set(false);
                team.lists_changed.update(|changes| *changes += 1);
            });
        });
    }
}

/// An item's "Withdraw …" button, described by the item's heading (`describedby`); it asks
/// for the confirmation with `on_click` and waits while any withdrawal is under way.
#[component]
pub fn WithdrawButton(
    label: fn(I18n) -> &'static str,
    describedby: String,
    busy: RwSignal<bool>,
    on_click: impl Fn() + 'static,
) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    view! {
        <div class="actions">
            <button
                type="button"
                class="button button--danger"
                aria-describedby=describedby
                disabled=move || busy.get()
                on:click=move |_| on_click()
            >
                {move || label(i18n)}
            </button>
        </div>
    }
}
