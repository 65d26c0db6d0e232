//! The server reads outbox bundles posted to /import.
#![no_main]

use candor::core::bundle::Outbox;
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let officer = SigningKey::from_bytes(&[5u8; 32]).verifying_key();
    let other = SigningKey::from_bytes(&[6u8; 32]).verifying_key();
    if let Ok(outbox) = Outbox::read(data, &[other, officer]) {
        // Only a bundle whose every operation is signed by one of those keys
        // may get through; it cannot, as the fuzzer has neither key.
        let _ = outbox.ops.len();
    }
});
