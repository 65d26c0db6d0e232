//! Channels inside an office: who a report is addressed to.
//!
//! An office may name several channels in `candor.toml` (`[[channels]]`),
//! e.g. the Ethics Office and, for reports about the ethics office itself,
//! the Chair of the Audit Committee. Each has its own folder of keys, the
//! same files as the office's `keys/` (age recipients and/or OpenPGP
//! certificates, the officer signing key(s), optionally its own officer API
//! token), and may offer a subset of the office's categories and topics.
//!
//! Owns: the channel settings, their validation, loading each channel's keys,
//! and the rules that follow from a case's channel: which keys a report,
//! its attachments and its later messages are sealed to, which officer keys
//! may sign an operation on it. Does not own: the form (see [`super::web`]),
//! the entry format (the channel id travels in the report entry's header,
//! [`crate::core::log`], and sealed in the report,
//! [`crate::core::envelope::SealedChannel`]).
//!
//! # Invariants
//!
//! - No `[[channels]]`: nothing changes. Every report is sealed to `keys/`,
//!   no entry carries a channel, and the stores and bundles are byte for
//!   byte what they were.
//! - With channels, every report entry names its channel, and the report is
//!   sealed to that channel's keys valid on the day and no others; so are
//!   its attachments (the form asks for the channel before any file) and
//!   every later message of its case, whose channel is read back from the
//!   report's entry header.
//! - An office operation on a case is accepted only when signed by an
//!   officer key of that case's channel.
//! - The channel chosen is visible to the server: it seals to it.

use std::path::{Component, Path, PathBuf};

use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

use super::config::{Config, ConfigError, Localized};
use super::keys::{KeysError, ServerKeys};
use crate::core::case::{ADVICE_TOPICS, CaseId, Kind, MISCONDUCT_CATEGORIES};
use crate::core::day::Day;
use crate::core::envelope::SealedChannel;
use crate::core::log::{EntryKind, valid_channel_id};

/// Most channels an office may have: the form lists them all.
pub const MAX_CHANNELS: usize = 16;

/// One `[[channels]]` table of `candor.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Its id (`a-z`, `0-9`, `-`), as entries, reports and the desk name it.
    pub id: String,
    /// Its folder of keys, relative to the office's keys folder; `.` is
    /// the office's keys folder itself.
    pub keys: PathBuf,
    /// Its name, in every language the site offers.
    pub name: Localized,
    /// Who reads what is sent to it and when to choose it, in every language.
    pub about: Localized,
    /// The misconduct categories it takes; absent: the office's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub categories: Option<Vec<String>>,
    /// The advice topics it takes; absent: the office's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advice_topics: Option<Vec<String>>,
}

fn invalid(what: String) -> ConfigError {
    ConfigError::Invalid("channels", what)
}

/// The languages a text lacks (the site offers six).
fn missing_languages(text: &Localized) -> Vec<&'static str> {
    [
        ("ar", &text.ar),
        ("zh-Hans", &text.zh_hans),
        ("fr", &text.fr),
        ("ru", &text.ru),
        ("es", &text.es),
    ]
    .into_iter()
    .filter(|(_, t)| t.as_deref().is_none_or(|t| t.trim().is_empty()))
    .map(|(code, _)| code)
    .collect()
}

/// Checks `[[channels]]` (what can be checked without reading the keys).
pub fn check_config(config: &Config) -> Result<(), ConfigError> {
    let channels = &config.channels;
    if channels.len() > MAX_CHANNELS {
        return Err(invalid(format!("at most {MAX_CHANNELS} channels")));
    }
    if channels.len() == 1 {
        return Err(invalid(
            "one channel is no choice: name two or more, or none (then every report goes to keys/)".into(),
        ));
    }
    for (i, c) in channels.iter().enumerate() {
        if !valid_channel_id(&c.id) {
            return Err(invalid(format!(
                "`{}` is not a channel id: 1 to 32 of a-z, 0-9 and -, not starting with -",
                c.id
            )));
        }
        if channels.iter().take(i).any(|o| o.id == c.id) {
            return Err(invalid(format!("two channels have the id `{}`", c.id)));
        }
        let inside = c
            .keys
            .components()
            .all(|p| matches!(p, Component::Normal(_) | Component::CurDir));
        if !inside || c.keys.as_os_str().is_empty() {
            return Err(invalid(format!(
                "channel `{}`: keys = {:?} must be a folder inside the office's keys folder (`.` for the folder itself)",
                c.id,
                c.keys.display()
            )));
        }
        for (field, text) in [("name", &c.name), ("about", &c.about)] {
            if text.en.trim().is_empty() {
                return Err(invalid(format!("channel `{}`: {field} must not be empty", c.id)));
            }
            let missing = missing_languages(text);
            if !missing.is_empty() {
                return Err(invalid(format!(
                    "channel `{}`: {field} lacks a translation in {} (the reporter chooses by it; give it in every language the site offers: en, ar, zh-Hans, fr, ru, es)",
                    c.id,
                    missing.join(", ")
                )));
            }
        }
        for (field, list, office, known) in [
            (
                "categories",
                &c.categories,
                &config.categories,
                MISCONDUCT_CATEGORIES,
            ),
            (
                "advice_topics",
                &c.advice_topics,
                &config.advice_topics,
                ADVICE_TOPICS,
            ),
        ] {
            let Some(list) = list else { continue };
            if list.is_empty() {
                return Err(invalid(format!(
                    "channel `{}`: {field} is empty; leave it out to offer the office's",
                    c.id
                )));
            }
            if let Some(bad) = list.iter().find(|x| !office.contains(x)) {
                return Err(invalid(format!(
                    "channel `{}`: {field}: `{bad}` is not among the office's {field} ({})",
                    c.id,
                    if office.is_empty() {
                        known.join(", ")
                    } else {
                        office.join(", ")
                    }
                )));
            }
        }
    }
    Ok(())
}

/// A channel with its keys loaded.
pub struct Channel {
    pub config: ChannelConfig,
    pub keys: ServerKeys,
}

impl Channel {
    /// What the report seals of it.
    pub fn sealed(&self) -> Box<SealedChannel> {
        Box::new(SealedChannel {
            id: self.config.id.clone(),
            name: self.config.name.en.clone(),
        })
    }

    /// The categories (misconduct) or topics (advice) it takes.
    pub fn offered<'a>(&'a self, config: &'a Config, kind: Kind) -> &'a [String] {
        match kind {
            Kind::Misconduct => self.config.categories.as_deref().unwrap_or(&config.categories),
            Kind::Advice => self
                .config
                .advice_topics
                .as_deref()
                .unwrap_or(&config.advice_topics),
        }
    }
}

/// Why a channel's keys could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    #[error("channel `{id}`: its keys folder {} does not exist (keys = {:?} in [[channels]])", dir.display(), keys.display())]
    NoFolder { id: String, dir: PathBuf, keys: PathBuf },
    #[error("channel `{id}`: {source}")]
    Keys {
        id: String,
        #[source]
        source: KeysError,
    },
}

/// The office's channels, loaded; empty without `[[channels]]`.
#[derive(Default)]
pub struct Channels {
    pub list: Vec<Channel>,
}

impl Channels {
    /// Loads every channel's keys from inside `office_keys`; refuses a
    /// missing folder or one whose keys cannot receive on `today`.
    pub fn load(config: &Config, office_keys: &Path, today: Day) -> Result<Channels, ChannelError> {
        let mut list = Vec::new();
        for c in &config.channels {
            let dir = office_keys.join(&c.keys);
            if !dir.is_dir() {
                return Err(ChannelError::NoFolder {
                    id: c.id.clone(),
                    dir,
                    keys: c.keys.clone(),
                });
            }
            let keys = ServerKeys::load_channel(&dir, today).map_err(|source| ChannelError::Keys {
                id: c.id.clone(),
                source,
            })?;
            list.push(Channel {
                config: c.clone(),
                keys,
            });
        }
        Ok(Channels { list })
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Channel> {
        self.list.iter().find(|c| c.config.id == id)
    }

    /// The keys a case of `channel` is sealed to and its operations signed
    /// by: the channel's, or the office's for a case of no channel.
    pub fn keys_for<'a>(&'a self, office: &'a ServerKeys, channel: Option<&str>) -> Option<&'a ServerKeys> {
        match channel {
            None => Some(office),
            Some(id) => self.get(id).map(|c| &c.keys),
        }
    }

    /// Every officer key of the office and of its channels: an outbox may
    /// be signed by any of them (each operation is then checked against its
    /// case's channel).
    pub fn all_officers(&self, office: &ServerKeys) -> Vec<VerifyingKey> {
        let mut all = office.officers.clone();
        for c in &self.list {
            for k in &c.keys.officers {
                if !all.contains(k) {
                    all.push(*k);
                }
            }
        }
        all
    }

    /// The channel a desk's officer key files a recorded case to: the first
    /// channel whose officers include it; `None` for an office without
    /// channels, or a key of `keys/` that no channel lists. With channels,
    /// every case so recorded names one, as every report filed online does,
    /// so that another channel's desk can tell it is not its own.
    pub fn of_officer(&self, signer: &[u8; 32]) -> Option<String> {
        self.list
            .iter()
            .find(|c| c.keys.officers.iter().any(|k| k.as_bytes() == signer))
            .map(|c| c.config.id.clone())
    }

    /// Whether the bearer token is one of a channel's own.
    pub fn token_matches(&self, token: &str) -> bool {
        // Every channel's hash is compared, so the time taken does not tell which.
        self.list
            .iter()
            .fold(false, |found, c| c.keys.token.matches(token) | found)
    }
}

/// The channel of `case`, from its report's entry header: `Ok(None)` for
/// the office's default channel.
pub fn of_case(
    store: &dyn super::store::Store,
    case: CaseId,
) -> Result<Option<String>, super::store::StoreError> {
    Ok(store
        .case_entries(case)?
        .into_iter()
        .find(|(e, _)| e.kind == EntryKind::Report)
        .and_then(|(e, _)| e.channel))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(text: &str) -> Localized {
        Localized {
            en: text.into(),
            ar: Some(text.into()),
            zh_hans: Some(text.into()),
            fr: Some(text.into()),
            ru: Some(text.into()),
            es: Some(text.into()),
        }
    }

    fn channel(id: &str, keys: &str) -> ChannelConfig {
        ChannelConfig {
            id: id.into(),
            keys: keys.into(),
            name: full("Name"),
            about: full("About"),
            categories: None,
            advice_topics: None,
        }
    }

    fn check(channels: Vec<ChannelConfig>) -> Result<(), String> {
        let config = Config {
            channels,
            ..Config::default()
        };
        check_config(&config).map_err(|e| e.to_string())
    }

    #[test]
    fn channel_settings_are_checked_with_named_errors() {
        assert!(check(vec![]).is_ok());
        assert!(check(vec![channel("ethics", "."), channel("audit", "audit")]).is_ok());
        let cases: Vec<(Vec<ChannelConfig>, &str)> = vec![
            (vec![channel("ethics", ".")], "one channel is no choice"),
            (
                vec![channel("ethics", "."), channel("ethics", "audit")],
                "two channels have the id `ethics`",
            ),
            (
                vec![channel("Ethics", "."), channel("audit", "audit")],
                "`Ethics` is not a channel id",
            ),
            (
                vec![channel("ethics", "."), channel("audit", "../audit")],
                "must be a folder inside",
            ),
            (
                vec![channel("ethics", "."), channel("audit", "/etc")],
                "must be a folder inside",
            ),
            (
                vec![
                    channel("ethics", "."),
                    ChannelConfig {
                        about: Localized {
                            ru: None,
                            ..full("About")
                        },
                        ..channel("audit", "audit")
                    },
                ],
                "channel `audit`: about lacks a translation in ru",
            ),
            (
                vec![
                    channel("ethics", "."),
                    ChannelConfig {
                        categories: Some(vec!["gifts".into()]),
                        ..channel("audit", "audit")
                    },
                ],
                "channel `audit`: categories: `gifts` is not among the office's categories",
            ),
        ];
        for (list, want) in cases {
            let got = check(list).expect_err(want);
            assert!(got.contains(want), "{got:?} should say {want:?}");
        }
    }
}
