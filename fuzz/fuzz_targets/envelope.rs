//! Envelope and entry-header parsing: what the desk and the server decode.
#![no_main]

use candor::core::envelope;
use candor::core::log::Entry;
use candor::core::receipt::identity_from_bytes;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = envelope::decode_plaintext(data);
    let _ = Entry::decode(data);
    if let Some(id) = identity_from_bytes(&[0x42; 32]) {
        let _ = envelope::open(data, &[&id]);
        let _ = envelope::open_attachment(data, &[&id], 100, std::io::sink());
    }
});
