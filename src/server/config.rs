//! The server's configuration: one typed struct, validated once at start.
//!
//! Sources, lowest first: built-in defaults, the file given with `--config`
//! (TOML, unknown keys refused), environment variables (`CANDOR_*`), flags.
//! The result is passed in the application state; there is no global.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::case::{ADVICE_TOPICS, MISCONDUCT_CATEGORIES};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    #[error("could not read the configuration file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("the configuration file {0} is not valid: {1}")]
    Parse(PathBuf, String),
    #[error("setting `{0}` is not valid: {1}")]
    Invalid(&'static str, String),
}

/// Every setting, with its default.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Reporter site address, `host:port`.
    pub listen: String,
    /// Officer API address, `host:port`.
    pub officer_listen: String,
    /// Where the store and the server's signing key live.
    pub data: PathBuf,
    /// Public keys: recipients.txt, officer.pub, officer-token.sha256.
    pub keys: PathBuf,
    /// Where the log is kept: empty for the embedded store in `data/store`,
    /// or `postgres://user@host/db` (`?host=/run/postgresql` for a socket)
    /// for a PostgreSQL database several candor processes may share.
    pub store: String,
    /// With `candor serve --tenants DIR`, in `DIR/<tenant>/candor.toml`: the
    /// host names this tenant answers to (its onion address, any clearnet
    /// name), matched against each request's `Host`. Unused otherwise.
    pub hosts: Vec<String>,
    /// The office's name, shown on every page, in each language.
    pub office_name: Localized,
    /// Other ways to reach the office (address, telephone, hours), one line each.
    pub office_contact: Vec<Localized>,
    /// Bodies outside the office where a reporter may also turn.
    pub external_channels: Vec<Channel>,
    /// Misconduct categories the report form offers (a subset of the known ones).
    pub categories: Vec<String>,
    /// Advice topics the form offers (a subset of the known ones).
    pub advice_topics: Vec<String>,
    /// Largest request body for a report or message, attachments included.
    pub max_submission_bytes: u64,
    /// Largest text field (description, message).
    pub max_text_bytes: usize,
    /// Largest outbox bundle accepted by /import.
    pub max_import_bytes: usize,
    /// Rate limits; `CANDOR_RATE_LIMITS=off` turns them off for benchmarks only.
    pub rate_limits: bool,
    /// Submissions (reports and messages) per minute, all reporters together.
    pub submissions_per_minute: u32,
    /// Receipt log-ins per minute, all reporters together.
    pub logins_per_minute: u32,
    /// Log-ins per minute with any one receipt.
    pub logins_per_receipt_per_minute: u32,
    /// Minutes of inactivity after which a follow-up session ends.
    pub session_idle_minutes: u64,
    /// Submissions being received at once; more get a "busy" page at once.
    pub max_concurrent_submissions: usize,
    /// Seconds an upload may send nothing before it is dropped.
    pub upload_idle_timeout_seconds: u64,
    /// Slowest a request body may arrive, averaged over `upload_rate_window_seconds`.
    pub upload_min_bytes_per_second: u64,
    /// The window the minimum rate is averaged over (seconds); a body also has
    /// a deadline of this window plus its declared length at the minimum rate.
    pub upload_rate_window_seconds: u64,
    /// Seconds a client may take to send a request's headers; also how long a
    /// kept-alive connection may sit idle between requests.
    pub header_read_timeout_seconds: u64,
    /// Largest request head (request line and headers); larger gets a 431 page.
    pub max_header_bytes: usize,
    /// Connections open at once on the reporter site; 0 derives it from the
    /// descriptor limit (RLIMIT_NOFILE) less what the store and the officer API need.
    pub max_connections: usize,
    /// Free space kept on the data volume: below it, new uploads are refused.
    pub min_free_disk_bytes: u64,
    /// Free inodes kept on the data volume: below it, new uploads are refused.
    pub min_free_inodes: u64,
    /// The reporters' onion address (`xxxx.onion`), if this server is also
    /// reached over a clearnet name: sent as `Onion-Location`. Empty: none.
    pub onion_address: String,
    /// `[[channels]]`: who inside the office a report may be addressed to,
    /// each with its own keys (see [`super::channels`]). None: one set of
    /// keys, `keys/`, as always.
    pub channels: Vec<super::channels::ChannelConfig>,
    /// Most bytes this office's log may take in the store (with `--tenants`,
    /// in the tenant's `candor.toml`); 0: no quota. Past it new reports and
    /// messages are refused (507); nothing stored is touched.
    pub quota_bytes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            officer_listen: "127.0.0.1:8081".into(),
            data: PathBuf::from("./data"),
            keys: PathBuf::from("./keys"),
            store: String::new(),
            hosts: Vec::new(),
            office_name: Localized {
                en: "Ethics Office".into(),
                ar: Some("مكتب الأخلاقيات".into()),
                zh_hans: Some("道德操守办公室".into()),
                fr: Some("Bureau de la déontologie".into()),
                ru: Some("Бюро по вопросам этики".into()),
                es: Some("Oficina de Ética".into()),
            },
            office_contact: Vec::new(),
            external_channels: Vec::new(),
            channels: Vec::new(),
            categories: MISCONDUCT_CATEGORIES.iter().map(|c| (*c).to_owned()).collect(),
            advice_topics: ADVICE_TOPICS.iter().map(|c| (*c).to_owned()).collect(),
            max_submission_bytes: 1024 * 1024 * 1024,
            max_text_bytes: 100_000,
            max_import_bytes: 64 * 1024 * 1024,
            rate_limits: true,
            submissions_per_minute: 120,
            logins_per_minute: 300,
            logins_per_receipt_per_minute: 10,
            session_idle_minutes: 15,
            max_concurrent_submissions: 32,
            upload_idle_timeout_seconds: 120,
            upload_min_bytes_per_second: 4096,
            upload_rate_window_seconds: 30,
            header_read_timeout_seconds: 30,
            max_header_bytes: 16 * 1024,
            max_connections: 0,
            min_free_disk_bytes: 1024 * 1024 * 1024,
            min_free_inodes: 10_000,
            onion_address: String::new(),
            quota_bytes: 0,
        }
    }
}

/// Descriptors kept for everything but reporter connections: the store's
/// files, attachment chunks being written and synced, the officer API's
/// connections ([`OFFICER_CONNECTIONS`]), the control socket, the log.
pub const RESERVED_DESCRIPTORS: usize = 256;

/// Connections the officer API keeps open at once (one transfer machine).
pub const OFFICER_CONNECTIONS: usize = 32;

/// The process's soft descriptor limit (RLIMIT_NOFILE); 1024, the usual
/// default, if it cannot be read; at most 1,048,576 when unlimited.
fn descriptor_limit() -> usize {
    let limit = rustix::process::getrlimit(rustix::process::Resource::Nofile);
    match limit.current {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX).min(1 << 20),
        None => 1 << 20,
    }
}

/// A text the office writes, with its translations.
///
/// In the file either a plain string (used in every language) or a table
/// `{ en = "…", ar = "…", "zh-Hans" = "…", fr = "…", ru = "…", es = "…" }`:
/// `en` is required; a language left out shows the English text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Localized {
    pub en: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ar: Option<String>,
    #[serde(rename = "zh-Hans", skip_serializing_if = "Option::is_none")]
    pub zh_hans: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ru: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub es: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LocalizedTable {
    en: String,
    ar: Option<String>,
    #[serde(rename = "zh-Hans")]
    zh_hans: Option<String>,
    fr: Option<String>,
    ru: Option<String>,
    es: Option<String>,
}

impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Localized;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string, or a table of languages (en, ar, zh-Hans, fr, ru, es)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Localized, E> {
                Ok(Localized {
                    en: v.to_owned(),
                    ..Localized::default()
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Localized, A::Error> {
                // Through a struct that refuses unknown keys, so `zh = "…"` is named as the mistake.
                let t = LocalizedTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Localized {
                    en: t.en,
                    ar: t.ar,
                    zh_hans: t.zh_hans,
                    fr: t.fr,
                    ru: t.ru,
                    es: t.es,
                })
            }
        }
        d.deserialize_any(Visit)
    }
}

impl Localized {
    fn check(&self, name: &'static str) -> Result<(), ConfigError> {
        let translations = [&self.ar, &self.zh_hans, &self.fr, &self.ru, &self.es];
        let blank = |t: &&Option<String>| t.as_ref().is_some_and(|t| t.trim().is_empty());
        if self.en.trim().is_empty() || translations.iter().any(blank) {
            return Err(ConfigError::Invalid(name, "a text must not be empty".into()));
        }
        Ok(())
    }
}

/// A body outside the office where a reporter may also turn.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// Its name, e.g. "Office of Internal Oversight Services".
    pub name: Localized,
    /// How to reach it: address, telephone, web address (shown as text).
    pub how: Localized,
}

/// Where a listener listens: `host:port`, or `unix:/path/to.sock` (a Unix
/// socket, for Tor's `HiddenServicePort 80 unix:/path/to.sock`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListenAddr {
    Tcp(std::net::SocketAddr),
    Unix(PathBuf),
}

impl ListenAddr {
    /// Longest socket path the kernel takes (`sun_path` is 108 bytes with its NUL).
    const MAX_SOCKET_PATH: usize = 107;

    pub fn parse(s: &str) -> Result<ListenAddr, String> {
        if let Some(path) = s.strip_prefix("unix:") {
            if !path.starts_with('/') {
                return Err(format!(
                    "`{s}`: a socket path must be absolute (unix:/run/candor/site.sock)"
                ));
            }
            if path.len() > Self::MAX_SOCKET_PATH {
                return Err(format!(
                    "`{s}`: a socket path may have at most {} bytes",
                    Self::MAX_SOCKET_PATH
                ));
            }
            if path.ends_with('/') {
                return Err(format!("`{s}`: names a directory, not a socket file"));
            }
            return Ok(ListenAddr::Unix(PathBuf::from(path)));
        }
        s.parse()
            .map(ListenAddr::Tcp)
            .map_err(|_| format!("`{s}` is neither host:port nor unix:/absolute/path"))
    }
}

/// The store a configuration names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// The embedded store in `data/store`.
    Sled,
    /// A PostgreSQL database, by its address.
    Postgres(String),
}

/// Values given on the command line or in the environment; `None` keeps the file's.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub officer_listen: Option<String>,
    pub data: Option<PathBuf>,
    pub keys: Option<PathBuf>,
    pub store: Option<String>,
    pub rate_limits: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, over: Overrides) -> Result<Config, ConfigError> {
        let mut config = match file {
            None => Config::default(),
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.to_owned(), e))?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::Parse(path.to_owned(), e.message().to_owned()))?
            }
        };
        if let Some(v) = over.listen {
            config.listen = v;
        }
        if let Some(v) = over.officer_listen {
            config.officer_listen = v;
        }
        if let Some(v) = over.data {
            config.data = v;
        }
        if let Some(v) = over.keys {
            config.keys = v;
        }
        if let Some(v) = over.store {
            config.store = v;
        }
        if let Some(v) = over.rate_limits {
            config.rate_limits = match v.as_str() {
                "off" | "false" | "0" => false,
                "on" | "true" | "1" => true,
                other => {
                    return Err(ConfigError::Invalid(
                        "rate_limits",
                        format!("`{other}`: use on or off"),
                    ));
                }
            };
        }
        config.validate()?;
        Ok(config)
    }

    /// The reporter site's address, parsed (validated at load).
    pub fn listen_addr(&self) -> Result<ListenAddr, ConfigError> {
        ListenAddr::parse(&self.listen).map_err(|e| ConfigError::Invalid("listen", e))
    }

    /// The officer API's address, parsed (validated at load).
    pub fn officer_listen_addr(&self) -> Result<ListenAddr, ConfigError> {
        ListenAddr::parse(&self.officer_listen).map_err(|e| ConfigError::Invalid("officer_listen", e))
    }

    /// Connections the reporter site keeps open at once: `max_connections`,
    /// or when that is 0 the descriptor limit less [`RESERVED_DESCRIPTORS`].
    /// Refused when it would leave the store without descriptors.
    pub fn connection_cap(&self) -> Result<usize, ConfigError> {
        let limit = descriptor_limit();
        let room = limit.saturating_sub(RESERVED_DESCRIPTORS);
        if room < 16 {
            return Err(ConfigError::Invalid(
                "max_connections",
                format!("the descriptor limit ({limit}) is too low; raise LimitNOFILE to at least 1024"),
            ));
        }
        match self.max_connections {
            0 => Ok(room),
            n if n <= room => Ok(n),
            n => Err(ConfigError::Invalid(
                "max_connections",
                format!(
                    "{n} would leave too few of the {limit} descriptors (RLIMIT_NOFILE) for the store; \
                     at most {room}, or raise the limit"
                ),
            )),
        }
    }

    /// Which store `store` names.
    pub fn store_kind(&self) -> Result<StoreKind, ConfigError> {
        let s = self.store.trim();
        if s.is_empty() || s == "sled" {
            Ok(StoreKind::Sled)
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            Ok(StoreKind::Postgres(s.to_owned()))
        } else {
            Err(ConfigError::Invalid(
                "store",
                "use postgres://user@host/database, or leave it empty for the embedded store".into(),
            ))
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.store_kind()?;
        self.listen_addr()?;
        self.officer_listen_addr()?;
        if self.listen == self.officer_listen && !self.listen.ends_with(":0") {
            return Err(ConfigError::Invalid(
                "officer_listen",
                "must differ from listen: the officer API needs its own onion service".into(),
            ));
        }
        let positive = [
            ("submissions_per_minute", self.submissions_per_minute),
            ("logins_per_minute", self.logins_per_minute),
            (
                "logins_per_receipt_per_minute",
                self.logins_per_receipt_per_minute,
            ),
        ];
        for (name, v) in positive {
            if v == 0 {
                return Err(ConfigError::Invalid(name, "must be at least 1".into()));
            }
        }
        if self.max_text_bytes < 1000 {
            return Err(ConfigError::Invalid(
                "max_text_bytes",
                "must be at least 1000".into(),
            ));
        }
        if self.max_submission_bytes < self.max_text_bytes as u64 {
            return Err(ConfigError::Invalid(
                "max_submission_bytes",
                "must be at least max_text_bytes".into(),
            ));
        }
        if self.max_concurrent_submissions == 0 {
            return Err(ConfigError::Invalid(
                "max_concurrent_submissions",
                "must be at least 1".into(),
            ));
        }
        if self.header_read_timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "header_read_timeout_seconds",
                "must be at least 1".into(),
            ));
        }
        for (name, v) in [
            ("upload_min_bytes_per_second", self.upload_min_bytes_per_second),
            ("upload_rate_window_seconds", self.upload_rate_window_seconds),
        ] {
            if v == 0 {
                return Err(ConfigError::Invalid(name, "must be at least 1".into()));
            }
        }
        if !(1024..=1024 * 1024).contains(&self.max_header_bytes) {
            return Err(ConfigError::Invalid(
                "max_header_bytes",
                "must be between 1024 and 1048576".into(),
            ));
        }
        self.connection_cap()?;
        if self.upload_idle_timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "upload_idle_timeout_seconds",
                "must be at least 1".into(),
            ));
        }
        let onion = self.onion_address.trim();
        let is_v3_onion = onion.len() == 62
            && onion.ends_with(".onion")
            && onion
                .bytes()
                .take(56)
                .all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b));
        if !onion.is_empty() && !is_v3_onion {
            return Err(ConfigError::Invalid(
                "onion_address",
                "must be a v3 onion address: 56 letters and digits then .onion".into(),
            ));
        }
        self.office_name.check("office_name")?;
        for line in &self.office_contact {
            line.check("office_contact")?;
        }
        for channel in &self.external_channels {
            channel.name.check("external_channels")?;
            channel.how.check("external_channels")?;
        }
        for (name, offered, known) in [
            ("categories", &self.categories, MISCONDUCT_CATEGORIES),
            ("advice_topics", &self.advice_topics, ADVICE_TOPICS),
        ] {
            if offered.is_empty() {
                return Err(ConfigError::Invalid(name, "offer at least one".into()));
            }
            if let Some(bad) = offered.iter().find(|c| !known.contains(&c.as_str())) {
                return Err(ConfigError::Invalid(
                    name,
                    format!("`{bad}` is not one of {}", known.join(", ")),
                ));
            }
        }
        super::channels::check_config(self)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_example_is_valid_and_lists_the_defaults() {
        let example: Config =
            toml::from_str(include_str!("../../deploy/candor.example.toml")).expect("example parses");
        assert_eq!(format!("{example:?}"), format!("{:?}", Config::default()));
        // Every field is present in the example, so it documents every setting.
        let text = include_str!("../../deploy/candor.example.toml");
        let defaults = toml::Value::try_from(DefaultsView::from(&Config::default())).expect("toml");
        let keys = defaults.as_table().expect("table").keys();
        assert!(keys.len() >= 27, "DefaultsView lost settings");
        for key in keys {
            // A plain setting (`key = …`), a table (`[key]`) or an array of tables (`[[key]]`).
            let forms = [
                format!("\n{key} = "),
                format!("\n[{key}]"),
                format!("\n[[{key}]]"),
            ];
            let listed = forms.iter().any(|form| text.contains(form.as_str()));
            assert!(listed, "example lacks `{key}`");
        }
    }

    #[derive(serde::Serialize)]
    struct DefaultsView {
        listen: String,
        officer_listen: String,
        data: String,
        keys: String,
        store: String,
        hosts: Vec<String>,
        office_name: Localized,
        office_contact: Vec<Localized>,
        external_channels: Vec<Channel>,
        categories: Vec<String>,
        advice_topics: Vec<String>,
        max_submission_bytes: u64,
        max_text_bytes: usize,
        max_import_bytes: usize,
        rate_limits: bool,
        submissions_per_minute: u32,
        logins_per_minute: u32,
        logins_per_receipt_per_minute: u32,
        session_idle_minutes: u64,
        max_concurrent_submissions: usize,
        upload_idle_timeout_seconds: u64,
        upload_min_bytes_per_second: u64,
        upload_rate_window_seconds: u64,
        header_read_timeout_seconds: u64,
        max_header_bytes: usize,
        max_connections: usize,
        min_free_disk_bytes: u64,
        min_free_inodes: u64,
        onion_address: String,
        channels: Vec<super::super::channels::ChannelConfig>,
        quota_bytes: u64,
    }

    impl From<&Config> for DefaultsView {
        fn from(c: &Config) -> Self {
            // Destructured so that a new setting fails to compile here until the example lists it.
            let Config {
                listen,
                officer_listen,
                data,
                keys,
                store,
                hosts,
                office_name,
                office_contact,
                external_channels,
                categories,
                advice_topics,
                max_submission_bytes,
                max_text_bytes,
                max_import_bytes,
                rate_limits,
                submissions_per_minute,
                logins_per_minute,
                logins_per_receipt_per_minute,
                session_idle_minutes,
                max_concurrent_submissions,
                upload_idle_timeout_seconds,
                upload_min_bytes_per_second,
                upload_rate_window_seconds,
                header_read_timeout_seconds,
                max_header_bytes,
                max_connections,
                min_free_disk_bytes,
                min_free_inodes,
                onion_address,
                channels,
                quota_bytes,
            } = c.clone();
            DefaultsView {
                listen,
                officer_listen,
                data: data.display().to_string(),
                keys: keys.display().to_string(),
                store,
                hosts,
                office_name,
                office_contact,
                external_channels,
                categories,
                advice_topics,
                max_submission_bytes,
                max_text_bytes,
                max_import_bytes,
                rate_limits,
                submissions_per_minute,
                logins_per_minute,
                logins_per_receipt_per_minute,
                session_idle_minutes,
                max_concurrent_submissions,
                upload_idle_timeout_seconds,
                upload_min_bytes_per_second,
                upload_rate_window_seconds,
                header_read_timeout_seconds,
                max_header_bytes,
                max_connections,
                min_free_disk_bytes,
                min_free_inodes,
                onion_address,
                channels,
                quota_bytes,
            }
        }
    }

    #[test]
    fn file_then_overrides_and_named_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("candor.toml");
        std::fs::write(
            &path,
            "office_name = \"Test Office\"\nlisten = \"127.0.0.1:9000\"\n",
        )
        .expect("write");
        let c = Config::load(
            Some(&path),
            Overrides {
                listen: Some("127.0.0.1:9100".into()),
                ..Default::default()
            },
        )
        .expect("loads");
        assert_eq!(c.office_name.en, "Test Office");
        // A plain string is the English text; the other languages fall back to it.
        assert_eq!(c.office_name.fr, None);
        assert_eq!(c.listen, "127.0.0.1:9100");

        std::fs::write(
            &path,
            "external_channels = [{ name = { en = \"Oversight\", \"zh-Hans\" = \"监督厅\" }, how = \"Room 1\" }]\n\
             categories = [\"fraud\", \"harassment\"]\n[office_name]\nen = \"Ethics\"\nar = \"الأخلاقيات\"\n",
        )
        .expect("write");
        let c = Config::load(Some(&path), Overrides::default()).expect("translated texts load");
        assert_eq!(c.office_name.ar.as_deref(), Some("الأخلاقيات"));
        assert_eq!(c.categories, ["fraud", "harassment"]);
        let channel = c.external_channels.first().expect("channel");
        assert_eq!(channel.name.zh_hans.as_deref(), Some("监督厅"));
        assert_eq!(channel.how.en, "Room 1");

        for (bad, named) in [
            ("[office_name]\nen = \"Ethics\"\nzh = \"x\"\n", "zh"),
            ("[office_name]\nfr = \"Déontologie\"\n", "en"),
        ] {
            std::fs::write(&path, bad).expect("write");
            let err = Config::load(Some(&path), Overrides::default()).expect_err(bad);
            assert!(err.to_string().contains(named), "{err}");
        }
        for (bad, named) in [
            ("categories = [\"jaywalking\"]\n", "`categories`"),
            ("advice_topics = []\n", "`advice_topics`"),
            ("office_name = \" \"\n", "`office_name`"),
            (
                "upload_min_bytes_per_second = 0\n",
                "`upload_min_bytes_per_second`",
            ),
            ("upload_rate_window_seconds = 0\n", "`upload_rate_window_seconds`"),
            ("max_header_bytes = 100\n", "`max_header_bytes`"),
            ("max_connections = 100000000\n", "`max_connections`"),
        ] {
            std::fs::write(&path, bad).expect("write");
            let err = Config::load(Some(&path), Overrides::default()).expect_err(bad);
            assert!(err.to_string().contains(named), "{err}");
        }

        std::fs::write(&path, "ofice_name = \"typo\"\n").expect("write");
        assert!(matches!(
            Config::load(Some(&path), Overrides::default()),
            Err(ConfigError::Parse(..))
        ));

        let err = Config::load(
            None,
            Overrides {
                listen: Some("nowhere".into()),
                ..Default::default()
            },
        )
        .expect_err("bad address");
        assert!(err.to_string().contains("`listen`"));
    }

    #[test]
    fn listen_forms() {
        let load = |listen: &str, officer: &str| {
            Config::load(
                None,
                Overrides {
                    listen: Some(listen.into()),
                    officer_listen: Some(officer.into()),
                    ..Default::default()
                },
            )
        };
        let c = load("unix:/run/candor/site.sock", "unix:/run/candor/officer.sock").expect("unix forms");
        assert_eq!(
            c.listen_addr().expect("parsed"),
            ListenAddr::Unix(PathBuf::from("/run/candor/site.sock"))
        );
        let c = load("unix:/run/candor/site.sock", "127.0.0.1:8081").expect("mixed forms");
        assert!(matches!(c.officer_listen_addr(), Ok(ListenAddr::Tcp(_))));
        let long = format!("unix:/{}", "x".repeat(200));
        for (listen, officer, named) in [
            ("unix:run/site.sock", "127.0.0.1:8081", "`listen`"),
            ("127.0.0.1:8080", "unix:", "`officer_listen`"),
            ("127.0.0.1:8080", long.as_str(), "`officer_listen`"),
            ("unix:/run/candor/", "127.0.0.1:8081", "`listen`"),
            ("unix:/run/c.sock", "unix:/run/c.sock", "`officer_listen`"),
        ] {
            let err = load(listen, officer).expect_err(listen);
            assert!(err.to_string().contains(named), "{listen} {officer}: {err}");
        }
    }
}
