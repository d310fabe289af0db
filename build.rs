//! Rebuild when the data embedded in the binary changes: `include_dir!` does not tell cargo to
//! watch the folders it reads (on stable Rust), so an edited check definition or platform file
//! would otherwise be silently ignored until the next code change.

fn main() {
    for dir in ["checks", "platforms", "guidance", "templates"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
