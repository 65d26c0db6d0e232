//! candor's pure core: formats and cryptography, bytes in and bytes out.
//!
//! Nothing here opens a file or a socket, reads the clock or draws random
//! numbers of its own (age draws its file keys, as it must); the server and the
//! desk are shells around these modules. The whole cryptographic design is in
//! this folder:
//!
//! - [`receipt`]: receipt codes and what is derived from them;
//! - [`envelope`]: padded, encrypted reports, messages, replies, statuses and attachments;
//! - [`padding`]: Padmé padding;
//! - [`log`]: the hash-chained entry log and its signed head;
//! - [`bundle`]: export and outbox bundles;
//! - [`keys`]: key file formats, and passphrase protection of secret key files;
//! - [`openpgp`]: OpenPGP office keys as age recipients and identities;
//! - [`case`], [`day`], [`secret`]: vocabulary, dates and secret containers.

pub mod bundle;
pub mod case;
pub mod day;
pub mod envelope;
pub mod keys;
pub mod log;
pub mod openpgp;
pub mod padding;
pub mod receipt;
pub mod secret;
