//! Condition expressions (判断条件対応関係) such as `A or F`, `B`, `-`.
//!
//! Grammar: `expr := or ; or := and ("or" and)* ; and := not ("and" not)* ;
//! not := "not" not | atom ; atom := ID | "(" expr ")"`. The single token `-` means the
//! requirement applies unconditionally.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    Var(String),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

/// An item's condition: unconditional (`-`) or an expression over judgment conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    Always,
    When(Expr),
}

impl Serialize for Condition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct ExprError {
    pub message: String,
    pub position: usize,
}

impl Condition {
    pub fn parse(input: &str) -> Result<Condition, ExprError> {
        let trimmed = input.trim();
        if trimmed == "-" || trimmed == "－" {
            return Ok(Condition::Always);
        }
        let tokens = tokenize(input)?;
        let mut parser = Parser { tokens, pos: 0 };
        let expr = parser.or()?;
        if let Some((tok, at)) = parser.tokens.get(parser.pos) {
            return Err(ExprError {
                message: format!("unexpected `{tok}`"),
                position: *at,
            });
        }
        Ok(Condition::When(expr))
    }

    /// The judgment-condition IDs the expression names.
    pub fn variables(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        if let Condition::When(e) = self {
            e.collect(&mut out);
        }
        out
    }

    /// Evaluates against answers; `None` for an unconditional requirement.
    /// Unknown variables evaluate as `false` (validation rejects them beforehand).
    pub fn eval(&self, answer: impl Fn(&str) -> bool) -> Option<bool> {
        match self {
            Condition::Always => None,
            Condition::When(e) => Some(e.eval(&answer)),
        }
    }
}

impl Expr {
    fn collect<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Expr::Var(v) => {
                out.insert(v);
            }
            Expr::Not(e) => e.collect(out),
            Expr::And(a, b) | Expr::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    fn eval(&self, answer: &impl Fn(&str) -> bool) -> bool {
        match self {
            Expr::Var(v) => answer(v),
            Expr::Not(e) => !e.eval(answer),
            Expr::And(a, b) => a.eval(answer) && b.eval(answer),
            Expr::Or(a, b) => a.eval(answer) || b.eval(answer),
        }
    }

    fn fmt_prec(&self, f: &mut fmt::Formatter<'_>, parent: u8) -> fmt::Result {
        let (prec, open) = match self {
            Expr::Or(..) => (1, parent > 1),
            Expr::And(..) => (2, parent > 2),
            _ => (3, false),
        };
        if open {
            f.write_str("(")?;
        }
        match self {
            Expr::Var(v) => f.write_str(v)?,
            Expr::Not(e) => {
                f.write_str("not ")?;
                e.fmt_prec(f, 3)?;
            }
            Expr::And(a, b) => {
                a.fmt_prec(f, prec)?;
                f.write_str(" and ")?;
                b.fmt_prec(f, prec + 1)?;
            }
            Expr::Or(a, b) => {
                a.fmt_prec(f, prec)?;
                f.write_str(" or ")?;
                b.fmt_prec(f, prec + 1)?;
            }
        }
        if open {
            f.write_str(")")?;
        }
        Ok(())
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_prec(f, 0)
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Always => f.write_str("-"),
            Condition::When(e) => e.fmt(f),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Id(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Id(s) => f.write_str(s),
            Tok::And => f.write_str("and"),
            Tok::Or => f.write_str("or"),
            Tok::Not => f.write_str("not"),
            Tok::Open => f.write_str("("),
            Tok::Close => f.write_str(")"),
        }
    }
}

fn tokenize(input: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = input.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        let pos = input[..at].chars().count() + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::Open, pos));
            i += 1;
        } else if c == ')' {
            out.push((Tok::Close, pos));
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].1.is_ascii_alphanumeric() || chars[i].1 == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().map(|(_, c)| *c).collect();
            let tok = match word.to_ascii_lowercase().as_str() {
                "and" => Tok::And,
                "or" => Tok::Or,
                "not" => Tok::Not,
                _ => Tok::Id(word),
            };
            out.push((tok, pos));
        } else {
            return Err(ExprError {
                message: format!("unexpected character `{c}`"),
                position: pos,
            });
        }
    }
    if out.is_empty() {
        return Err(ExprError {
            message: "empty condition (write `-` for an unconditional requirement)".to_owned(),
            position: 1,
        });
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn end_pos(&self) -> usize {
        self.tokens
            .last()
            .map_or(1, |(t, p)| p + t.to_string().chars().count())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.not()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let right = self.not()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.peek() == Some(&Tok::Not) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, ExprError> {
        match self.tokens.get(self.pos).cloned() {
            Some((Tok::Id(id), _)) => {
                self.pos += 1;
                Ok(Expr::Var(id))
            }
            Some((Tok::Open, _)) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err(ExprError {
                        message: "missing `)`".to_owned(),
                        position: self
                            .tokens
                            .get(self.pos)
                            .map_or(self.end_pos(), |(_, p)| *p),
                    });
                }
                self.pos += 1;
                Ok(inner)
            }
            Some((tok, at)) => Err(ExprError {
                message: format!("expected a condition ID, found `{tok}`"),
                position: at,
            }),
            None => Err(ExprError {
                message: "expected a condition ID at the end".to_owned(),
                position: self.end_pos(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: &str) {
        match Condition::parse(input) {
            Ok(c) => assert_eq!(c.to_string(), expect, "input {input:?}"),
            Err(e) => assert_eq!(format!("error: {e}"), expect, "input {input:?}"),
        }
    }

    #[test]
    fn parses_and_prints() {
        check("-", "-");
        check("A", "A");
        check("A or F", "A or F");
        check("a OR f", "a or f");
        check("A and B or C", "A and B or C");
        check("A and (B or C)", "A and (B or C)");
        check("not (A or B)", "not (A or B)");
        check("(A)", "A");
    }

    #[test]
    fn rejects_malformed() {
        check(
            "",
            "error: empty condition (write `-` for an unconditional requirement) (at character 1)",
        );
        check(
            "A or",
            "error: expected a condition ID at the end (at character 5)",
        );
        check("A F", "error: unexpected `F` (at character 3)");
        check("A & F", "error: unexpected character `&` (at character 3)");
        check("(A or B", "error: missing `)` (at character 8)");
        check(
            "A or or",
            "error: expected a condition ID, found `or` (at character 6)",
        );
    }

    #[test]
    fn evaluates() {
        let c = Condition::parse("A or F").unwrap();
        assert_eq!(c.eval(|v| v == "F"), Some(true));
        assert_eq!(c.eval(|_| false), Some(false));
        let c = Condition::parse("A and not B").unwrap();
        assert_eq!(c.eval(|v| v == "A"), Some(true));
        assert_eq!(c.eval(|_| true), Some(false));
        assert_eq!(Condition::Always.eval(|_| true), None);
        assert_eq!(
            Condition::parse("(A or B) and C")
                .unwrap()
                .variables()
                .into_iter()
                .collect::<Vec<_>>(),
            vec!["A", "B", "C"]
        );
    }
}
