//! Receipt parsing takes whatever a reporter types.
#![no_main]

use candor::core::receipt::Receipt;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let typed = String::from_utf8_lossy(data);
    if let Ok(r) = Receipt::parse(&typed) {
        // Whatever parses must show and parse back to the same case.
        let shown = r.display();
        let again = Receipt::parse(shown.expose()).expect("a shown code parses");
        assert!(again.lookup_id() == r.lookup_id());
        let _ = r.reporter_recipient();
    }
});
