//! The OS keyring, or — where no keyring service runs (CI, headless Linux, some phones' test
//! hosts) — a file encrypted with AES-256-GCM under a random key kept in a second file. The file
//! fallback keeps tokens out of the data folder (copied into backups, attached to bug reports);
//! it cannot protect them from someone running as the same OS user, which no local store can.

use std::path::{Path, PathBuf};

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};

use super::{Tokens, Vault};
use crate::error::ClientError;

fn vault_err(e: impl std::fmt::Display) -> ClientError {
    ClientError::Vault(e.to_string())
}

/// The OS keyring, one entry per server.
#[cfg(not(target_os = "android"))]
pub struct KeyringVault {
    entry: keyring::Entry,
}

#[cfg(not(target_os = "android"))]
/// Runs a keyring call on a plain thread: the Secret Service client blocks on its own runtime,
/// which must not start inside the app's.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
}

#[cfg(not(target_os = "android"))]
impl KeyringVault {
    /// `None` when no keyring service answers here.
    pub fn probe(server: &str) -> Option<Self> {
        if std::env::var("THESET_KEYRING").as_deref() == Ok("off") {
            return None;
        }
        off_runtime(|| {
            let entry = keyring::Entry::new("theset", server).ok()?;
            // A round trip proves the service is there and unlocked.
            let probe = keyring::Entry::new("theset", &format!("{server}#probe")).ok()?;
            probe.set_password("probe").ok()?;
            let ok = probe.get_password().ok().as_deref() == Some("probe");
            let _ = probe.delete_credential();
            ok.then_some(Self { entry })
        })
    }
}

#[cfg(not(target_os = "android"))]
impl Vault for KeyringVault {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        match off_runtime(|| self.entry.get_password()) {
            Ok(s) => serde_json::from_str(&s).map(Some).map_err(vault_err),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(vault_err(e)),
        }
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let s = serde_json::to_string(tokens).map_err(vault_err)?;
        off_runtime(|| self.entry.set_password(&s)).map_err(vault_err)
    }

    fn clear(&self) -> Result<(), ClientError> {
        match off_runtime(|| self.entry.delete_credential()) {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(vault_err(e)),
        }
    }

    fn kind(&self) -> &'static str {
        "keyring"
    }
}

/// Tokens encrypted in `tokens.bin` under the key in `key_path` (created 0600 on first use).
pub struct FileVault {
    path: PathBuf,
    key_path: PathBuf,
}

const NONCE: usize = 12;

impl FileVault {
    pub fn new(path: &Path, key_path: &Path) -> Self {
        Self {
            path: path.to_owned(),
            key_path: key_path.to_owned(),
        }
    }

    fn cipher(&self) -> Result<Aes256Gcm, ClientError> {
        let key = match std::fs::read(&self.key_path) {
            Ok(k) if k.len() == 32 => k,
            _ => {
                let k: [u8; 32] = rand::random();
                write_private(&self.key_path, &k)?;
                k.to_vec()
            }
        };
        Aes256Gcm::new_from_slice(&key).map_err(vault_err)
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(vault_err)?;
    }
    let tmp = path.with_extension("tmp");
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp).map_err(vault_err)?;
        f.write_all(bytes).map_err(vault_err)?;
        f.sync_all().map_err(vault_err)?;
    }
    // Replace atomically: a crash leaves the old tokens or the new, never half of either.
    std::fs::rename(&tmp, path).map_err(vault_err)
}

impl Vault for FileVault {
    fn load(&self) -> Result<Option<Tokens>, ClientError> {
        let Ok(bytes) = std::fs::read(&self.path) else {
            return Ok(None);
        };
        if bytes.len() <= NONCE {
            return Ok(None);
        }
        let (nonce, sealed) = bytes.split_at(NONCE);
        let plain = self
            .cipher()?
            .decrypt(Nonce::from_slice(nonce), sealed)
            // Another key (the key file was lost): the tokens are unreadable, sign in again.
            .map_err(|_| ClientError::Vault("stored tokens cannot be decrypted".into()))?;
        serde_json::from_slice(&plain).map(Some).map_err(vault_err)
    }

    fn save(&self, tokens: &Tokens) -> Result<(), ClientError> {
        let plain = serde_json::to_vec(tokens).map_err(vault_err)?;
        let nonce: [u8; NONCE] = rand::random();
        let sealed = self
            .cipher()?
            .encrypt(Nonce::from_slice(&nonce), plain.as_slice())
            .map_err(vault_err)?;
        let mut out = nonce.to_vec();
        out.extend(sealed);
        write_private(&self.path, &out)
    }

    fn clear(&self) -> Result<(), ClientError> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(vault_err(e)),
        }
    }

    fn kind(&self) -> &'static str {
        "file"
    }
}

/// The keyring when one answers, else the encrypted file under `data_dir` (key in `key_dir`):
/// one entry, or one file, per server (`server_key` names it), so signing in to a second server
/// never replaces the first one's session.
pub fn open(server: &str, server_key: &str, data_dir: &Path, key_dir: &Path) -> Box<dyn Vault> {
    #[cfg(not(target_os = "android"))]
    let os: Option<Box<dyn Vault>> = KeyringVault::probe(server).map(|v| Box::new(v) as _);
    #[cfg(target_os = "android")]
    let os: Option<Box<dyn Vault>> =
        super::KeystoreVault::android(server_key).map(|v| Box::new(v) as _);
    os.unwrap_or_else(|| {
        // Said, not silent: the status screen shows `file`, and the log says why.
        tracing::warn!("no OS keyring here; tokens go to an encrypted file beside the store");
        Box::new(FileVault::new(
            &file_for(data_dir, server_key),
            &key_dir.join("theset-token.key"),
        ))
    })
}

/// The token file of one server.
pub fn file_for(data_dir: &Path, server_key: &str) -> PathBuf {
    data_dir.join(format!("tokens-{server_key}.bin"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn tokens(n: u8) -> Tokens {
        Tokens {
            access_token: format!("access-{n}"),
            refresh_token: format!("refresh-{n}"),
            expires_at: DateTime::from_timestamp(1_800_000_000 + i64::from(n), 0).expect("time"),
        }
    }

    #[test]
    fn file_vault_round_trips_and_keeps_plaintext_out() {
        let dir = tempfile::tempdir().expect("dir");
        let v = FileVault::new(
            &dir.path().join("data/tokens.bin"),
            &dir.path().join("keys/k"),
        );
        assert_eq!(v.load().expect("empty"), None);
        v.save(&tokens(1)).expect("save");
        v.save(&tokens(2)).expect("save again");
        assert_eq!(v.load().expect("load"), Some(tokens(2)));
        let raw = std::fs::read(dir.path().join("data/tokens.bin")).expect("raw");
        assert!(!String::from_utf8_lossy(&raw).contains("refresh-2"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/k"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        v.clear().expect("clear");
        assert_eq!(v.load().expect("cleared"), None);
    }

    #[test]
    fn a_lost_key_means_signing_in_again_not_garbage() {
        let dir = tempfile::tempdir().expect("dir");
        let v = FileVault::new(&dir.path().join("t"), &dir.path().join("k"));
        v.save(&tokens(1)).expect("save");
        std::fs::remove_file(dir.path().join("k")).expect("lose key");
        assert!(matches!(v.load(), Err(ClientError::Vault(_))));
    }

    #[test]
    fn each_server_keeps_its_own_token_file() {
        let dir = tempfile::tempdir().expect("dir");
        let key = dir.path().join("k");
        let file = |server: &str| file_for(dir.path(), &crate::server_key(server));
        let home = FileVault::new(&file("http://127.0.0.1:8080"), &key);
        let work = FileVault::new(&file("https://api.theset.app"), &key);
        home.save(&tokens(1)).expect("save");
        work.save(&tokens(2)).expect("save");
        assert_eq!(
            home.load().expect("load"),
            Some(tokens(1)),
            "signing in elsewhere kept this one"
        );
        assert_eq!(work.load().expect("load"), Some(tokens(2)));
        work.clear().expect("clear");
        assert_eq!(home.load().expect("load"), Some(tokens(1)));
    }
}
