//! The embedded demo's key: made once, kept beside the database (owner-only), printed at
//! every start; a second start makes no new key.
use crate::cli::{ok, run};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_dam-insights");

/// Starts `serve` on the embedded default in `dir`, reads the key it prints, stops it.
fn start_and_read_key(dir: &std::path::Path) -> String {
    let mut child = Command::new(BIN)
        .arg("serve")
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env("BIND", "127.0.0.1:0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dam-insights serve");
    let stderr = child.stderr.take().expect("stderr");
    let mut key = None;
    let mut seen = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.expect("a line");
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("dami_") {
            key = Some(line);
            break;
        }
    }
    child.kill().ok();
    child.wait().ok();
    key.unwrap_or_else(|| panic!("no key printed:\n{seen}"))
}

#[test]
fn the_demo_key_is_made_once_kept_owner_only_and_printed_at_each_start() {
    let dir = tempfile::tempdir().unwrap();
    // A demo environment already there (not seeded: the test needs no activity).
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("dam-insights.db").display()
    );
    ok(&run(
        &url,
        &[
            "environments",
            "create",
            "demo",
            "--timezone",
            "Europe/Amsterdam",
        ],
    ));

    let first = start_and_read_key(dir.path());
    let file = dir.path().join("dam-insights.demo-key");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), first);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "owner-only: {mode:o}");
    }

    let second = start_and_read_key(dir.path());
    assert_eq!(second, first, "the same key at the next start");
    let listed = ok(&run(&url, &["keys", "list", "--environment", "demo"]));
    assert_eq!(listed.lines().count(), 2, "a header and one key: {listed}");
    assert!(
        listed.contains("reports:read,admin,events:write"),
        "{listed}"
    );

    // A key revoked (or a file from another database) is replaced, and only then.
    let id = listed.lines().nth(1).unwrap().split('\t').next().unwrap();
    ok(&run(&url, &["keys", "revoke", id, "--environment", "demo"]));
    let third = start_and_read_key(dir.path());
    assert_ne!(third, first);
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), third);
    let listed = ok(&run(&url, &["keys", "list", "--environment", "demo"]));
    assert_eq!(listed.lines().count(), 3, "{listed}");
}
