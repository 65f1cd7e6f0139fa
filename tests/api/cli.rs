//! The command line, run as a separate process against its own database.
use crate::helpers::fresh_database;
use std::io::Write;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_dam-insights");

fn run(url: &str, args: &[&str]) -> Output {
    let output = Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("RUST_LOG")
        .output()
        .expect("run dam-insights");
    output
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[tokio::test]
async fn environments_keys_and_import_work_from_the_command_line() {
    let database = fresh_database().await;
    let url = database.url.clone();
    ok(&run(&url, &["migrate"]));
    ok(&run(
        &url,
        &[
            "environments",
            "create",
            "acme",
            "--timezone",
            "Europe/Berlin",
        ],
    ));
    let bad = run(
        &url,
        &["environments", "create", "other", "--timezone", "Mars/Base"],
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("IANA"));

    let key = ok(&run(
        &url,
        &[
            "keys",
            "create",
            "--environment",
            "acme",
            "--scopes",
            "reports:read,events:write",
        ],
    ));
    let key = key.trim();
    assert!(key.starts_with("dami_"), "the key alone on stdout: {key:?}");
    assert_eq!(key.lines().count(), 1);

    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        file,
        r#"{{"id":"e1","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z","assetId":"a1"}}"#
    )
    .unwrap();
    writeln!(
        file,
        r#"{{"id":"e1","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z","assetId":"a1"}}"#
    )
    .unwrap();
    writeln!(
        file,
        r#"{{"id":"e2","type":"asset.viewed","occurredAt":"2025-10-03T09:00:00Z","assetId":"a2"}}"#
    )
    .unwrap();
    let path = file.path().to_str().unwrap();
    let output = run(&url, &["import", path, "--environment", "acme"]);
    ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("2 accepted, 1 duplicates, 0 rejected"),
        "{stderr}"
    );

    // A second import changes nothing.
    let output = run(&url, &["import", path, "--environment", "acme"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("0 accepted, 3 duplicates"));
}

#[tokio::test]
async fn seed_is_deterministic_and_idempotent() {
    let database = fresh_database().await;
    let url = database.url.clone();
    let args = [
        "seed",
        "--environment",
        "demo",
        "--events",
        "3000",
        "--users",
        "10",
        "--assets",
        "200",
        "--seed",
        "7",
        "--until",
        "2025-10-31",
    ];
    let first = run(&url, &args);
    ok(&first);
    let summary = String::from_utf8_lossy(&first.stderr).to_string();
    assert!(summary.contains("seeded environment demo"), "{summary}");
    assert!(summary.contains(", 0 already present"), "{summary}");
    // The same seed makes the same events: all already present.
    let second = run(&url, &args);
    ok(&second);
    let summary = String::from_utf8_lossy(&second.stderr).to_string();
    assert!(summary.contains(" 0 events stored"), "{summary}");
}

#[test]
fn unknown_commands_and_bad_flags_fail_with_a_message() {
    let output = Command::new(BIN)
        .args(["keys", "create", "--environment", "x", "--scopes", "root"])
        .env("DATABASE_URL", "sqlite::memory:")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("reports:read"));
}
