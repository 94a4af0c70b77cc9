//! The link check (`POST /api/v1/link-checks`): what a team set-up or staff enrolment link is
//! worth before the app asks the person for any work. Checking never uses the link.

use prepoznaj_domain::protocol::{LinkCheck, LinkCheckRequest, LinkKind, Secret};

use super::api::{ApiCallError, post_json};

/// The server's path for link checks.
pub const LINK_CHECKS_API: &str = "/api/v1/link-checks";

/// The state of the link of `kind` whose code is `code`.
pub async fn check_link(kind: LinkKind, code: &str) -> Result<LinkCheck, ApiCallError> {
    let request = LinkCheckRequest {
        kind,
        code: Secret::new(code.to_owned()),
    };
    post_json(LINK_CHECKS_API, &request, None).await
}
