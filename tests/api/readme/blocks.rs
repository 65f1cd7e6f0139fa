//! README.md's fenced code blocks and what each is for, read from its info string:
//! "```sh" and "```graphql" blocks run; "```json output", "```text output" blocks are the
//! answers of the block run before them; "```LANG skip=REASON" blocks are not run, for
//! one of the reasons in [`SKIP_REASONS`]. Every other block is an error, so an example
//! added to README runs unless it says why not.
//!
//! Attributes of an output block:
//! - `exact`: the whole answer equals the block; `exact=a.b,c.*.d`: those paths do, and
//!   the rest has the block's shape (see `matching.rs`). Without it, the shape alone.
//! - `select=a.b`: the block shows that part of the answer only.
//! - `head=N` (text): the first N lines are equal and the answer has as many lines.

/// Why a block may stay unrun.
pub const SKIP_REASONS: &[(&str, &str)] = &[
    (
        "cargo",
        "runs cargo, which the test runs under (its build lock); the test starts the same server itself",
    ),
    (
        "server",
        "starts a server that runs until stopped; the test starts its own",
    ),
    ("long", "a benchmark run of minutes"),
    (
        "measured",
        "figures measured by a benchmark on a given machine",
    ),
    ("citus", "needs a Citus cluster"),
    (
        "codegen",
        "a graphql-codegen configuration; tests/clients/codegen.mjs generates with the same mapping",
    ),
    (
        "npm",
        "JavaScript for a browser or Node with npm packages; tests/api/subscriptions.rs speaks the same protocol",
    ),
];

#[derive(Clone, Debug)]
pub struct Block {
    /// 1-based line of the opening fence.
    pub line: usize,
    pub lang: String,
    attrs: Vec<(String, Option<String>)>,
    pub body: String,
    /// Byte range of the body in the README (for regeneration).
    pub span: std::ops::Range<usize>,
}

impl Block {
    pub fn attr(&self, name: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_deref())
    }
    pub fn is_output(&self) -> bool {
        self.attr("output").is_some()
    }
    pub fn runs(&self) -> bool {
        matches!(self.lang.as_str(), "sh" | "graphql") && self.attr("skip").is_none()
    }
    /// A list attribute (`exact=a,b`): its items; None when absent, empty when bare.
    pub fn list(&self, name: &str) -> Option<Vec<String>> {
        self.attr(name).map(|v| {
            v.map(|v| v.split(',').map(str::to_owned).collect())
                .unwrap_or_default()
        })
    }
}

/// Every fenced block of `text` ("```" fences, not nested).
pub fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, usize)> = None;
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let trimmed = line.trim_end();
        match &open {
            None if trimmed.starts_with("```") => {
                open = Some((i + 1, trimmed[3..].trim().to_owned(), offset + line.len()));
            }
            Some((start, info, body_start)) if trimmed == "```" => {
                let mut words = info.split_whitespace();
                let lang = words.next().unwrap_or_default().to_owned();
                let attrs = words
                    .map(|w| match w.split_once('=') {
                        Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                        None => (w.to_owned(), None),
                    })
                    .collect();
                blocks.push(Block {
                    line: *start,
                    lang,
                    attrs,
                    body: text[*body_start..offset].to_owned(),
                    span: *body_start..offset,
                });
                open = None;
            }
            _ => {}
        }
        offset += line.len();
    }
    assert!(open.is_none(), "README.md: a code block is not closed");
    blocks
}

/// Checks that every block is run, an output of a run block, or skipped for a known
/// reason; returns the problems.
pub fn classify(blocks: &[Block]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut last_run: Option<&Block> = None;
    for b in blocks {
        if let Some(reason) = b.attr("skip") {
            match reason {
                Some(r) if SKIP_REASONS.iter().any(|(k, _)| *k == r) => {}
                _ => problems.push(format!(
                    "line {}: skip needs a reason among {:?}",
                    b.line,
                    SKIP_REASONS.iter().map(|(k, _)| *k).collect::<Vec<_>>()
                )),
            }
            last_run = None;
            continue;
        }
        if b.is_output() {
            if last_run.is_none() {
                problems.push(format!(
                    "line {}: an output block with no block run before it",
                    b.line
                ));
            }
            last_run = None;
            continue;
        }
        if b.runs() {
            last_run = Some(b);
            continue;
        }
        problems.push(format!(
            "line {}: a ```{} block is neither run (sh, graphql), an output (`output`), nor skipped (`skip=REASON`)",
            b.line, b.lang
        ));
    }
    problems
}
