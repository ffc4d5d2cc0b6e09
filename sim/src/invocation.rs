//! How this process was started, so that what it prints starts it again the same way: the
//! package, the binary, example or test, and the cargo profile.

use std::path::{Path, PathBuf};

/// The command that starts this program again the way it was started: under cargo (which
/// sets `CARGO_PKG_NAME` for what it runs) `cargo run` with the package, the binary or
/// example, and the profile; otherwise the program's path as it was called.
#[cfg(feature = "cli")]
pub(crate) fn gsim_command() -> String {
    let program = std::env::args().next().unwrap_or_else(|| "gsim".to_owned());
    let (Ok(exe), Ok(package)) = (std::env::current_exe(), std::env::var("CARGO_PKG_NAME")) else {
        return program;
    };
    let Some(name) = exe.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
        return program;
    };
    let kind = match folder(exe.parent()).as_deref() {
        Some("examples") => "--example",
        _ => "--bin",
    };
    format!(
        "cargo run{} -p {package} {kind} {name} --",
        profile_flag(&exe)
    )
}

/// The `cargo test` line that runs the test this thread runs, and only it, in the profile
/// this test binary was built in.
pub(crate) fn test_command() -> String {
    let mut command = "cargo test".to_owned();
    if let Ok(exe) = std::env::current_exe() {
        command.push_str(&profile_flag(&exe));
    }
    if let Ok(package) = std::env::var("CARGO_PKG_NAME") {
        command.push_str(&format!(" -p {package}"));
    }
    let thread = std::thread::current();
    match thread.name().filter(|name| *name != "main") {
        Some(test) => format!("{command} -- {test} --exact"),
        None => command,
    }
}

/// Where this process's build puts its files: `CARGO_TARGET_DIR`, or the `target` folder
/// the executable was built in (`target/<profile>/deps/…`, `target/<profile>/examples/…`).
pub(crate) fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().ok();
    let built = exe
        .as_deref()
        .and_then(profile_folder)
        .and_then(Path::parent);
    built.map_or_else(|| PathBuf::from("target"), Path::to_path_buf)
}

/// ` --release`, ` --profile NAME`, or nothing for the dev profile, read from the folder the
/// executable was built in.
fn profile_flag(exe: &Path) -> String {
    match profile_folder(exe).and_then(|p| folder(Some(p))).as_deref() {
        Some("debug") | None => String::new(),
        Some("release") => " --release".to_owned(),
        Some(other) => format!(" --profile {other}"),
    }
}

/// `target/<profile>` of an executable in it, or in its `deps` or `examples` folder.
fn profile_folder(exe: &Path) -> Option<&Path> {
    let parent = exe.parent()?;
    match folder(Some(parent)).as_deref() {
        Some("deps" | "examples") => parent.parent(),
        _ => Some(parent),
    }
}

/// The last component of a folder's path.
fn folder(path: Option<&Path>) -> Option<String> {
    Some(path?.file_name()?.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{profile_flag, profile_folder};

    #[test]
    fn the_profile_is_read_from_the_folder_the_executable_was_built_in() {
        let flag = |path: &str| profile_flag(Path::new(path));
        assert_eq!(flag("/w/target/release/gsim"), " --release");
        assert_eq!(flag("/w/target/release/examples/bank"), " --release");
        assert_eq!(flag("/w/target/release/deps/bank-0123abcd"), " --release");
        assert_eq!(flag("/w/target/debug/gsim"), "");
        assert_eq!(flag("/w/target/debug/examples/bank"), "");
        assert_eq!(flag("/w/target/bench/deps/x"), " --profile bench");
        let folder = profile_folder(Path::new("/w/target/debug/deps/x"));
        assert_eq!(folder, Some(Path::new("/w/target/debug")));
    }
}
