//! The command line, run as a separate process against its own database.
use crate::helpers::fresh_database;
use std::io::Write;
use std::process::{Command, Output};

pub const BIN: &str = env!("CARGO_BIN_EXE_dam-insights");

pub fn run(url: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("DATABASE_URL", url)
        .env_remove("RUST_LOG")
        .output()
        .expect("run dam-insights")
}

pub fn ok(output: &Output) -> String {
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

#[tokio::test]
async fn serve_answers_is_never_seeded_on_a_named_database_and_stops_on_sigterm() {
    let database = fresh_database().await;
    let port = free_port();
    let child = Command::new(BIN)
        .arg("serve")
        .env("DATABASE_URL", &database.url)
        .env("BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the server");
    let mut ready = None;
    for _ in 0..150 {
        if let Some(answer) = http_get(port, "/readyz") {
            ready = Some(answer);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let ready = ready.expect("the server answers /readyz");
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().expect("the server exits");
    assert!(
        output.status.success(),
        "a clean exit after SIGTERM: {:?}",
        output.status
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("demo API key"),
        "a named database is never seeded: {stderr}"
    );

    let db = sea_orm::Database::connect(database.url.as_str())
        .await
        .unwrap();
    let envs = dam_insights::storage::environments::count(&db)
        .await
        .unwrap();
    assert_eq!(
        envs, 0,
        "no demo environment in a database named by DATABASE_URL"
    );
    db.close().await.ok();
}
