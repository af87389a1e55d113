//! How the device's parts write their files in the state directory: whole
//! files replaced atomically, bytes as hex text.

use std::io::Write;
use std::path::Path;

use log::warn;

/// Replaces `path` with `content` atomically: a crash leaves the old file or
/// the new one, never a mix (write a temporary file, sync, rename, sync the
/// directory).
pub fn write_atomically(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(content)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, path)?;
    match std::fs::File::open(dir) {
        Ok(d) => {
            if let Err(e) = d.sync_all() {
                warn!("cannot sync {}: {e}", dir.display());
            }
        }
        Err(e) => warn!("cannot open {}: {e}", dir.display()),
    }
    Ok(())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of lower- or upper-case hex; `None` if it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
