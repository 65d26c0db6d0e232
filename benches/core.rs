//! Criterion benchmarks for the pure core: what a submission costs before it
//! reaches the store, and what the desk pays to check the chain.
//!
//!   cargo bench --bench core

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use candor::core::case::{CaseId, Kind};
use candor::core::day::Day;
use candor::core::envelope::{self, Payload, ReportBody};
use candor::core::log::{Chain, Entry, EntryKind, GENESIS, Head, body_hash};
use candor::core::receipt::Receipt;
use candor::core::secret::SecretText;

fn report(len: usize) -> Payload {
    Payload::Report(ReportBody {
        kind: Kind::Misconduct,
        categories: vec!["fraud".into(), "conduct".into()],
        description: SecretText::new("x".repeat(len)),
        when: None,
        where_: None,
        people: None,
        contact: None,
        attachments: vec![],
        day: Day(20_000),
        recipient: Some(age::x25519::Identity::generate().to_public().to_string()),
        message_key: Some(SecretText::new(hex::encode([3u8; 32]))),
        channel: None,
    })
}

fn benches(c: &mut Criterion) {
    let receipt = Receipt::from_entropy([7; 15]);
    let shown = receipt.display();
    c.bench_function("receipt: parse + lookup id + reporter recipient", |b| {
        b.iter(|| {
            let r = Receipt::parse(black_box(shown.expose())).expect("parse");
            black_box(r.lookup_id());
            black_box(r.reporter_recipient().expect("recipient"));
        })
    });
    let office = age::x25519::Identity::generate();
    let recipient = office.to_public();
    for len in [2 * 1024, 64 * 1024] {
        let p = report(len);
        c.bench_function(&format!("envelope: pad + seal {} KiB report", len / 1024), |b| {
            b.iter(|| black_box(envelope::seal(CaseId([1; 8]), black_box(&p), &[&recipient]).expect("seal")))
        });
        let sealed = envelope::seal(CaseId([1; 8]), &p, &[&recipient]).expect("seal");
        c.bench_function(&format!("envelope: open {} KiB report", len / 1024), |b| {
            b.iter(|| black_box(envelope::open(black_box(&sealed), &[&office]).expect("open")))
        });
    }
    let body = vec![0u8; 1024];
    let mut prev = GENESIS;
    let entries: Vec<Entry> = (1..=1000u64)
        .map(|seq| {
            let e = Entry {
                version: candor::core::log::VERSION,
                auth: Some(candor::core::log::Auth::Reporter([2; 32])),
                seq,
                kind: EntryKind::Message,
                case: CaseId([1; 8]),
                day: Day(20_000),
                body_len: body.len() as u64,
                body_hash: body_hash(&body),
                prev,
                recipient: None,
                part: None,
                op: None,
                channel: None,
            };
            prev = e.hash();
            e
        })
        .collect();
    let officer = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let trusted = [officer.verifying_key()];
    let hash = body_hash(&body);
    let claim = candor::core::log::OpClaim {
        op: &[1; 16],
        kind: EntryKind::Status,
        case: CaseId([1; 8]),
        day: Day(20_000),
        prev: &[0; 16],
        body_hash: &hash,
    };
    let sig = claim.sign(&officer);
    c.bench_function("log: verify one officer signature on an operation", |b| {
        b.iter(|| black_box(sig.verify(black_box(&claim), &trusted)).expect("verifies"))
    });
    let mkey = candor::core::receipt::MessageKey::from_bytes([5; 32]);
    c.bench_function("log: one message MAC", |b| {
        b.iter(|| {
            black_box(candor::core::log::message_mac(
                &mkey,
                CaseId([1; 8]),
                black_box(&hash),
            ))
        })
    });
    c.bench_function("log: append (hash) one entry", |b| {
        b.iter(|| black_box(black_box(&entries[0]).hash()))
    });
    c.bench_function("log: verify a chain of 1000 entries with 1 KiB bodies", |b| {
        b.iter(|| {
            let mut chain = Chain::from(Head::EMPTY);
            for e in &entries {
                chain.push(e, Some(&body)).expect("chain");
            }
            black_box(chain.head())
        })
    });
}

criterion_group!(core, benches);
criterion_main!(core);
