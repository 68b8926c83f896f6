//! The JSON line every scenario prints, with the fields scripts rely on.

use hdrhistogram::Histogram;
use serde_json::{json, Map, Value};

/// Latency percentiles in milliseconds from a histogram of microseconds.
pub fn percentiles(histogram: &Histogram<u64>) -> (f64, f64, f64) {
    let ms = |quantile: f64| histogram.value_at_quantile(quantile) as f64 / 1000.0;
    (ms(0.50), ms(0.99), ms(0.999))
}

/// The stable JSON line: every standard field present (null when it does
/// not apply), then scenario-specific extras.
pub fn json_line(scenario: &str, commit: &str, fields: &[(&str, Value)]) -> String {
    let mut line = Map::new();
    line.insert("scenario".to_string(), json!(scenario));
    line.insert("commit".to_string(), json!(commit));
    for key in [
        "seconds",
        "clients",
        "msgs_per_s",
        "deliveries_per_s",
        "p50_ms",
        "p99_ms",
        "p999_ms",
        "lost",
        "duplicated",
        "reordered",
        "kb_per_conn",
    ] {
        line.insert(key.to_string(), Value::Null);
    }
    for (key, value) in fields {
        line.insert((*key).to_string(), value.clone());
    }
    Value::Object(line).to_string()
}
