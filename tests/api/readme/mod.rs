//! README.md's examples are tests: every code block of README runs as written against the
//! demo data its first command seeds (on SQLite, and on PostgreSQL when DATABASE_URL
//! names a server), and every answer README shows is held against the real one (see
//! `blocks.rs` for how blocks say what they are, `matching.rs` for how answers compare).
//!
//! Shell blocks run in one folder, one after the other as a reader would paste them:
//! bash with `set -euo pipefail`, the variables of the blocks before them, `dam-insights`
//! first on PATH, and `127.0.0.1:8080` pointing at the test's server. GraphQL blocks are
//! POSTed with the demo key.
//!
//! `README_REGENERATE=1 cargo test --test api readme` (SQLite) rewrites README's output
//! blocks from the real answers, and the date README says its figures are from: after a
//! change of the demo generator, run it and read the diff.
mod blocks;
mod demo;
mod matching;

use blocks::Block;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
/// What README's examples say; the test's server listens elsewhere.
const README_ADDR: &str = "127.0.0.1:8080";

/// What a block printed or answered.
enum Answer {
    Text(String),
    Json(Value),
}

/// Runs a shell block; the variables it sets are kept in `state` for the next ones.
fn run_sh(demo: &demo::Demo, block: &Block, state: &Path) -> Result<String, String> {
    let body = block.body.replace(README_ADDR, &demo.addr);
    let script = format!(
        "__initial=\" $(compgen -v | tr '\\n' ' ') \"\n\
         if [ -f {state} ]; then source {state}; fi\n\
         set -euo pipefail\n\
         {body}\n\
         set +eu\n\
         for __v in $(compgen -v); do case \"$__initial\" in *\" $__v \"*) ;; *) case \"$__v\" in __*) ;; *) declare -p \"$__v\" ;; esac ;; esac; done > {state}\n",
        state = shell_quote(&state.display().to_string()),
    );
    let path = std::env::var("PATH").unwrap_or_default();
    let mut command = Command::new("timeout");
    command
        .args(["300", "bash", "-c", &script])
        .current_dir(demo.dir.path())
        .env("PATH", format!("{}:{path}", demo::bin_dir().display()))
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    match &demo.database_url {
        Some(url) => command.env("DATABASE_URL", url),
        None => command.env_remove("DATABASE_URL"),
    };
    let out = command
        .output()
        .map_err(|e| format!("cannot run bash: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "exited with {}\n--- stdout\n{stdout}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// POSTs a GraphQL block with the demo key; the answer without `extensions`.
fn run_graphql(demo: &demo::Demo, block: &Block) -> Result<Value, String> {
    let mut child = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "60",
            "-H",
            &format!("Authorization: Bearer {}", demo.key),
            "-H",
            "Content-Type: application/json",
            "--data-binary",
            "@-",
            &format!("http://{}/graphql", demo.addr),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    let body = serde_json::json!({ "query": block.body }).to_string();
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(body.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let mut answer: Value = serde_json::from_slice(&out.stdout).map_err(|e| {
        format!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })?;
    if let Some(map) = answer.as_object_mut() {
        map.remove("extensions");
    }
    if answer.get("errors").is_some() {
        return Err(format!("the query failed: {answer}"));
    }
    Ok(answer)
}

/// JSON values one after another (one per curl of a block).
fn json_values(text: &str) -> Result<Vec<Value>, String> {
    serde_json::Deserializer::from_str(text)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .map_err(|e| format!("not JSON: {e}"))
}

/// The part of the answer an output block shows, as README would print it.
fn shown(output: &Block, answer: &Answer) -> Result<(Vec<Value>, String), String> {
    match answer {
        Answer::Json(v) => {
            let v = select(output, v)?;
            let text = matching::pretty(&v);
            Ok((vec![v], text))
        }
        Answer::Text(t) if output.lang == "json" => {
            let values: Vec<Value> = json_values(t)?
                .iter()
                .map(|v| select(output, v))
                .collect::<Result<_, _>>()?;
            let text = values
                .iter()
                .map(matching::pretty)
                .collect::<Vec<_>>()
                .join("\n");
            Ok((values, text))
        }
        Answer::Text(t) => Ok((Vec::new(), t.trim_end().to_owned())),
    }
}

fn select(output: &Block, value: &Value) -> Result<Value, String> {
    match output.attr("select").flatten() {
        None => Ok(value.clone()),
        Some(path) => match matching::at(value, path).as_slice() {
            [(_, Some(v))] => Ok((*v).clone()),
            _ => Err(format!("the answer has nothing at {path}: {value}")),
        },
    }
}

/// Where `answer` differs from what `output` shows.
fn compare(output: &Block, answer: &Answer) -> Result<Vec<String>, String> {
    let (got, text) = shown(output, answer)?;
    let mut out = Vec::new();
    if output.lang != "json" {
        let want: Vec<&str> = output.body.trim_end().lines().collect();
        let got: Vec<&str> = text.lines().collect();
        let head = match output.attr("head").flatten() {
            Some(n) => n.parse::<usize>().map_err(|_| "head=N takes a number")?,
            None => usize::MAX,
        };
        if want.len() != got.len() {
            out.push(format!("{} lines shown, {} printed", want.len(), got.len()));
        }
        for (i, (w, g)) in want.iter().zip(&got).enumerate().take(head) {
            if w.trim_end() != g.trim_end() {
                out.push(format!("line {}: README shows {w:?}, printed {g:?}", i + 1));
            }
        }
        return Ok(out);
    }
    let want = json_values(&output.body)?;
    if want.len() != got.len() {
        out.push(format!(
            "{} JSON values shown, {} answered",
            want.len(),
            got.len()
        ));
        return Ok(out);
    }
    for (w, g) in want.iter().zip(&got) {
        match output.list("exact") {
            Some(paths) if paths.is_empty() => {
                if w != g {
                    out.push(format!(
                        "README shows\n{}\nthe answer is\n{}",
                        matching::pretty(w),
                        matching::pretty(g)
                    ));
                }
            }
            paths => {
                matching::shape(w, g, "", &mut out);
                for path in paths.unwrap_or_default() {
                    matching::exact_at(w, g, &path, &mut out);
                }
            }
        }
    }
    Ok(out)
}

#[test]
fn readme_examples_run_as_written_and_answer_what_readme_shows() {
    let readme = std::fs::read_to_string(README).expect("README.md");
    let blocks = blocks::parse(&readme);
    let problems = blocks::classify(&blocks);
    assert!(problems.is_empty(), "README.md:\n{}", problems.join("\n"));

    let demo = demo::start();
    eprintln!("readme: demo seeded and served in {:.1?}", demo.started_in);
    let state = demo.dir.path().join(".readme-state");
    let regenerate = std::env::var_os("README_REGENERATE").is_some() && demo.database_url.is_none();
    let mut failures = Vec::new();
    let mut rewrites: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut ran = 0;
    let mut last: Option<(usize, Answer)> = None;
    for block in &blocks {
        if block.runs() {
            ran += 1;
            let answer = match block.lang.as_str() {
                "sh" => run_sh(&demo, block, &state).map(Answer::Text),
                _ => run_graphql(&demo, block).map(Answer::Json),
            };
            match answer {
                Ok(a) => last = Some((block.line, a)),
                Err(e) => {
                    failures.push(format!("README.md line {}: {e}", block.line));
                    last = None;
                }
            }
        } else if block.is_output() && block.attr("skip").is_none() {
            let Some((line, answer)) = &last else {
                continue;
            };
            if regenerate {
                match shown(block, answer) {
                    Ok((_, text)) => rewrites.push((block.span.clone(), format!("{text}\n"))),
                    Err(e) => failures.push(format!("README.md line {}: {e}", block.line)),
                }
                continue;
            }
            match compare(block, answer) {
                Ok(diffs) if diffs.is_empty() => {}
                Ok(diffs) => failures.push(format!(
                    "README.md line {} (the answer of line {line}) differs:\n  {}",
                    block.line,
                    diffs.join("\n  ")
                )),
                Err(e) => failures.push(format!("README.md line {}: {e}", block.line)),
            }
        }
    }
    if regenerate {
        let mut text = readme.clone();
        for (span, body) in rewrites.into_iter().rev() {
            text.replace_range(span, &body);
        }
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Europe::Amsterdam)
            .format("%Y-%m-%d")
            .to_string();
        text = restamp(&text, &today);
        std::fs::write(README, text).expect("rewrite README.md");
        eprintln!("readme: output blocks rewritten from the answers of {today}");
    }
    eprintln!("readme: {ran} blocks run");
    assert!(ran > 0);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// README says which day its figures are from as "a demo seeded on YYYY-MM-DD".
fn restamp(text: &str, today: &str) -> String {
    const MARK: &str = "a demo seeded on ";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(MARK) {
        let end = i + MARK.len();
        out.push_str(&rest[..end]);
        let date = rest.get(end..end + 10).unwrap_or_default();
        if date.len() == 10 && date.chars().all(|c| c.is_ascii_digit() || c == '-') {
            out.push_str(today);
            rest = &rest[end + 10..];
        } else {
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
}
