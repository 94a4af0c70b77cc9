//! A set-up or enrolment link checked with the server before the page asks for any work: while
//! checking a status line; a link that no longer works is refused here, saying why and what to
//! do (ask for a new link), and what the page would ask for never appears; when the server
//! cannot be asked (offline, too many attempts, a fault), the person can check again or
//! continue knowingly. Only a valid link, or "Continue anyway", shows the page's own steps.

use leptos::prelude::*;
use prepoznaj_domain::locale::fill;
use prepoznaj_domain::protocol::{ErrorCode, LinkCheck, LinkKind, LinkState};

use crate::clock::format_time;
use crate::i18n::{TeamMessages, use_i18n};
use crate::storage::team_key::RefusedLink;
use crate::sync::api::ApiCallError;
use crate::sync::client::check_link;

/// How far the check got.
#[derive(Debug, Clone, PartialEq)]
enum Checked {
    Checking,
    Usable,
    Refused(RefusedLink),
    CannotCheck(ApiCallError),
}

/// The link's steps (`children`) once the link of `kind` with `code` checks valid, or the
/// person chose to continue without a check. `on_refused` hears a refusal (to keep it with a
/// key waiting on the device, say), and `refused_also` is shown below the refusal.
#[component]
pub fn CheckedLink(
    kind: LinkKind,
    code: String,
    #[prop(optional, into)] on_refused: Option<Callback<RefusedLink>>,
    #[prop(optional, into)] refused_also: Option<ViewFn>,
    children: ChildrenFn,
) -> impl IntoView {
    let i18n = use_i18n();
    let checked = RwSignal::new(Checked::Checking);
    let code = StoredValue::new(code);
    let check = move || {
        checked.set(Checked::Checking);
        leptos::task::spawn_local(async move {
            let answer = check_link(kind, &code.get_value()).await;
            checked.set(match answer {
                Ok(LinkCheck {
                    state: LinkState::Valid,
                    ..
                }) => Checked::Usable,
                Ok(check) => {
                    let refused = RefusedLink {
                        state: check.state,
                        expired_at: check.expires_at,
                    };
                    if let Some(on_refused) = on_refused {
                        on_refused.run(refused);
                    }
                    Checked::Refused(refused)
                }
                Err(error) => Checked::CannotCheck(error),
            });
        });
    };
    check();
    let children = StoredValue::new(children);
    move || {
        match checked.get() {
        Checked::Checking => view! {
            <p class="notice" role="status" data-testid="link-checking">{move || i18n.team().link_check_checking()}</p>
        }
        .into_any(),
        Checked::Usable => children.with_value(|children| children()).into_any(),
        Checked::Refused(refused) => view! {
            <p class="notice notice--warning" role="alert" data-testid="link-refused">
                {move || refusal_message(i18n.team(), kind, &refused, i18n.locale().is_serbian())}
            </p>
            {refused_also.clone().map(|also| also.run())}
        }
        .into_any(),
        Checked::CannotCheck(error) => {
            let message = move || match &error {
                ApiCallError::Offline => i18n.team().link_check_offline(),
                ApiCallError::Refused {
                    code: ErrorCode::RateLimited,
                    ..
                } => i18n.team().link_check_rate_limited(),
                _ => i18n.team().link_check_unavailable(),
            };
            view! {
                <p class="notice notice--warning" role="alert" data-testid="link-unchecked">{message}</p>
                <div class="actions">
                    <button type="button" class="button button--primary" on:click=move |_| check()>
                        {move || i18n.team().link_check_again()}
                    </button>
                    <button type="button" class="button" on:click=move |_| checked.set(Checked::Usable)>
                        {move || i18n.team().link_check_continue()}
                    </button>
                </div>
            }
            .into_any()
        }
    }
    }
}

/// Why a link of `kind` does not work and what to do, with the date its validity ended when
/// known.
#[must_use]
pub fn refusal_message(
    messages: &'static TeamMessages,
    kind: LinkKind,
    refused: &RefusedLink,
    serbian: bool,
) -> String {
    let reason = match (kind, refused.state) {
        (LinkKind::TeamSetup, LinkState::Used) => messages.link_check_setup_used(),
        (LinkKind::TeamSetup, LinkState::Replaced) => messages.link_check_setup_replaced(),
        (LinkKind::TeamSetup, LinkState::Expired) => messages.link_check_setup_expired(),
        (LinkKind::TeamSetup, LinkState::Revoked) => messages.link_check_setup_revoked(),
        (LinkKind::TeamSetup, LinkState::Unknown | LinkState::Valid | LinkState::Full) => {
            messages.link_check_setup_unknown()
        }
        (LinkKind::Enrolment, LinkState::Expired) => messages.link_check_enrol_expired(),
        (LinkKind::Enrolment, LinkState::Revoked) => messages.link_check_enrol_revoked(),
        (LinkKind::Enrolment, LinkState::Full) => messages.link_check_enrol_full(),
        (LinkKind::Enrolment, _) => messages.link_check_enrol_unknown(),
    };
    match (refused.state, refused.expired_at) {
        (LinkState::Expired, Some(at)) => {
            let ended = fill(
                messages.link_check_expired_on(),
                &[("date", &format_time(at, serbian))],
            );
            format!("{reason} {ended}")
        }
        _ => reason.to_owned(),
    }
}

/// The refusal a redemption's error means, for the refusals a new link mends.
#[must_use]
pub fn refusal_of(error: &ApiCallError) -> Option<RefusedLink> {
    let ApiCallError::Refused { code, .. } = error else {
        return None;
    };
    let state = match code {
        ErrorCode::LinkUsed => LinkState::Used,
        ErrorCode::LinkExpired => LinkState::Expired,
        ErrorCode::LinkRevoked => LinkState::Revoked,
        ErrorCode::LinkFull => LinkState::Full,
        ErrorCode::LinkInvalid => LinkState::Unknown,
        _ => return None,
    };
    Some(RefusedLink {
        state,
        expired_at: None,
    })
}
