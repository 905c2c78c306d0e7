//! Property tests: the sequence parser never panics, and templates round-trip.

use proptest::prelude::*;
use r53guard_rules::{Piece, Sequence, Template};

/// Strings made of sequence-ish tokens, to reach deep into the parser.
fn sequence_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("sequence".to_string()),
        Just("by".to_string()),
        Just("with".to_string()),
        Just("maxspan".to_string()),
        Just("until".to_string()),
        Just("=".to_string()),
        Just(",".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("1h".to_string()),
        Just("a:b".to_string()),
        Just("any where".to_string()),
        Just("(".to_string()),
        Just("é".to_string()),
        "[a-z.:*]{1,4}",
    ];
    prop::collection::vec(token, 0..24).prop_map(|tokens| tokens.concat())
}

/// A valid field name.
fn field() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9_@-]{1,6}", 1..4).prop_map(|parts| parts.join("."))
}

fn piece() -> impl Strategy<Value = Piece> {
    prop_oneof![
        "[^\\u{0}]{1,8}".prop_map(Piece::Text),
        "[{}a ]{1,4}".prop_map(Piece::Text),
        field().prop_map(Piece::Field),
    ]
}

/// Merges adjacent text pieces, the template's normal form.
fn normalize(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for piece in pieces {
        match (out.last_mut(), piece) {
            (Some(Piece::Text(prev)), Piece::Text(text)) => prev.push_str(&text),
            (_, piece) => out.push(piece),
        }
    }
    out
}

/// Writes pieces in template syntax.
fn write(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|piece| match piece {
            Piece::Text(text) => text.replace('{', "{{").replace('}', "}}"),
            Piece::Field(field) => format!("{{{field}}}"),
        })
        .collect()
}

proptest! {
    #[test]
    fn sequence_parser_never_panics(text in any::<String>()) {
        let _ = Sequence::parse(&text);
    }

    #[test]
    fn sequence_parser_never_panics_on_near_misses(text in sequence_like()) {
        match Sequence::parse(&text) {
            Ok(sequence) => prop_assert!(sequence.steps.len() >= 2),
            Err(err) => {
                let span = err.span();
                prop_assert!(span.start <= span.end && span.end <= text.len());
                prop_assert!(err.render(&text).contains('^'));
            }
        }
    }

    #[test]
    fn templates_round_trip(pieces in prop::collection::vec(piece(), 0..8)) {
        let pieces = normalize(pieces);
        let text = write(&pieces);
        let template = Template::parse(&text).unwrap();
        prop_assert_eq!(template.pieces(), pieces.as_slice());
        prop_assert_eq!(template.to_string(), text);
    }

    #[test]
    fn parsed_templates_reprint_to_the_same_template(text in any::<String>()) {
        if let Ok(template) = Template::parse(&text) {
            prop_assert_eq!(Template::parse(&template.to_string()), Ok(template));
        }
    }
}
