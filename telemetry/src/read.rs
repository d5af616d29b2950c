//! Reading figures back from the Prometheus text format, as a monitoring check or a test does:
//! the sum of the samples of one metric whose labels include the given ones.

/// The labels of a sample line `name{a="x",b="y"} value`, unescaped.
fn labels(inside: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = inside;
    while let Some(eq) = rest.find("=\"") {
        let key = rest[..eq].trim_start_matches(',').trim().to_string();
        let mut value = String::new();
        let mut chars = rest[eq + 2..].char_indices();
        let mut end = rest.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, other)) => value.push(other),
                    None => {}
                },
                '"' => {
                    end = eq + 2 + i + 1;
                    break;
                }
                c => value.push(c),
            }
        }
        out.push((key, value));
        rest = &rest[end.min(rest.len())..];
    }
    out
}

/// One sample line: `name{labels} value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
}

/// Every sample of `text`. Comment lines are skipped.
pub fn samples(text: &str) -> Vec<Sample> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let (head, value) = line.rsplit_once(' ')?;
            let value: f64 = match value {
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                v => v.parse().ok()?,
            };
            let (name, labels) = match head.split_once('{') {
                Some((name, rest)) => (name, labels(rest.strip_suffix('}')?)),
                None => (head, Vec::new()),
            };
            Some(Sample {
                name: name.to_string(),
                labels,
                value,
            })
        })
        .collect()
}

/// The sum of the samples named `name` whose labels include every pair of `want`; `None` when
/// there is no such sample.
pub fn sum(text: &str, name: &str, want: &[(&str, &str)]) -> Option<f64> {
    let matching: Vec<f64> = samples(text)
        .into_iter()
        .filter(|s| {
            s.name == name
                && want
                    .iter()
                    .all(|(k, v)| s.labels.iter().any(|(lk, lv)| lk == k && lv == v))
        })
        .map(|s| s.value)
        .collect();
    (!matching.is_empty()).then(|| matching.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_samples_with_labels() {
        let text = "# HELP x_total x.\n# TYPE x_total counter\n\
                    x_total{method=\"GET\",route=\"/a\",status=\"200\"} 3\n\
                    x_total{method=\"POST\",route=\"/a\",status=\"200\"} 2\n\
                    x_total{method=\"GET\",route=\"/b \\\"q\\\"\",status=\"404\"} 1\n\
                    y 1.5\n";
        assert_eq!(sum(text, "x_total", &[("route", "/a")]), Some(5.0));
        assert_eq!(
            sum(text, "x_total", &[("route", "/a"), ("method", "GET")]),
            Some(3.0)
        );
        assert_eq!(sum(text, "x_total", &[("route", "/b \"q\"")]), Some(1.0));
        assert_eq!(sum(text, "y", &[]), Some(1.5));
        assert_eq!(sum(text, "x_total", &[("route", "/c")]), None);
    }
}
