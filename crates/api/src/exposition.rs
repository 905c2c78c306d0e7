//! The Prometheus text exposition format 0.0.4: `# HELP` and `# TYPE` lines, then one
//! sample a line, with help text and label values escaped.

use crate::metrics::{Counter, Family, Gauge, Registered};
use std::fmt::Write;

/// The `Content-Type` of the format.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A sample's value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Value {
    Int(u64),
    Float(f64),
}

/// A page of metrics being written.
#[derive(Debug, Default)]
pub(crate) struct Exposition {
    text: String,
}

impl Exposition {
    /// Starts a family: its `# HELP` and `# TYPE` lines (`kind`: `counter` or `gauge`).
    pub(crate) fn family(&mut self, name: &str, help: &str, kind: &str) {
        let mut escaped = String::with_capacity(help.len());
        for c in help.chars() {
            match c {
                '\\' => escaped.push_str("\\\\"),
                '\n' => escaped.push_str("\\n"),
                c => escaped.push(c),
            }
        }
        // Writing to a String cannot fail.
        let _ = writeln!(self.text, "# HELP {name} {escaped}\n# TYPE {name} {kind}");
    }

    /// One sample of the current family.
    pub(crate) fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: Value) {
        self.text.push_str(name);
        if !labels.is_empty() {
            self.text.push('{');
            for (i, (label, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.text.push(',');
                }
                self.text.push_str(label);
                self.text.push_str("=\"");
                for c in value.chars() {
                    match c {
                        '\\' => self.text.push_str("\\\\"),
                        '"' => self.text.push_str("\\\""),
                        '\n' => self.text.push_str("\\n"),
                        c => self.text.push(c),
                    }
                }
                self.text.push('"');
            }
            self.text.push('}');
        }
        self.text.push(' ');
        match value {
            Value::Int(n) => {
                let _ = write!(self.text, "{n}");
            }
            Value::Float(x) if x.is_nan() => self.text.push_str("NaN"),
            Value::Float(x) if x == f64::INFINITY => self.text.push_str("+Inf"),
            Value::Float(x) if x == f64::NEG_INFINITY => self.text.push_str("-Inf"),
            Value::Float(x) => {
                let _ = write!(self.text, "{x}");
            }
        }
        self.text.push('\n');
    }

    /// A whole counter family.
    pub(crate) fn counters(&mut self, family: &Family<Counter>) {
        self.labelled(family, "counter", |c| Value::Int(c.get()));
    }

    /// A whole gauge family.
    pub(crate) fn gauges(&mut self, family: &Family<Gauge>) {
        self.labelled(family, "gauge", |g| Value::Float(g.get()));
    }

    /// A family the caller registered.
    pub(crate) fn registered(&mut self, family: &Registered) {
        match family {
            Registered::Counter(f) => self.counters(f),
            Registered::Gauge(f) => self.gauges(f),
        }
    }

    fn labelled<M>(&mut self, family: &Family<M>, kind: &str, value: impl Fn(&M) -> Value) {
        self.family(family.name(), family.help(), kind);
        for (values, metric) in family.series() {
            let labels: Vec<(&str, &str)> = family
                .label_names()
                .iter()
                .map(String::as_str)
                .zip(values.iter().map(String::as_str))
                .collect();
            self.sample(family.name(), &labels, value(&metric));
        }
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_help_and_label_values() {
        let mut page = Exposition::default();
        page.family("m", "a \\ b\nc \"q\"", "gauge");
        page.sample("m", &[("l", "x\\y\"z\nw"), ("k", "")], Value::Float(1.5));
        assert_eq!(
            page.finish(),
            "# HELP m a \\\\ b\\nc \"q\"\n# TYPE m gauge\nm{l=\"x\\\\y\\\"z\\nw\",k=\"\"} 1.5\n"
        );
    }

    #[test]
    fn writes_special_floats_as_prometheus_does() {
        let mut page = Exposition::default();
        for x in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -2.0, 1e21] {
            page.sample("g", &[], Value::Float(x));
        }
        page.sample("c", &[], Value::Int(u64::MAX));
        assert_eq!(
            page.finish(),
            "g NaN\ng +Inf\ng -Inf\ng 0\ng -2\ng 1000000000000000000000\nc 18446744073709551615\n"
        );
    }
}
