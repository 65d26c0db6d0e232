//! Small file-system helpers: private folders, atomic writes, safe names, randomness.

use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use super::DeskError;

/// Bytes from the OS CSPRNG.
pub(crate) fn random<const N: usize>() -> Result<[u8; N], DeskError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| DeskError::Random)?;
    Ok(b)
}

/// Creates `path` (and missing parents) readable by the owner only.
/// An existing folder is left as it is.
pub(crate) fn create_private_dir(path: &Path) -> io::Result<()> {
    if path.is_dir() {
        return Ok(());
    }
    DirBuilder::new().recursive(true).mode(0o700).create(path)?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o700))
}

/// Creates a new file with `mode`, failing if it exists.
pub(crate) fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

/// Creates or truncates a file readable by the owner only.
pub(crate) fn create_private_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

fn parent_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `path` whole or not at all: a temporary file beside it, synced,
/// then renamed over it.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> io::Result<()> {
    let dir = parent_of(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_owned());
    let mut salt = [0u8; 8];
    getrandom::fill(&mut salt).map_err(|_| io::Error::other("the random number generator failed"))?;
    let tmp = dir.join(format!(".{name}.tmp-{}", hex::encode(salt)));
    let result = (|| -> io::Result<()> {
        let mut f = create_new(&tmp, mode)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result?;
    sync_dir(&dir);
    Ok(())
}

/// Makes a rename durable; best effort (some file systems refuse it).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A file name safe to create inside a folder: no path separators, no `..`,
/// no leading dot, no control characters, not empty, not overlong.
pub(crate) fn safe_file_name(name: &str) -> String {
    // Format characters (bidi overrides, zero-width ones) go: with them a
    // name can read as another (`invoice<U+202E>fdp.sh` as `…hs.pdf`).
    let mapped: String = name
        .chars()
        .filter(|&c| !super::terminal::is_format(c))
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let mut s = mapped.replace("..", "_");
    while s.starts_with('.') || s.starts_with(' ') {
        s.remove(0);
    }
    let s: String = s.trim_end().chars().take(100).collect();
    if s.is_empty() { "attachment".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_made_safe() {
        assert_eq!(safe_file_name("../../etc/passwd"), "____etc_passwd");
        assert_eq!(safe_file_name(".bashrc"), "bashrc");
        assert_eq!(safe_file_name("..."), "_.");
        assert_eq!(safe_file_name(""), "attachment");
        assert_eq!(safe_file_name("a\\b\0c.pdf"), "a_b_c.pdf");
        assert_eq!(safe_file_name("rapport été.pdf"), "rapport été.pdf");
        assert_eq!(safe_file_name("invoice\u{202e}fdp.sh"), "invoicefdp.sh");
        assert_eq!(safe_file_name("a\u{200b}\u{2066}b\u{9b}.txt"), "ab_.txt");
        for bad in ["..", "/", ".", "a/../b", "\n"] {
            let s = safe_file_name(bad);
            assert!(
                !s.contains('/') && !s.contains("..") && !s.starts_with('.'),
                "{bad:?} -> {s:?}"
            );
        }
    }
}
