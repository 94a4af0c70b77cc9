//! Entry point of the practice bundle (built by `xtask post-build`): mounts it, nothing else.
fn main() {
    prepoznaj::mount(
        prepoznaj::app::PRACTICE_MESSAGES,
        prepoznaj::app::PracticeApp,
    );
}
