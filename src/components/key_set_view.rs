//! The team's keys as a phone or a team member sees them: the whole set's fingerprint (what
//! people compare, read aloud) and each member's key fingerprint, computed here from the keys
//! themselves, never taken from the server's answer.

use leptos::prelude::*;
use prepoznaj_domain::protocol::{KeySet, TeamMemberId};
use prepoznaj_envelope::digest::{key_fingerprint, key_set_fingerprint};

use crate::i18n::use_i18n;

/// The key set's fingerprint and its members. `you` marks this device's own member.
#[component]
pub fn KeySetView(key_set: KeySet, #[prop(optional)] you: Option<TeamMemberId>) -> impl IntoView {
    let i18n = use_i18n();
    let fingerprint = key_set_fingerprint(&key_set).to_string();
    let members = key_set
        .keys
        .iter()
        .map(|member| {
            let is_you = you.as_ref() == Some(&member.id);
            let name = member.display_name.to_string();
            let member_fingerprint = key_fingerprint(&member.public_key).to_string();
            view! {
                <li>
                    <span>{name}</span>
                    {is_you.then(|| view! { " (" {move || i18n.team().team_you()} ")" })}
                    <br />
                    <code class="fingerprint">{member_fingerprint}</code>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card key-set" aria-labelledby="key-set-heading">
            <h2 id="key-set-heading">{move || i18n.team().key_set_fingerprint()}</h2>
            <p>
                <code class="fingerprint fingerprint--large" data-testid="key-set-fingerprint">
                    {fingerprint}
                </code>
            </p>
            <p class="hint">{move || i18n.team().key_set_hint()}</p>
            <h3>{move || i18n.team().team_members()}</h3>
            <ul class="key-set__members">{members}</ul>
        </section>
    }
}
