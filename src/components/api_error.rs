//! A failed request to the server as a translated message that says what to do.

use prepoznaj_domain::protocol::ErrorCode;

use crate::i18n::TeamMessages;
use crate::sync::api::ApiCallError;

/// The message for a failed set-up, enrolment or link request.
#[must_use]
pub fn api_error_message(messages: &'static TeamMessages, error: &ApiCallError) -> &'static str {
    match error {
        ApiCallError::Offline => messages.error_offline(),
        ApiCallError::Server { .. } => messages.error_server(),
        ApiCallError::Refused { code, .. } => match code {
            ErrorCode::LinkInvalid | ErrorCode::NotFound => messages.error_link_invalid(),
            ErrorCode::LinkExpired => messages.error_link_expired(),
            ErrorCode::LinkRevoked => messages.error_link_revoked(),
            ErrorCode::LinkFull => messages.error_link_full(),
            ErrorCode::LinkUsed | ErrorCode::PublicKeyMismatch | ErrorCode::MemberExists => {
                messages.error_link_used()
            }
            ErrorCode::RateLimited => messages.error_rate_limited(),
            ErrorCode::Unauthorized | ErrorCode::TokenRevoked => messages.error_unauthorized(),
            ErrorCode::StoreUnavailable | ErrorCode::Internal => messages.error_server(),
            ErrorCode::SignatureRequired | ErrorCode::SignatureInvalid => {
                messages.error_signature_invalid()
            }
            ErrorCode::SignatureExpired => messages.error_signature_expired(),
            ErrorCode::ChainConflict => messages.error_chain_conflict(),
            ErrorCode::ChainRejected => messages.error_chain_rejected(),
            _ => messages.error_refused(),
        },
    }
}

/// Whether trying the same request again later may work (no connection, a server fault, too
/// many attempts), as opposed to a refusal that needs a new link.
#[must_use]
pub fn is_worth_retrying(error: &ApiCallError) -> bool {
    matches!(
        error,
        ApiCallError::Offline
            | ApiCallError::Server { .. }
            | ApiCallError::Refused {
                code: ErrorCode::RateLimited | ErrorCode::StoreUnavailable | ErrorCode::Internal,
                ..
            }
    )
}
