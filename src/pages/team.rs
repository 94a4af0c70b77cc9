//! `/team`: a protection-team member's page on their own device: their school, their key's
//! fingerprint, the team's keys, and staff enrolment links (made with the member's token;
//! each link expires and can be revoked).

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{
    ENROL_PATH, EnrolmentLinkCreated, EnrolmentLinkRequest, EnrolmentLinkRevoked, Secret, link,
};
use prepoznaj_envelope::digest::key_fingerprint;

use crate::clock::format_time;
use crate::components::api_error::api_error_message;
use crate::components::copy_button::CopyButton;
use crate::components::key_set_view::KeySetView;
use crate::components::qr_code::{QrCode, QrSymbol};
use crate::components::storage_error::storage_error_message;
use crate::i18n::{use_i18n, use_title};
use crate::storage::team_key::{self, TeamKey};
use crate::storage::{StorageError, app_database};
use crate::sync::api::{ApiCallError, delete_json, post_json};

const ENROLMENT_LINKS_API: &str = "/api/v1/enrolment-links";

/// The team page.
#[component]
pub fn TeamPage() -> impl IntoView {
    let i18n = use_i18n();
    use_title(|i18n| i18n.team().team_title);
    let loaded = RwSignal::new(None::<Result<Option<TeamKey>, StorageError>>);
    leptos::task::spawn_local(async move {
        loaded.set(Some(match app_database().await {
            Ok(database) => team_key::load(&database).await,
            Err(error) => Err(error),
        }));
    });
    view! {
        <h1>{move || i18n.team().team_title}</h1>
        {move || match loaded.get() {
            None => view! { <p role="status">{move || i18n.messages().observe_loading}</p> }.into_any(),
            Some(Err(error)) => view! {
                <p class="notice notice--warning" role="alert">{move || storage_error_message(i18n.messages(), &error)}</p>
            }.into_any(),
            Some(Ok(None)) => view! { <p class="notice" role="status">{move || i18n.team().team_no_key}</p> }.into_any(),
            Some(Ok(Some(TeamKey { registration: None, .. }))) => view! {
                <p class="notice notice--warning" role="status">{move || i18n.team().team_not_registered}</p>
            }.into_any(),
            Some(Ok(Some(TeamKey { registration: Some(registration), public_key, .. }))) => {
                let school = registration.school.name.to_string();
                let fingerprint = key_fingerprint(&public_key).to_string();
                view! {
                    <p class="notice" role="status" data-testid="team-member-of">
                        {move || fill(i18n.team().setup_done, &[("school", &school)])}
                    </p>
                    <p>
                        {move || i18n.team().key_fingerprint} ": "
                        <code class="fingerprint" data-testid="own-fingerprint">{fingerprint}</code>
                    </p>
                    <p><a href="/inbox" class="button button--primary" data-testid="open-inbox">{move || i18n.inbox().inbox_open}</a></p>
                    <EnrolmentLinkMaker token=registration.member_token.clone() />
                    <KeySetView key_set=registration.key_set.clone() you=registration.member.id.clone() />
                }.into_any()
            }
        }}
    }
}

/// "Create a staff enrolment link", then the link with Copy and its QR code.
#[component]
fn EnrolmentLinkMaker(token: Secret) -> impl IntoView {
    let i18n = use_i18n();
    let state = RwSignal::new(None::<Result<EnrolmentLinkCreated, ApiCallError>>);
    let revoked = RwSignal::new(None::<Result<(), ApiCallError>>);
    let busy = RwSignal::new(false);
    let token = StoredValue::new(token);
    let revoke = move |_| {
        let Some(Ok(created)) = state.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let token = token.get_value();
            let path = format!("{ENROLMENT_LINKS_API}/{}", created.link.id);
            let answer: Result<EnrolmentLinkRevoked, _> = delete_json(&path, Some(&token)).await;
            revoked.set(Some(answer.map(|_| ())));
            busy.set(false);
        });
    };
    let create = move |_| {
        busy.set(true);
        revoked.set(None);
        leptos::task::spawn_local(async move {
            let token = token.get_value();
            let created = post_json(
                ENROLMENT_LINKS_API,
                &EnrolmentLinkRequest::default(),
                Some(&token),
            )
            .await;
            state.set(Some(created));
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="enrolment-link-heading">
            <h2 id="enrolment-link-heading">{move || i18n.team().link_create}</h2>
            <div class="actions">
                <button type="button" class="button button--primary" disabled=move || busy.get() on:click=create>
                    {move || if busy.get() { i18n.team().link_creating } else { i18n.team().link_create }}
                </button>
            </div>
            {move || state.get().map(|created| match created {
                Err(error) => view! {
                    <p class="notice notice--warning" role="alert">{move || api_error_message(i18n.team(), &error)}</p>
                }.into_any(),
                Ok(created) => {
                    let origin = window().location().origin().unwrap_or_else(|error| {
                        // The link is then relative: still right when opened on this server.
                        leptos::logging::warn!("cannot read the origin: {error:?}");
                        String::new()
                    });
                    let href = link(&origin, ENROL_PATH, &created.enrolment_code);
                    let expires = created.link.expires_at;
                    let symbol = QrSymbol::encode(&href);
                    view! {
                        <p>{move || fill(i18n.team().link_created, &[("date", &format_time(expires, i18n.locale().is_serbian()))])}</p>
                        <input
                            class="share-link"
                            type="text"
                            readonly
                            aria-label=move || i18n.team().link_create
                            prop:value=href.clone()
                            data-testid="enrolment-link"
                        />
                        <div class="phone-actions">
                            <CopyButton
                                text=href
                                label=move || i18n.team().link_copy
                                copied=move || i18n.team().link_copied
                                unavailable=move || i18n.team().link_copy_unavailable
                            />
                        </div>
                        {symbol.map(|symbol| view! {
                            <figure class="share-qr">
                                <QrCode symbol label=move || i18n.team().link_qr_label />
                            </figure>
                        })}
                        <div class="actions">
                            <button type="button" class="button" disabled=move || busy.get() || revoked.get() == Some(Ok(())) on:click=revoke>
                                {move || i18n.team().link_revoke}
                            </button>
                        </div>
                        {move || revoked.get().map(|answer| {
                            let message = move || match &answer {
                                Ok(()) => i18n.team().link_revoked,
                                Err(error) => api_error_message(i18n.team(), error),
                            };
                            view! { <p class="notice" role="status" data-testid="link-revoked">{message}</p> }
                        })}
                    }.into_any()
                }
            })}
        </section>
    }
}
