//! Entry point of the team bundle (built by `xtask post-build`): mounts it, nothing else.
fn main() {
    prepoznaj::mount(prepoznaj::app::TEAM_MESSAGES, prepoznaj::app::TeamApp);
}
