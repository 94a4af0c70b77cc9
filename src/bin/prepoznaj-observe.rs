//! Entry point of the observation bundle (built by `xtask post-build`): mounts it, nothing else.
fn main() {
    prepoznaj::mount(prepoznaj::app::OBSERVE_MESSAGES, prepoznaj::app::ObserveApp);
}
