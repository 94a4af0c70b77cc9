//! Entry point of the shell bundle (trunk builds it): mounts the app and nothing else.
fn main() {
    prepoznaj::mount(prepoznaj::app::SHELL_MESSAGES, prepoznaj::app::App);
}
