//! The alert the unit tests start from (the integration tests' fixture).

use r53guard_alert::Alert;

pub(crate) fn alert() -> Alert {
    serde_json::from_str(include_str!("../tests/fixtures/alert.json")).expect("fixture alert")
}
