//! Markdown rendering of the specification chapter.

use std::fmt::Write;

use mamori_catalog::Level;

use crate::spec::{Piece, Spec};

/// `（x）` in Japanese, ` (x)` in English.
pub(crate) fn paren(spec: &Spec, s: &str) -> String {
    match spec.lang {
        mamori_catalog::Lang::Ja => format!("（{s}）"),
        mamori_catalog::Lang::En => format!(" ({s})"),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\r', '\n'], " ")
}

pub(crate) fn render(spec: &Spec) -> String {
    let l = spec.labels;
    let mut out = String::new();
    let w = &mut out;
    // Writing into a String cannot fail.
    let _ = writeln!(w, "# {}{}\n", l.title, paren(spec, &spec.system));
    let _ = writeln!(w, "- {}: {}", l.system, spec.system);
    let _ = writeln!(w, "- {}: {}", l.date, spec.date_wareki);
    let _ = writeln!(
        w,
        "- {}: {} {}",
        l.catalog, spec.catalog, spec.catalog_version
    );
    if !spec.overview.is_empty() {
        let _ = writeln!(w, "- {}: {}", l.overview, spec.overview);
    }
    let _ = writeln!(w, "\n{}\n", l.intro);

    let _ = writeln!(w, "## 1. {}\n", l.conditions);
    let _ = writeln!(
        w,
        "| {} | {} | {} | {} |",
        l.id, l.condition, l.answer, l.reason
    );
    let _ = writeln!(w, "|---|---|:-:|---|");
    for a in &spec.answers {
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} |",
            a.id,
            cell(&a.name),
            a.mark,
            cell(&a.reason)
        );
    }

    let _ = writeln!(w, "\n## 2. {}\n", l.requirements);
    let _ = writeln!(w, "{}\n", l.omitted_note);
    let mut n = 0;
    for section in &spec.sections {
        let shown = section.shown();
        if shown.is_empty() {
            continue;
        }
        n += 1;
        let _ = writeln!(
            w,
            "### 2.{n} {}{}\n",
            section.name,
            paren(spec, &section.id)
        );
        for r in shown {
            let _ = writeln!(
                w,
                "#### {} {}{}\n",
                r.id,
                r.name,
                spec.level_tag(&r.chosen_name)
            );
            let mut text = String::new();
            for p in &r.text {
                match p {
                    Piece::Text(t) | Piece::Filled(t) => text.push_str(t),
                    Piece::Open(label) => {
                        let _ = write!(text, "**{}**", spec.open_mark(label));
                    }
                }
            }
            let _ = writeln!(w, "{text}\n");
        }
    }

    let _ = writeln!(w, "## 3. {}\n", l.decision_table);
    let _ = writeln!(
        w,
        "| {} | {} | {} | {} | {} | {} | {} |",
        l.id, l.requirement, l.condition, l.judgment, l.recommended, l.chosen, l.justification
    );
    let _ = writeln!(w, "|---|---|---|---|:-:|:-:|---|");
    for (_, r) in spec.requirements() {
        let chosen = if r.overridden {
            format!("**{}**{}", r.chosen_name, paren(spec, l.override_mark))
        } else {
            r.chosen_name.clone()
        };
        let _ = writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.id,
            cell(&r.name),
            r.condition,
            r.trace,
            r.recommended_name,
            chosen,
            cell(r.justification.as_deref().unwrap_or(""))
        );
    }

    let _ = writeln!(w, "\n## 4. {}\n", l.summary);
    let names = Level::ALL.map(|lv| lv.name(spec.lang));
    let _ = writeln!(
        w,
        "| {} | {} | {} | {} | {} | {} |",
        l.category, names[0], names[1], names[2], names[3], l.total
    );
    let _ = writeln!(w, "|---|--:|--:|--:|--:|--:|");
    let mut totals = [0usize; 4];
    for c in &spec.counts {
        for (t, v) in totals.iter_mut().zip(c.levels) {
            *t += v;
        }
        let _ = writeln!(
            w,
            "| {}{} | {} | {} | {} | {} | {} |",
            c.name,
            paren(spec, &c.category),
            c.levels[0],
            c.levels[1],
            c.levels[2],
            c.levels[3],
            c.total
        );
    }
    let _ = writeln!(
        w,
        "| {} | {} | {} | {} | {} | {} |",
        l.total,
        totals[0],
        totals[1],
        totals[2],
        totals[3],
        totals.iter().sum::<usize>()
    );
    let _ = writeln!(w, "\n{}: {}", l.overrides, spec.overrides);

    let _ = writeln!(w, "\n## 5. {}\n", l.open_placeholders);
    if spec.open_placeholders.is_empty() {
        let _ = writeln!(w, "{}", l.no_open_placeholders);
    }
    for p in &spec.open_placeholders {
        let _ = writeln!(
            w,
            "- {} {}: {}",
            p.requirement,
            p.name,
            spec.open_mark(&p.label)
        );
    }
    out
}
