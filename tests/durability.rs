//! No receipt before the report is on disk: the server fsyncs sled's files
//! after the commit and before the answer page is written to the socket.
//! Observed from outside with `strace` (installed by .ci/run).

mod common;

use std::process::Command;

use common::*;

#[test]
fn fsync_happens_before_the_receipt_is_sent() {
    if tool_missing("strace", "strace") {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let (public, _) = keygen(&tmp.path().join("office"));
    let trace = tmp.path().join("strace.log");
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-s",
        "24",
        "-e",
        "trace=fsync,fdatasync,write,writev,sendto,sendmsg",
        "-o",
    ])
    .arg(&trace)
    .arg(SERVER);
    let server = Server::spawn(cmd, &tmp.path().join("data"), &public, &[]);
    // Let start-up's own syncs land, then mark where the submission begins.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let mark = std::fs::read_to_string(&trace).expect("trace").lines().count();

    let receipt = file_report(
        &server.site,
        "durable?",
        &["fraud"],
        &[("e.bin", vec![1u8; 300_000])],
    );
    assert!(!receipt.is_empty());
    std::thread::sleep(std::time::Duration::from_millis(300));
    drop(server);

    let text = std::fs::read_to_string(&trace).expect("trace");
    let lines: Vec<&str> = text.lines().skip(mark).collect();
    let answer = lines
        .iter()
        .position(|l| l.contains("HTTP/1.1 200"))
        .unwrap_or_else(|| panic!("no HTTP answer in the trace:\n{}", lines.join("\n")));
    let synced = lines[..answer]
        .iter()
        .filter(|l| (l.contains("fsync(") || l.contains("fsync resumed>")) && l.trim_end().ends_with("= 0"))
        .count();
    assert!(
        synced >= 2,
        "expected the store's files to be fsynced before the answer; trace:\n{}",
        lines[..=answer].join("\n")
    );
}
