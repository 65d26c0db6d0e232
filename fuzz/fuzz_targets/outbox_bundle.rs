//! The server reads outbox bundles posted to /import.
#![no_main]

use candor::core::bundle::Outbox;
use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let officer = SigningKey::from_bytes(&[5u8; 32]).verifying_key();
    if let Ok(outbox) = Outbox::read(data, &officer) {
        // Only a bundle signed by that key may get through; it cannot, as the
        // fuzzer does not have the key, unless it rebuilt a valid signature.
        let _ = outbox.ops.len();
    }
});
