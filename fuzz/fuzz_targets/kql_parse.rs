//! Fuzz target: any UTF-8 input either fails to parse with an in-bounds
//! error span (which renders), or parses to a query whose canonical
//! printed form parses back to the same query.

#![no_main]

use libfuzzer_sys::fuzz_target;
use r53guard_kql::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match parse(input) {
        Ok(query) => {
            let printed = query.to_string();
            match parse(&printed) {
                Ok(reparsed) => assert_eq!(reparsed, query, "printed form: {printed:?}"),
                Err(e) => panic!("printed form {printed:?} does not parse: {e}"),
            }
        }
        Err(error) => {
            let span = error.span();
            assert!(span.start <= span.end && span.end <= input.len());
            assert!(input.is_char_boundary(span.start) && input.is_char_boundary(span.end));
            assert!(error.render(input).contains('^'));
        }
    }
});
