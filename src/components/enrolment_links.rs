//! The school's staff enrolment links as a team member sees them on their team page
//! (`client::team_enrolment_links`): for each, when it was made, until when it works, whether
//! it still enrols phones (or expired, was withdrawn, or is full), and how many phones enrolled
//! with it out of how many it may enrol; "Withdraw link" after a confirmation (signed on this
//! device; `client::revoke_enrolment_link`). A link's code is never listed: the server
//! shows it only to the member who makes the link, once.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{EnrolmentLink, TeamEnrolmentLink};

use crate::clock::{format_time, now};
use crate::components::api_error::api_error_message;
use crate::components::confirm_dialog::ConfirmPrompt;
use crate::components::team_list::{
    Listing, WithdrawButton, Withdrawal, keep_loaded, listing_items, listing_notice,
};
use crate::i18n::use_i18n;
use crate::pages::team::signer_of;
use crate::sync::client;

/// "Enrolment links": the school's links, newest first, reloaded whenever the team's lists
/// change (a link made or withdrawn here or by the maker above).
#[component]
pub fn EnrolmentLinks() -> impl IntoView {
    let i18n = use_i18n();
    let listing = RwSignal::new(Listing::<TeamEnrolmentLink>::Loading);
    let withdrawal = Withdrawal::<EnrolmentLink, ()>::new();
    keep_loaded(listing, |token| async move {
        client::team_enrolment_links(&token)
            .await
            .map(|listed| listed.links)
    });
    let withdraw = move |link: EnrolmentLink| {
        withdrawal.withdraw(link, move |key, member, link| async move {
            client::revoke_enrolment_link(&member.token, signer_of(&key, &member), &link.id)
                .await
                .map(|_| ())
        });
    };
    let items = move || {
        listing.with(|listing| {
            listing_items(
                i18n,
                listing,
                ("enrolment-links", "links-empty"),
                |i18n| i18n.team().links_empty(),
                |listed| view! { <LinkItem listed=listed.clone() withdrawal /> }.into_any(),
            )
        })
    };
    view! {
        <section class="card" aria-labelledby="links-heading" data-testid="links-section">
            <h2 id="links-heading">{move || i18n.team().links_heading()}</h2>
            {move || listing.with(|listing| listing_notice(i18n, listing, |i18n| i18n.team().links_loading()))}
            {items}
            {move || withdrawal.confirming.get().map(|link| {
                let made = format_time(link.created_at, i18n.locale().is_serbian());
                let question = fill(i18n.team().link_revoke_question(), &[("date", &made)]);
                view! {
                    <ConfirmPrompt
                        label=move || i18n.team().link_revoke_label()
                        question
                        confirm=move || i18n.team().link_revoke_confirm()
                        danger=true
                        on_confirm=move |()| withdraw(link.clone())
                        on_cancel=move |()| withdrawal.confirming.set(None)
                    />
                }
            })}
            {move || withdrawal.outcome.get().map(|outcome| match outcome {
                Ok(()) => view! {
                    <p class="notice" role="status" data-testid="listed-link-revoked">{move || i18n.team().link_revoked()}</p>
                }.into_any(),
                Err(error) => view! {
                    <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
                }.into_any(),
            })}
        </section>
    }
}

/// One link: when it was made, until when it works, its state, its phones, and "Withdraw
/// link" while it still could enrol a phone.
#[component]
fn LinkItem(listed: TeamEnrolmentLink, withdrawal: Withdrawal<EnrolmentLink, ()>) -> impl IntoView {
    let i18n = use_i18n();
    let link = listed.link;
    let heading = format!("link-{}", link.id);
    let serbian = move || i18n.locale().is_serbian();
    let (created_at, expires_at, revoked_at) = (link.created_at, link.expires_at, link.revoked_at);
    let devices = listed.devices_enrolled.to_string();
    let max = link.max_devices.devices().to_string();
    let expired = now() >= expires_at;
    let full = listed.devices_enrolled >= u64::from(link.max_devices.devices());
    let status = move || match revoked_at {
        Some(at) => fill(
            i18n.team().link_status_revoked(),
            &[("date", &format_time(at, serbian()))],
        ),
        None if expired => i18n.team().link_status_expired().to_owned(),
        None if full => i18n.team().link_status_full().to_owned(),
        None => i18n.team().link_status_active().to_owned(),
    };
    let action = (revoked_at.is_none() && !expired).then(|| {
        view! {
            <WithdrawButton
                label=|i18n| i18n.team().link_revoke_listed()
                describedby=heading.clone()
                busy=withdrawal.busy
                on_click=move || withdrawal.confirming.set(Some(link.clone()))
            />
        }
    });
    view! {
        <li data-testid="listed-link">
            <h3 id=heading.clone()>
                {move || fill(i18n.team().link_made_on(), &[("date", &format_time(created_at, serbian()))])}
            </h3>
            <dl class="team-list__facts">
                <dt>{move || i18n.team().link_valid_until()}</dt>
                <dd>{move || format_time(expires_at, serbian())}</dd>
                <dt>{move || i18n.team().link_status()}</dt>
                <dd data-testid="link-status">{status}</dd>
                <dt>{move || i18n.team().link_devices()}</dt>
                <dd data-testid="link-devices">
                    {move || fill(i18n.team().link_devices_of(), &[("count", &devices), ("max", &max)])}
                </dd>
            </dl>
            {action}
        </li>
    }
}
