//! The bound checked before a document is parsed: its lexical tokens and how deeply its
//! brackets nest, counted in one pass over the text, so that the parser (recursive, and
//! linear in tokens) only ever sees a document of bounded size and nesting.

/// How far a document went over a bound.
#[derive(Debug, PartialEq, Eq)]
pub enum TokenBound {
    Tokens(usize),
    Nesting(usize),
}

/// Counts the tokens of `query` (names, numbers, strings, punctuators; commas, white
/// space and comments are not tokens) and the deepest nesting of `{`, `(` and `[`,
/// stopping at the first that passes its limit.
pub fn check(query: &str, max_tokens: usize, max_nesting: usize) -> Result<(), TokenBound> {
    let bytes = query.as_bytes();
    let (mut i, mut tokens, mut nesting) = (0, 0usize, 0usize);
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                loop {
                    if i >= bytes.len() {
                        break;
                    }
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'(' | b'[' => {
                nesting += 1;
                if nesting > max_nesting {
                    return Err(TokenBound::Nesting(nesting));
                }
                i += 1;
            }
            b'}' | b')' | b']' => {
                nesting = nesting.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'!' | b'$' | b'&' | b':' | b'=' | b'@' | b'|' | b'.' => i += 1,
            _ => {
                // A name or number (or a character the parser will refuse): one token.
                let start = i;
                while i < bytes.len()
                    && !matches!(
                        bytes[i],
                        b' ' | b'\t'
                            | b'\n'
                            | b'\r'
                            | b','
                            | b'#'
                            | b'"'
                            | b'{'
                            | b'}'
                            | b'('
                            | b')'
                            | b'['
                            | b']'
                            | b'!'
                            | b'$'
                            | b'&'
                            | b':'
                            | b'='
                            | b'@'
                            | b'|'
                    )
                    && !(bytes[i] == b'.' && bytes[i..].starts_with(b"..."))
                {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
            }
        }
        tokens += 1;
        if tokens > max_tokens {
            return Err(TokenBound::Tokens(tokens));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_tokens_and_nesting() {
        assert_eq!(check("{ a(x: \"b c {\") { ...F } } # {{{", 100, 2), Ok(()));
        assert_eq!(
            check("{ a(x: \"b c\") { ...F } }", 9, 10),
            Err(TokenBound::Tokens(10))
        );
        assert_eq!(check("{{{", 100, 2), Err(TokenBound::Nesting(3)));
        assert_eq!(check("\"\"\" { \\\"\"\" { \"\"\" x", 2, 0), Ok(()));
    }
}
