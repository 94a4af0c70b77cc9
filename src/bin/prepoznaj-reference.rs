//! Entry point of the reference bundle (built by `xtask post-build`): mounts it, nothing else.
fn main() {
    prepoznaj::mount(
        prepoznaj::app::REFERENCE_MESSAGES,
        prepoznaj::app::ReferenceApp,
    );
}
