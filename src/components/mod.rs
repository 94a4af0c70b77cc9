//! Views that do not belong to one route.

pub mod app_header;
pub mod assessment_view;
pub mod confirm_dialog;
pub mod connection_status;
pub mod delete_all_data;
pub mod install_prompt;
pub mod language_select;
pub mod navigation;
pub mod storage_error;
pub mod update_banner;
