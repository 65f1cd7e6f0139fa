//! The embedded demo's API key: made once, kept in a file beside the embedded database
//! (readable by its owner only), and given again at every start, so keys do not pile up.
use crate::storage::environments::Environment;
use crate::storage::keys::{self, Scope};
use anyhow::Context;
use sea_orm::DatabaseConnection;
use std::io::Write;
use std::path::Path;

/// The demo key kept in `path` when it still opens `env` with every scope; else a new
/// key of every scope, saved to `path`.
pub async fn demo_key(
    db: &DatabaseConnection,
    env: &Environment,
    path: &Path,
) -> anyhow::Result<String> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let token = text.trim();
        if let Ok(caller) = keys::authenticate(db, token).await
            && caller.environment.id == env.id
            && Scope::ALL.iter().all(|s| caller.scopes.contains(s))
        {
            restrict(path)?;
            return Ok(token.to_owned());
        }
    }
    let token = keys::create(db, env.id, &Scope::ALL).await?;
    save(path, &token)
        .with_context(|| format!("cannot save the demo key to {}", path.display()))?;
    Ok(token)
}

/// Writes `token` to `path` through a file of the owner's only, renamed into place.
fn save(path: &Path, token: &str) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    restrict(&tmp)?;
    writeln!(file, "{token}")?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

/// Makes `path` readable and writable by its owner only (a file made by hand may be
/// readable by others).
fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
