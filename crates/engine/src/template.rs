//! Summary templates, compiled: each `{field}` resolved to a schema field once, rendered per
//! alert from the triggering event (several values joined with `, `, a missing one as `?`).

use r53guard_event::{Event, FieldId, Schema};
use r53guard_rules::{Piece, Template};

/// A template ready to render.
#[derive(Debug, Clone)]
pub struct Summary {
    template: Template,
    fields: Vec<(String, FieldId)>,
}

impl Summary {
    /// Compiles `template`, registering its fields in `schema`.
    pub fn new(template: &Template, schema: &mut Schema) -> Summary {
        let fields = template
            .pieces()
            .iter()
            .filter_map(|p| match p {
                Piece::Field(f) => Some((f.clone(), schema.add(f))),
                Piece::Text(_) => None,
            })
            .collect();
        Summary {
            template: template.clone(),
            fields,
        }
    }

    /// The summary for one event.
    pub fn render(&self, ev: &Event<'_>) -> String {
        self.template.render(|name| {
            let id = self.fields.iter().find(|(f, _)| f == name)?.1;
            let values: Vec<String> = ev
                .values(id)
                .filter(|v| !v.is_null())
                .map(|v| v.to_string())
                .collect();
            (!values.is_empty()).then(|| values.join(", "))
        })
    }
}
