//! The team's inbox, with a team member token: `GET /api/v1/team/reports` (the school's
//! reports, newest first, a page at a time) and
//! `POST /api/v1/team/reports/{id}/status-changes` (one encrypted step of the team's work).
//!
//! The server reads neither: a report and a status change are age envelopes for the team's
//! keys. Of a change it learns only the coarse status, and tells the reporter less still
//! ([`CoarseStatus::reporter_status`](prepoznaj_domain::protocol::CoarseStatus::reporter_status)). Only the caller's school's reports are ever listed or
//! changed; another school's report is `404`, as if it did not exist.

use axum::{
    Json,
    extract::{FromRequestParts, State},
    http::{StatusCode, request::Parts},
    response::{IntoResponse, Response},
};
use prepoznaj_domain::protocol::{
    DEFAULT_TEAM_REPORTS_PAGE, MAX_TEAM_REPORTS_PAGE, PROTOCOL_VERSION, ReportCursor, ReportUuid,
    StatusChange, StatusChangeRecorded, StatusChangeRequest, TeamReports,
};

use super::{
    ApiState,
    extract::{PathId, SignedTeamRequest, TeamAuth},
};
use crate::{
    ApiError,
    credentials::now,
    store::{
        NewStatusChange, RecordedStatusChange, ReportPage, StatusChangeOutcome, Store,
        rules::coarse_status_text,
    },
};

/// `200` with up to `limit` reports (default [`DEFAULT_TEAM_REPORTS_PAGE`], at most
/// [`MAX_TEAM_REPORTS_PAGE`]) after `cursor`, and `next_cursor` when there are more, each with
/// the time the retention job will delete it (`deleted_after`); `400 invalid_field` or
/// `unknown_field` for a bad query.
pub async fn list<S: Store>(
    State(state): State<ApiState<S>>,
    TeamAuth(team): TeamAuth,
    query: TeamReportsQuery,
) -> Result<Json<TeamReports>, ApiError> {
    let limit = usize::from(query.limit);
    // One more than asked tells whether there is a next page.
    let page = ReportPage {
        after: query.cursor,
        limit: query.limit + 1,
    };
    let mut reports = state.store.team_reports(team.school_id, page).await?;
    for report in &mut reports {
        report.deleted_after = Some(
            state
                .options
                .retention
                .deleted_after(report.received_at, report.closed_at),
        );
    }
    let next_cursor = if reports.len() > limit {
        reports.truncate(limit);
        reports.last().map(|last| ReportCursor {
            received_at: last.received_at,
            report_id: last.report_id.clone(),
        })
    } else {
        None
    };
    Ok(Json(TeamReports {
        reports,
        next_cursor,
        protocol: PROTOCOL_VERSION,
    }))
}

/// `201` with the change and the report's status for a new change, `200` with the first
/// answer for a retry; `409 report_conflict` for different content under a known
/// `change_id`, `404` for no such report in the caller's school, `410 report_forgotten` once
/// the report's envelope was deleted after its retention period.
pub async fn record_status_change<S: Store>(
    State(state): State<ApiState<S>>,
    PathId(report_id): PathId<ReportUuid>,
    signed: SignedTeamRequest,
) -> Result<Response, ApiError> {
    let request: StatusChangeRequest = signed.json()?;
    let team = signed.team;
    super::reports::check_sealed(&request.envelope, &request.envelope_sha256)?;
    let coarse_status = request.coarse_status;
    let new = NewStatusChange {
        school_id: team.school_id.clone(),
        change: StatusChange {
            change_id: request.change_id,
            report_id,
            coarse_status,
            recorded_at: now(),
            envelope: request.envelope,
            envelope_sha256: request.envelope_sha256,
        },
        max_changes: state.options.quotas.status_changes_per_report,
    };
    match state.store.record_status_change(new).await? {
        StatusChangeOutcome::Recorded(recorded) => {
            tracing::info!(
                school = %team.school_id, report = %recorded.change.report_id,
                status = coarse_status_text(coarse_status), "status change recorded"
            );
            Ok((StatusCode::CREATED, recorded_body(recorded)).into_response())
        }
        StatusChangeOutcome::AlreadyRecorded(recorded) => {
            Ok((StatusCode::OK, recorded_body(recorded)).into_response())
        }
        StatusChangeOutcome::Conflict => Err(ApiError::StatusChangeConflict),
        StatusChangeOutcome::ReportNotFound => Err(ApiError::NotFound),
        StatusChangeOutcome::ReportForgotten => Err(ApiError::ReportForgotten),
        StatusChangeOutcome::TooManyChanges => Err(ApiError::TooManyStatusChanges {
            limit: state.options.quotas.status_changes_per_report,
        }),
    }
}

fn recorded_body(recorded: RecordedStatusChange) -> Json<StatusChangeRecorded> {
    Json(StatusChangeRecorded {
        change: recorded.change,
        status: recorded.status,
        closed_at: recorded.closed_at,
        protocol: PROTOCOL_VERSION,
    })
}

/// The query of `GET /api/v1/team/reports`: `limit` (1 to [`MAX_TEAM_REPORTS_PAGE`]) and
/// `cursor` (a `next_cursor`), both optional. Their values need no percent-decoding (digits,
/// hex, `.` and `-`), so anything else is refused rather than decoded.
#[derive(Debug)]
pub struct TeamReportsQuery {
    pub limit: u16,
    pub cursor: Option<ReportCursor>,
}

impl<S: Send + Sync> FromRequestParts<S> for TeamReportsQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let mut query = Self {
            limit: DEFAULT_TEAM_REPORTS_PAGE,
            cursor: None,
        };
        let pairs = parts.uri.query().unwrap_or_default();
        for pair in pairs.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "limit" => {
                    query.limit = value
                        .parse()
                        .ok()
                        .filter(|limit| (1..=MAX_TEAM_REPORTS_PAGE).contains(limit))
                        .ok_or_else(|| {
                            ApiError::InvalidField(format!(
                                "`limit`: a page holds 1 to {MAX_TEAM_REPORTS_PAGE} reports"
                            ))
                        })?;
                }
                "cursor" => {
                    query.cursor =
                        Some(ReportCursor::try_from(value.to_owned()).map_err(|error| {
                            ApiError::InvalidField(format!("`cursor`: {error}"))
                        })?);
                }
                _ => {
                    return Err(ApiError::UnknownField(
                        "the query has a parameter other than `limit` and `cursor`".to_owned(),
                    ));
                }
            }
        }
        Ok(query)
    }
}
