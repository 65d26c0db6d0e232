//! The data directory and everything in it are the server's alone.
//!
//! The server sets its umask to 077 at start ([`restrict_umask`]), so what
//! it and sled create is owner-only whatever umask it was started with, and
//! [`owner_only`] takes group and other access away from a data directory
//! an older release (or another umask) left readable.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// New files and folders of this process: owner-only.
pub fn restrict_umask() {
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Creates `data` owner-only if it is missing, and removes group and other
/// access from it and everything under it.
pub fn owner_only(data: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data)?;
    restrict(data)
}

fn restrict(path: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & 0o7700))?;
    }
    if meta.is_dir() {
        for item in std::fs::read_dir(path)? {
            restrict(&item?.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_readable_tree_becomes_owner_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        std::fs::create_dir_all(data.join("store")).expect("mkdir");
        std::fs::write(data.join("store/db"), b"x").expect("write");
        for p in [data.clone(), data.join("store"), data.join("store/db")] {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o777)).expect("chmod");
        }
        owner_only(&data).expect("restrict");
        for p in [data.clone(), data.join("store"), data.join("store/db")] {
            let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{}", p.display());
        }
    }
}
