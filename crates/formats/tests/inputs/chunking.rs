//! Property: however the stream is cut into reads, the same records come out, with the same
//! locations and the same bad-record reports.

use crate::common::*;
use proptest::prelude::*;
use r53guard_formats::ReadOptions;
use std::io::Read;

/// A reader that hands out its bytes in the given chunk sizes (cycling).
struct Chunked {
    data: Vec<u8>,
    at: usize,
    sizes: Vec<usize>,
    turn: usize,
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let want = self.sizes[self.turn % self.sizes.len()].max(1);
        self.turn += 1;
        let n = want.min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let invictus = fixture(
        "cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json",
    );
    let stratus = fixture("cloudtrail/stratus-red-team/aws.defense-evasion.dns-delete-logs.json");
    let resolver = fixture("resolver/query-log-quirks.log");
    let mut mixed = resolver.clone();
    mixed.extend_from_slice(b"not json\n");
    mixed.extend_from_slice(&invictus);
    mixed.extend_from_slice(b"\n");
    mixed.extend_from_slice(&stratus);
    vec![
        invictus.clone(),
        gzip(&invictus),
        stratus,
        resolver,
        mixed.clone(),
        gzip(&mixed),
    ]
}

fn run(data: &[u8], sizes: Vec<usize>, max_record: usize) -> (Vec<Seen>, Vec<BadReport>) {
    let reader = Chunked {
        data: data.to_vec(),
        at: 0,
        sizes,
        turn: 0,
    };
    let opts = ReadOptions {
        max_record_bytes: max_record,
        ..ReadOptions::default()
    };
    let (c, _) = read_with(
        Box::new(reader),
        &["eventID", "query_name", "answers.Rdata"],
        opts,
    );
    (c.seen, c.bad)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_split_yields_the_same_records(
        which in 0usize..6,
        sizes in proptest::collection::vec(1usize..5000, 1..8),
        max_record in prop_oneof![Just(16usize << 20), 200usize..3000],
    ) {
        let data = &corpus()[which];
        let whole = run(data, vec![usize::MAX / 2], max_record);
        let split = run(data, sizes, max_record);
        prop_assert!(!whole.0.is_empty() || !whole.1.is_empty());
        prop_assert_eq!(whole, split);
    }
}
