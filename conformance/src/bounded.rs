//! Reading a file the user named, with a size limit.
//!
//! A path on the command line may be anything: `/dev/zero`, a 2 GB log, a named pipe.
//! Every file this crate reads goes through [`read_to_string`], which stops after the
//! limit instead of growing without bound, and says which file and which limit.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest case file read (the largest hand-written case is about 5 KiB; a generated
/// one stays well below this).
pub const CASE_FILE_LIMIT: u64 = 4 * 1024 * 1024;
/// The largest expectations file read.
pub const EXPECTATIONS_FILE_LIMIT: u64 = 1024 * 1024;

/// A file that could not be read within its limit.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// Opening or reading failed.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// More than `limit` bytes.
    #[error("{}: larger than the {} limit for {what}; not read", path.display(), human(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
        /// What kind of file it was read as ("case files").
        what: &'static str,
    },
    /// Not UTF-8.
    #[error("{}: not UTF-8 text: {source}", path.display())]
    NotText {
        /// The file.
        path: PathBuf,
        /// Where the first bad byte is.
        source: std::string::FromUtf8Error,
    },
}

impl ReadError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::NotText { path, .. } => path,
        }
    }
}

/// `1048576` as `1 MiB`, for messages.
pub fn human(bytes: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (size, unit) in UNITS {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// Reads `path` as UTF-8 text of at most `limit` bytes. `what` names the kind of file in
/// the message ("case files"). A file whose metadata already says it is too large is not
/// opened; any other (a device, a pipe) is read up to one byte past the limit.
pub fn read_to_string(path: &Path, limit: u64, what: &'static str) -> Result<String, ReadError> {
    let too_large = || ReadError::TooLarge { path: path.to_owned(), limit, what };
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.is_file() && metadata.len() > limit {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large());
    }
    String::from_utf8(bytes).map_err(|source| ReadError::NotText { path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_said_in_units() {
        assert_eq!(human(4 * 1024 * 1024), "4 MiB");
        assert_eq!(human(1024), "1 KiB");
        assert_eq!(human(1000), "1000 bytes");
    }

    #[test]
    fn a_file_over_the_limit_is_refused_naming_it_and_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.json");
        std::fs::write(&path, vec![b' '; 2049]).unwrap();
        let e = read_to_string(&path, 2048, "case files").unwrap_err().to_string();
        assert!(e.contains("big.json: larger than the 2 KiB limit for case files"), "{e}");
        assert_eq!(read_to_string(&path, 4096, "case files").unwrap().len(), 2049);
    }

    #[test]
    fn a_device_without_end_is_read_only_up_to_the_limit() {
        let e = read_to_string(Path::new("/dev/zero"), 1024, "expectations files").unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { limit: 1024, .. }), "{e}");
    }

    #[test]
    fn binary_content_is_not_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(read_to_string(&path, 10, "case files").unwrap_err().to_string().contains("not UTF-8"));
    }
}
