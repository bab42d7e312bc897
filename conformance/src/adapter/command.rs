//! Splitting an `--adapter "COMMAND ARGS"` string into a program and its arguments, the
//! way a POSIX shell would for plain words, quotes and backslashes (no expansion).

/// A command line that cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A quote opened and never closed.
    #[error("unterminated {0} quote in the adapter command")]
    Unterminated(&'static str),
    /// A trailing backslash.
    #[error("the adapter command ends with a lone backslash")]
    TrailingBackslash,
    /// Nothing to run.
    #[error("the adapter command is empty")]
    Empty,
}

/// Splits `line` into words: whitespace separates, `'...'` is literal, `"..."` allows
/// `\"`, `\\`, `\$` and `` \` `` escapes, and a backslash outside quotes escapes the
/// next character.
pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unterminated("single")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::Unterminated("double")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unterminated("double")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(SplitError::TrailingBackslash),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if words.is_empty() {
        return Err(SplitError::Empty);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_shell() {
        assert_eq!(split("a b  c").unwrap(), ["a", "b", "c"]);
        assert_eq!(
            split(r#"python3 "my adapter.py" --x='1 2'"#).unwrap(),
            ["python3", "my adapter.py", "--x=1 2"]
        );
        assert_eq!(split(r#"a\ b "q\"uote" ''"#).unwrap(), ["a b", "q\"uote", ""]);
        assert_eq!(split("'unterminated"), Err(SplitError::Unterminated("single")));
        assert_eq!(split("   "), Err(SplitError::Empty));
        assert_eq!(split("x\\"), Err(SplitError::TrailingBackslash));
    }
}
