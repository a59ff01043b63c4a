//! Requirement texts: plain runs and `[label]` placeholders the author must fill in.

/// A piece of a requirement text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

/// Splits a text into plain runs and placeholders. Unbalanced brackets (rejected by the
/// catalog check) are kept as plain text.
pub fn segments(s: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Segment::Text(&rest[..open]));
        }
        out.push(Segment::Placeholder(rest[open + 1..close].trim()));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Segment::Text(rest));
    }
    out
}

/// The placeholder labels of a text, in order.
pub fn placeholders(s: &str) -> Vec<&str> {
    segments(s)
        .into_iter()
        .filter_map(|seg| match seg {
            Segment::Placeholder(p) => Some(p),
            Segment::Text(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_placeholders() {
        assert_eq!(
            segments("記録を[保存期間]保管し、[対象]を"),
            vec![
                Segment::Text("記録を"),
                Segment::Placeholder("保存期間"),
                Segment::Text("保管し、"),
                Segment::Placeholder("対象"),
                Segment::Text("を"),
            ]
        );
        assert_eq!(segments("no brackets"), vec![Segment::Text("no brackets")]);
        assert_eq!(segments("open [only"), vec![Segment::Text("open [only")]);
        assert_eq!(placeholders("[a] and [ b ]"), vec!["a", "b"]);
    }
}
