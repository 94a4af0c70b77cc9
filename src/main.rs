//! Entry point for trunk: mounts the app and nothing else.
fn main() {
    prepoznaj::mount();
}
