//! Finding the line of a JSON path (`steps[3].expect[0].authorization`) in a file's
//! text, so content errors point at a line as syntax errors do.
//!
//! serde_json's `Value` keeps no positions, so this is a small scanner over the
//! (already known to be valid) text that follows the path.

#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn parse_path(path: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Segment::Key(key.to_owned()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            out.push(Segment::Index(stripped[..end].parse().ok()?));
            rest = &stripped[end + 1..];
        }
    }
    Some(out)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl Scanner<'_> {
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                _ => return,
            }
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn string(&mut self) -> Option<String> {
        let start = self.pos + 1;
        self.pos += 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\\' => self.pos += 2,
                b'"' => {
                    let raw = std::str::from_utf8(&self.bytes[start..self.pos]).ok()?;
                    self.pos += 1;
                    return serde_json::from_str(&format!("\"{raw}\"")).ok();
                }
                _ => self.pos += 1,
            }
        }
        None
    }

    /// Scans one value; returns the line where `target` starts if it is inside.
    fn value(&mut self, at: &mut Vec<Segment>, target: &[Segment]) -> Result<Option<usize>, ()> {
        self.skip_ws();
        if at.as_slice() == target {
            return Ok(Some(self.line));
        }
        match self.peek().ok_or(())? {
            b'{' => {
                self.pos += 1;
                loop {
                    self.skip_ws();
                    match self.peek().ok_or(())? {
                        b'}' => {
                            self.pos += 1;
                            return Ok(None);
                        }
                        b',' => self.pos += 1,
                        b'"' => {
                            let key = self.string().ok_or(())?;
                            self.skip_ws();
                            if self.peek() != Some(b':') {
                                return Err(());
                            }
                            self.pos += 1;
                            at.push(Segment::Key(key));
                            let found = self.value(at, target)?;
                            at.pop();
                            if found.is_some() {
                                return Ok(found);
                            }
                        }
                        _ => return Err(()),
                    }
                }
            }
            b'[' => {
                self.pos += 1;
                let mut index = 0;
                loop {
                    self.skip_ws();
                    match self.peek().ok_or(())? {
                        b']' => {
                            self.pos += 1;
                            return Ok(None);
                        }
                        b',' => {
                            self.pos += 1;
                            index += 1;
                        }
                        _ => {
                            at.push(Segment::Index(index));
                            let found = self.value(at, target)?;
                            at.pop();
                            if found.is_some() {
                                return Ok(found);
                            }
                        }
                    }
                }
            }
            b'"' => self.string().map(|_| None).ok_or(()),
            _ => {
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.pos += 1;
                }
                Ok(None)
            }
        }
    }
}

/// The 1-based line at which the value at `path` starts in `text`, if found.
pub(super) fn line_of(text: &str, path: &str) -> Option<usize> {
    let target = parse_path(path)?;
    let mut scanner = Scanner { bytes: text.as_bytes(), pos: 0, line: 1 };
    scanner.value(&mut Vec::new(), &target).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"id\": \"x\",\n  \"tokens\": {\"A\": {\"exp_in\": 3}},\n  \"steps\": [\n    {\"call\": \"flush\"},\n    {\"advance\": 1,\n     \"expect\": [{\"output\": \"handler_called\", \"a\\\"b\": [1, 2]}]}\n  ]\n}";

    #[test]
    fn finds_the_line_of_a_path() {
        assert_eq!(line_of(TEXT, "id"), Some(2));
        assert_eq!(line_of(TEXT, "tokens.A"), Some(3));
        assert_eq!(line_of(TEXT, "steps[0]"), Some(5));
        assert_eq!(line_of(TEXT, "steps[1].expect[0].output"), Some(7));
        assert_eq!(line_of(TEXT, "steps[2]"), None);
        assert_eq!(line_of(TEXT, "nope"), None);
    }
}
