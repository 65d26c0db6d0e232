//! Envelope and entry-header parsing, and the checks of an entry's officer
//! signature or reporter MAC: what the desk and the server decode.
#![no_main]

use candor::core::envelope;
use candor::core::log::{Auth, Entry, OpClaim, verify_message_mac};
use candor::core::receipt::{MessageKey, identity_from_bytes};
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = envelope::decode_plaintext(data);
    if let Ok(entry) = Entry::decode(data) {
        match (&entry.auth, entry.op.as_ref()) {
            (Some(Auth::Office(sig)), Some(op)) => {
                let trusted = [SigningKey::from_bytes(&[5u8; 32]).verifying_key()];
                let claim = OpClaim {
                    op,
                    kind: entry.kind,
                    case: entry.case,
                    day: sig.day,
                    prev: &sig.prev,
                    body_hash: &entry.body_hash,
                };
                let _ = sig.verify(&claim, &trusted);
            }
            (Some(Auth::Reporter(mac)), _) => {
                let key = MessageKey::from_bytes([7; 32]);
                let _ = verify_message_mac(&key, entry.case, &entry.body_hash, mac);
            }
            _ => {}
        }
    }
    if let Some(id) = identity_from_bytes(&[0x42; 32]) {
        let _ = envelope::open(data, &[&id]);
        let _ = envelope::open_attachment(data, &[&id], 100, std::io::sink());
    }
});
