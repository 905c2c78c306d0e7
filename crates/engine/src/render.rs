//! Building alert parts from kept samples: the entity and summary derived by projecting the
//! sample's text again with the engine's schema. Only an alert's headline sample is re-read,
//! when the alert is built; its evidence keeps the samples' text as it is ([`crate::cap::HeldAlert`]).

use crate::entity::EntityFields;
use crate::sample::Sample;
use crate::template::Summary;
use r53guard_alert::Entity;
use r53guard_event::{Classified, Projector, Schema};

/// Re-reads samples for alerts.
pub struct Render<'s> {
    projector: Projector<'s>,
    entity: &'s EntityFields,
}

impl<'s> Render<'s> {
    /// A renderer over the engine's schema and entity fields.
    pub fn new(schema: &'s Schema, entity: &'s EntityFields) -> Render<'s> {
        Render {
            projector: Projector::new(schema),
            entity,
        }
    }

    /// The entity of a sample and the rule's summary for it (empty without a template).
    pub fn derive(&mut self, s: &Sample, summary: Option<&Summary>) -> (Entity, String) {
        // The record was read as an event once, so it projects again; if it somehow did not,
        // the alert keeps its evidence with an empty entity and the rule name as summary.
        let text = s.raw.read().unwrap_or_default();
        match self.projector.project(&text) {
            Ok(Classified::Event(ev)) => (
                self.entity.extract(&ev),
                summary.map_or_else(String::new, |t| t.render(&ev)),
            ),
            _ => (Entity::default(), String::new()),
        }
    }
}
