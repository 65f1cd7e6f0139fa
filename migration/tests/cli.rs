//! The migration CLI as README shows it: `cargo run -p migration -- status` with no
//! DATABASE_URL works on the embedded default in the working directory.
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_migration");

fn run(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("DATABASE_SCHEMA")
        .output()
        .expect("run the migration CLI");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn status_and_up_work_on_the_embedded_default_without_variables() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, text) = run(dir.path(), &["status"]);
    assert!(ok, "{text}");
    assert!(
        text.contains("m20261123_000001_create_tables'... Pending"),
        "{text}"
    );
    assert!(dir.path().join(migration::DEFAULT_SQLITE_FILE).exists());

    let (ok, text) = run(dir.path(), &["up"]);
    assert!(ok, "{text}");
    let (ok, text) = run(dir.path(), &["status"]);
    assert!(ok, "{text}");
    assert!(!text.contains("Pending"), "{text}");
    assert!(
        text.contains("m20261123_000001_create_tables'... Applied"),
        "{text}"
    );
}

#[test]
fn a_database_named_on_the_command_line_is_used_instead() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.db");
    let url = format!("sqlite://{}?mode=rwc", other.display());
    let (ok, text) = run(dir.path(), &["-u", &url, "up"]);
    assert!(ok, "{text}");
    assert!(other.exists());
    assert!(!dir.path().join(migration::DEFAULT_SQLITE_FILE).exists());
}
