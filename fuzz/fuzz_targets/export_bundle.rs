//! The desk reads export bundles carried across the air gap.
#![no_main]

use candor::core::bundle::ExportReader;
use candor::core::log::Head;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut r) = ExportReader::open(data, Head::EMPTY, None) {
        for _ in 0..10_000 {
            match r.next_item() {
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
});
