//! The API token: read from the configured `env:`/`file:` reference, or, when none is
//! configured, generated once into `<data_dir>/api-token` (mode 0600) and read from there.

use crate::config::ApiConfig;
use anyhow::Context;
use r53guard_api::ApiToken;
use rand::RngCore;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The file a generated token is kept in, inside the data directory.
pub const TOKEN_FILE: &str = "api-token";

/// The token the API checks.
pub fn api_token(api: &ApiConfig, data_dir: &Path) -> anyhow::Result<ApiToken> {
    if let Some(spec) = &api.token {
        let secret = spec
            .resolve()
            .with_context(|| format!("api.token ({})", spec.describe()))?;
        return ApiToken::new(secret.expose())
            .with_context(|| format!("api.token ({})", spec.describe()));
    }
    let path = data_dir.join(TOKEN_FILE);
    if !path.exists() {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .with_context(|| format!("creating {}", path.display()))?;
        writeln!(file, "{token}")?;
        file.sync_all()?;
        tracing::info!(path = %path.display(), "generated an API token");
    }
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    tracing::info!(path = %path.display(), "API token file (send it as Authorization: Bearer)");
    ApiToken::new(&text).with_context(|| format!("the token in {}", path.display()))
}
