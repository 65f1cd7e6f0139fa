//! Splits an ingest body, as it streams in, into items: NDJSON lines, or the elements of
//! one JSON array. Memory stays bounded by the largest item, whatever the body's size.

/// The largest single event or record accepted, in bytes.
pub const MAX_ITEM_BYTES: usize = 1024 * 1024;

/// One raw item: its position (NDJSON line, or 1-based array index) and bytes, or why it
/// cannot be read.
pub type RawItem = (u64, Result<Vec<u8>, String>);

#[derive(PartialEq)]
enum Mode {
    /// Nothing but whitespace seen yet.
    Unknown,
    Lines,
    Array,
    /// After the array's closing bracket.
    ArrayDone,
}

pub struct Splitter {
    mode: Mode,
    buf: Vec<u8>,
    position: u64,
    /// Lines mode: the current line is over the size limit and is being skipped.
    skipping: bool,
    // Array mode scanner state.
    started: bool,
    depth: i32,
    in_string: bool,
    escaped: bool,
    trailing_reported: bool,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::new()
    }
}

impl Splitter {
    pub fn new() -> Self {
        Splitter {
            mode: Mode::Unknown,
            buf: Vec::new(),
            position: 0,
            skipping: false,
            started: false,
            depth: 0,
            in_string: false,
            escaped: false,
            trailing_reported: false,
        }
    }

    /// Feeds the next chunk of the body; complete items are pushed to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<RawItem>) {
        for &b in chunk {
            match self.mode {
                Mode::Unknown => {
                    if b.is_ascii_whitespace() {
                        if b == b'\n' {
                            self.position += 1;
                        }
                        continue;
                    }
                    if b == b'[' {
                        self.mode = Mode::Array;
                    } else {
                        self.mode = Mode::Lines;
                        self.push_line_byte(b, out);
                    }
                }
                Mode::Lines => self.push_line_byte(b, out),
                Mode::Array => self.push_array_byte(b, out),
                Mode::ArrayDone => {
                    if !b.is_ascii_whitespace() && !self.trailing_reported {
                        self.trailing_reported = true;
                        out.push((
                            self.position + 1,
                            Err("unexpected data after the JSON array's closing bracket".into()),
                        ));
                    }
                }
            }
        }
    }

    /// Ends the body; a last unterminated item is pushed to `out`.
    pub fn finish(&mut self, out: &mut Vec<RawItem>) {
        match self.mode {
            Mode::Lines => self.end_line(out),
            Mode::Array => {
                if self.started || !self.buf.is_empty() {
                    self.position += 1;
                }
                out.push((
                    self.position.max(1),
                    Err(
                        "the JSON array is not closed: the body ended before its closing bracket"
                            .into(),
                    ),
                ));
            }
            Mode::Unknown | Mode::ArrayDone => {}
        }
    }

    fn push_line_byte(&mut self, b: u8, out: &mut Vec<RawItem>) {
        if b == b'\n' {
            self.end_line(out);
            return;
        }
        if self.skipping {
            return;
        }
        if self.buf.len() >= MAX_ITEM_BYTES {
            self.skipping = true;
            self.buf.clear();
            return;
        }
        self.buf.push(b);
    }

    fn end_line(&mut self, out: &mut Vec<RawItem>) {
        self.position += 1;
        if self.skipping {
            self.skipping = false;
            out.push((
                self.position,
                Err(format!("the line is longer than {MAX_ITEM_BYTES} bytes")),
            ));
            return;
        }
        let line = std::mem::take(&mut self.buf);
        let trimmed = line.trim_ascii();
        if !trimmed.is_empty() {
            out.push((self.position, Ok(trimmed.to_vec())));
        }
    }

    fn push_array_byte(&mut self, b: u8, out: &mut Vec<RawItem>) {
        if !self.started {
            if b.is_ascii_whitespace() || b == b',' {
                return;
            }
            if b == b']' {
                self.mode = Mode::ArrayDone;
                return;
            }
            self.started = true;
        }
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
            }
        } else {
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth > 0 => self.depth -= 1,
                b',' | b']' if self.depth == 0 => {
                    self.position += 1;
                    let item = std::mem::take(&mut self.buf);
                    let item = if self.skipping {
                        Err(format!("the element is longer than {MAX_ITEM_BYTES} bytes"))
                    } else {
                        Ok(item.trim_ascii().to_vec())
                    };
                    self.skipping = false;
                    out.push((self.position, item));
                    self.started = false;
                    if b == b']' {
                        self.mode = Mode::ArrayDone;
                    }
                    return;
                }
                _ => {}
            }
        }
        if self.buf.len() >= MAX_ITEM_BYTES {
            self.skipping = true;
            self.buf.clear();
        }
        if !self.skipping {
            self.buf.push(b);
        }
    }
}

/// Parses one raw item as JSON.
pub fn parse(item: RawItem) -> super::Item {
    let (line, bytes) = item;
    let value = bytes.map_err(super::Unreadable::from).and_then(|bytes| {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| super::Unreadable::from("the item is not valid UTF-8".to_owned()))?;
        super::json::parse(text)
    });
    super::Item { line, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(chunks: &[&str]) -> Vec<(u64, Result<String, String>)> {
        let mut s = Splitter::new();
        let mut out = Vec::new();
        for c in chunks {
            s.feed(c.as_bytes(), &mut out);
        }
        s.finish(&mut out);
        out.into_iter()
            .map(|(p, r)| (p, r.map(|b| String::from_utf8(b).unwrap())))
            .collect()
    }

    #[test]
    fn ndjson_lines_keep_their_numbers_across_chunks() {
        let got = split(&["{\"a\":1}\n\n{\"b\"", ":2}\r\n{\"c\":3}"]);
        assert_eq!(
            got,
            vec![
                (1, Ok("{\"a\":1}".into())),
                (3, Ok("{\"b\":2}".into())),
                (4, Ok("{\"c\":3}".into()))
            ]
        );
    }

    #[test]
    fn array_elements_split_at_top_level_commas_only() {
        let got = split(&[" [ {\"a\":\"x,]\\\"\"}, {\"b\":[1,", "2]} ,3 ] "]);
        assert_eq!(
            got,
            vec![
                (1, Ok("{\"a\":\"x,]\\\"\"}".into())),
                (2, Ok("{\"b\":[1,2]}".into())),
                (3, Ok("3".into()))
            ]
        );
    }

    #[test]
    fn unclosed_array_and_trailing_data_are_reported() {
        let got = split(&["[{\"a\":1}"]);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.is_err());
        let got = split(&["[]x"]);
        assert_eq!(got.len(), 1);
        assert!(got[0].1.is_err());
    }
}
