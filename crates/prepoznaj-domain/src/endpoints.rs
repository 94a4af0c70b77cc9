//! The API's endpoints: the one table of every path the server serves and the app calls, each
//! with its method. The server builds its router from [`Endpoint::ALL`] (so a route cannot be
//! served without being listed here) and its API tests check that every entry answers; the
//! app's typed client (`src/sync/client.rs`) builds every request from it. A path is written
//! nowhere else.

use std::fmt;

/// The HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Get,
    Post,
    Delete,
}

impl Method {
    /// The method as HTTP writes it: `GET`, `POST`, `DELETE`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// Where an endpoint's one path parameter goes in its [`Endpoint::path`] (the router's syntax).
pub const ID_PARAMETER: &str = "{id}";

/// One endpoint of the API: a method on a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// `GET /api/health`: the server answers (no token).
    Health,
    /// `GET /api/openapi.json`: the API's description.
    OpenApi,
    /// `POST /api/v1/reports`: a staff phone sends a sealed report (device token).
    SubmitReport,
    /// `GET /api/v1/reports/{id}/status`: the receipt of a report the phone sent.
    ReportStatus,
    /// `POST /api/v1/team/setup`: a team member registers their key with a set-up code.
    TeamSetup,
    /// `POST /api/v1/link-checks`: what a set-up or enrolment link is worth, without using it.
    LinkCheck,
    /// `POST /api/v1/team/chain`: a member appends the next signed version of the team's key
    /// chain (adds, removes or re-registers a member).
    AppendChain,
    /// `POST /api/v1/team/members/{id}/setup-code`: a new set-up link for a member who lost
    /// their device.
    RenewSetupCode,
    /// `GET /api/v1/team/keys`: the team's current key set, for a team member.
    TeamKeys,
    /// `GET /api/v1/team/reports`: a page of the school's reports (`?limit=&cursor=`).
    TeamReports,
    /// `POST /api/v1/team/reports/{id}/status-changes`: a sealed status change on a report.
    RecordStatusChange,
    /// `POST /api/v1/enrolment-links`: a member makes a staff enrolment link.
    CreateEnrolmentLink,
    /// `DELETE /api/v1/enrolment-links/{id}`: a member withdraws one.
    RevokeEnrolmentLink,
    /// `POST /api/v1/devices`: a staff phone enrols with an enrolment code.
    EnrolDevice,
    /// `DELETE /api/v1/devices/{id}`: an enrolled phone is revoked.
    RevokeDevice,
    /// `GET /api/v1/keys`: the team's current key set, for an enrolled staff phone.
    SchoolKeys,
    /// `GET /api/v1/team/devices`: the school's enrolled staff phones, for a team member.
    TeamDevices,
    /// `GET /api/v1/team/enrolment-links`: the school's enrolment links, for a team member.
    TeamEnrolmentLinks,
}

impl Endpoint {
    /// Every endpoint, in the order of `openapi.json`.
    pub const ALL: [Self; 18] = [
        Self::Health,
        Self::OpenApi,
        Self::SubmitReport,
        Self::ReportStatus,
        Self::TeamSetup,
        Self::LinkCheck,
        Self::AppendChain,
        Self::RenewSetupCode,
        Self::TeamKeys,
        Self::TeamReports,
        Self::RecordStatusChange,
        Self::CreateEnrolmentLink,
        Self::RevokeEnrolmentLink,
        Self::EnrolDevice,
        Self::RevokeDevice,
        Self::SchoolKeys,
        Self::TeamDevices,
        Self::TeamEnrolmentLinks,
    ];

    /// The endpoint's method.
    #[must_use]
    pub const fn method(self) -> Method {
        match self {
            Self::Health | Self::OpenApi | Self::ReportStatus | Self::TeamKeys => Method::Get,
            Self::TeamReports | Self::SchoolKeys => Method::Get,
            Self::TeamDevices | Self::TeamEnrolmentLinks => Method::Get,
            Self::SubmitReport | Self::TeamSetup | Self::LinkCheck | Self::AppendChain => {
                Method::Post
            }
            Self::RenewSetupCode | Self::RecordStatusChange | Self::CreateEnrolmentLink => {
                Method::Post
            }
            Self::EnrolDevice => Method::Post,
            Self::RevokeEnrolmentLink | Self::RevokeDevice => Method::Delete,
        }
    }

    /// The endpoint's path as the router writes it: with [`ID_PARAMETER`] where the endpoint
    /// takes an id (see [`Endpoint::takes_id`]; fill it with [`Endpoint::path_with_id`]).
    #[must_use]
    pub const fn path(self) -> &'static str {
        match self {
            Self::Health => "/api/health",
            Self::OpenApi => "/api/openapi.json",
            Self::SubmitReport => "/api/v1/reports",
            Self::ReportStatus => "/api/v1/reports/{id}/status",
            Self::TeamSetup => "/api/v1/team/setup",
            Self::LinkCheck => "/api/v1/link-checks",
            Self::AppendChain => "/api/v1/team/chain",
            Self::RenewSetupCode => "/api/v1/team/members/{id}/setup-code",
            Self::TeamKeys => "/api/v1/team/keys",
            Self::TeamReports => "/api/v1/team/reports",
            Self::RecordStatusChange => "/api/v1/team/reports/{id}/status-changes",
            Self::CreateEnrolmentLink => "/api/v1/enrolment-links",
            Self::RevokeEnrolmentLink => "/api/v1/enrolment-links/{id}",
            Self::EnrolDevice => "/api/v1/devices",
            Self::RevokeDevice => "/api/v1/devices/{id}",
            Self::SchoolKeys => "/api/v1/keys",
            Self::TeamDevices => "/api/v1/team/devices",
            Self::TeamEnrolmentLinks => "/api/v1/team/enrolment-links",
        }
    }

    /// Whether the path has an id in it ([`ID_PARAMETER`]).
    #[must_use]
    pub fn takes_id(self) -> bool {
        self.path().contains(ID_PARAMETER)
    }

    /// The path with `id` in place of [`ID_PARAMETER`], such as
    /// `/api/v1/team/members/<id>/setup-code`. An endpoint without an id gives its path.
    #[must_use]
    pub fn path_with_id(self, id: &impl fmt::Display) -> String {
        self.path().replacen(ID_PARAMETER, &id.to_string(), 1)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.method(), self.path())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn every_endpoint_is_listed_once_with_a_distinct_method_and_path() {
        let listed: BTreeSet<Endpoint> = Endpoint::ALL.into_iter().collect();
        assert_eq!(listed.len(), Endpoint::ALL.len());
        let routes: BTreeSet<(Method, &str)> = Endpoint::ALL
            .into_iter()
            .map(|endpoint| (endpoint.method(), endpoint.path()))
            .collect();
        assert_eq!(routes.len(), Endpoint::ALL.len());
    }

    #[test]
    fn paths_are_under_api_with_at_most_one_id() {
        for endpoint in Endpoint::ALL {
            let path = endpoint.path();
            assert!(path.starts_with("/api/"), "{endpoint}");
            assert!(path.matches(ID_PARAMETER).count() <= 1, "{endpoint}");
            assert!(!path.contains(['?', '#', ' ']), "{endpoint}");
            assert!(!path.ends_with('/'), "{endpoint}");
        }
    }

    #[test]
    fn an_id_is_put_in_its_place() {
        let id = "0192f3a4-0004-7000-8000-00000000000e";
        assert_eq!(
            Endpoint::RenewSetupCode.path_with_id(&id),
            "/api/v1/team/members/0192f3a4-0004-7000-8000-00000000000e/setup-code"
        );
        assert_eq!(
            Endpoint::RevokeDevice.path_with_id(&id),
            "/api/v1/devices/0192f3a4-0004-7000-8000-00000000000e"
        );
        assert!(Endpoint::RevokeDevice.takes_id());
        assert!(!Endpoint::AppendChain.takes_id());
        assert_eq!(Endpoint::AppendChain.to_string(), "POST /api/v1/team/chain");
    }
}
