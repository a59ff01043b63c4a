//! The assessment report as one standalone, printable HTML document (inline CSS and SVG).

use std::fmt::Write as _;

use mamori_assess::{Coverage, Outcome, State};

use super::{AssessmentReport, View};
use crate::map::{circled, esc};

const CSS: &str = "\
@page{size:A4;margin:15mm}
*{box-sizing:border-box}
body{font-family:IPAGothic,IPAexGothic,'Noto Sans CJK JP','Noto Sans JP',sans-serif;font-size:10.5pt;line-height:1.5;color:#1a1a1a;margin:0 auto;max-width:210mm;padding:10mm}
h1{font-size:18pt;text-align:center;margin:0 0 4mm}
h2{font-size:13pt;border-bottom:2px solid #4a78b0;margin:8mm 0 3mm;break-after:avoid}
p.meta{text-align:right;margin:0}
table{border-collapse:collapse;width:100%;margin:2mm 0}
th,td{border:1px solid #777;padding:1.5mm 2mm;vertical-align:top;text-align:left;white-space:pre-line}
th{background:#d9e2f3}
td.n{text-align:right}
.nw,th{white-space:nowrap}
tr{break-inside:avoid}
thead{display:table-header-group}
.overall{border:2px solid;padding:3mm;text-align:center;margin:4mm 0}
.overall strong{display:block;font-size:20pt}
.overall.compliant{background:#e2f0d9;border-color:#2e7d32;color:#1e5631}
.overall.not_compliant{background:#f8cbad;border-color:#c62828;color:#9c0006}
.o-compliant{background:#e2f0d9}.o-partial{background:#fff2cc}.o-non_compliant{background:#f8cbad}
.o-not_applicable{background:#ededed}.o-not_assessed{background:#d9d9d9}
.c-met{background:#2e7d32;color:#fff}.c-partial{background:#f9a825}.c-not_met{background:#c62828;color:#fff}
.c-not_assessed{background:#9e9e9e;color:#fff}.c-none{background:#fff}
.stale,.differs{background:#fff2cc}
figure{margin:3mm 0;break-inside:avoid}
figure svg{width:100%;height:auto;display:block}
figcaption{text-align:center;font-size:9pt}
.signed{font-weight:bold}
td.sign{height:12mm}
@media print{body{padding:0;max-width:none}a{color:inherit;text-decoration:none}h2{break-after:avoid}}
";

fn table(out: &mut String, headers: &[&str], rows: &[Vec<(String, String)>]) {
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    for r in rows {
        out.push_str("<tr>");
        for (class, text) in r {
            if class.is_empty() {
                let _ = write!(out, "<td>{}</td>", esc(text));
            } else {
                let _ = write!(out, "<td class=\"{}\">{}</td>", esc(class), esc(text));
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn td(text: impl Into<String>) -> (String, String) {
    (String::new(), text.into())
}

/// A short cell that must not wrap (IDs, 区分, results).
fn nw(text: impl Into<String>) -> (String, String) {
    ("nw".into(), text.into())
}

fn num(n: usize) -> (String, String) {
    ("n".into(), n.to_string())
}

fn outcome(o: Outcome, lang: mamori_catalog::Lang) -> (String, String) {
    (format!("o-{} nw", o.key()), o.name(lang).to_owned())
}

fn coverage(c: Coverage, lang: mamori_catalog::Lang) -> (String, String) {
    (format!("c-{} nw", c.key()), c.name(lang).to_owned())
}

fn h2(out: &mut String, n: usize, id: &str, text: &str) {
    let _ = writeln!(out, "<h2 id=\"{id}\">{n}. {}</h2>", esc(text));
}

/// The report as a standalone HTML document (A4 print rules, inline SVG map) with the same
/// sections as the Word document. Deterministic; all text escaped.
pub fn assessment_html(r: &AssessmentReport) -> String {
    let v = View::new(r);
    let (l, lang) = (v.l, v.lang());
    let a = r.assessment;
    let mut s = String::with_capacity(64_000);
    let title = v.title();
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n",
        lang.code(),
        esc(&title)
    );
    let _ = writeln!(s, "<header>\n<h1>{}</h1>", esc(&title));
    let _ = writeln!(s, "<p class=\"meta\">{}</p>", esc(r.organisation));
    let _ = writeln!(
        s,
        "<p class=\"meta\">{}</p>\n</header>",
        esc(&v.kv(l.generated, &v.date(r.generated)))
    );
    let _ = writeln!(
        s,
        "<section class=\"overall {}\" aria-label=\"{}\"><strong>{}</strong>{}</section>",
        v.ev.overall.key(),
        esc(l.overall),
        esc(&v.kv(l.overall, v.overall())),
        esc(&v.overall_line())
    );
    s.push_str("<table class=\"facts\"><tbody>\n");
    for (k, val) in v.facts() {
        if k == l.overall {
            continue;
        }
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\">{}</th><td>{}</td></tr>",
            esc(k),
            esc(&val)
        );
    }
    s.push_str("</tbody></table>\n");

    let mut n = 1;
    h2(&mut s, n, "summary", l.summary);
    let mut headers = vec![l.obligation];
    headers.extend(v.tally_headers());
    let rows: Vec<Vec<(String, String)>> = v
        .tally_rows()
        .into_iter()
        .map(|(name, counts)| {
            let mut row = vec![td(name)];
            row.extend(counts.into_iter().map(num));
            row
        })
        .collect();
    table(&mut s, &headers, &rows);
    let mut headers = vec![l.category];
    headers.extend(v.tally_headers());
    let rows: Vec<Vec<(String, String)>> =
        v.ev.categories
            .iter()
            .map(|c| {
                let mut row = vec![td(c.group.map(|g| g.name.get(lang)).unwrap_or("—"))];
                row.extend(Outcome::ALL.iter().map(|o| num(c.tally.count(*o))));
                row.push(num(c.tally.met));
                row.push(num(c.tally.total()));
                row
            })
            .collect();
    table(&mut s, &headers, &rows);
    if !v.ev.unknown_items.is_empty() {
        let _ = writeln!(
            s,
            "<p>{}: {}</p>",
            esc(l.unknown_items),
            esc(&v.ev.unknown_items.join(", "))
        );
    }

    n += 1;
    h2(&mut s, n, "gaps", l.gaps);
    if v.ev.gaps.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", esc(l.no_gaps));
    } else {
        let rows: Vec<Vec<(String, String)>> =
            v.ev.gaps
                .iter()
                .map(|g| {
                    vec![
                        nw(g.item.id.clone()),
                        td(v.category(g.item)),
                        td(v.item_title(g.item)),
                        nw(v.obligation(g.obligation)),
                        outcome(g.outcome, lang),
                        td(v.reason(g.reason)),
                        td(g.comment.clone()),
                        td(g.remediation
                            .as_ref()
                            .map(|x| v.remediation(x))
                            .unwrap_or_default()),
                    ]
                })
                .collect();
        table(
            &mut s,
            &[
                l.id,
                l.category,
                l.title,
                l.obligation,
                l.outcome,
                l.reason,
                l.comment,
                l.remediation,
            ],
            &rows,
        );
    }

    let link = |number: u8| format!("#measure-{number}");
    if let Some(svg) = v.map_svg(Some(&link)) {
        n += 1;
        h2(&mut s, n, "measures", l.measures);
        let _ = write!(
            s,
            "<figure>\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
            esc(l.map)
        );
        s.push_str("<table><thead><tr>");
        for h in [l.number, l.measure, l.requirement, l.status] {
            let _ = write!(s, "<th>{}</th>", esc(h));
        }
        s.push_str("</tr></thead><tbody>\n");
        for m in &v.statuses {
            let (class, text) = coverage(m.status, lang);
            let _ = writeln!(
                s,
                "<tr id=\"measure-{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
                m.number,
                circled(m.number),
                esc(m.measure.name.get(lang)),
                esc(&m.items.join(", ")),
                esc(&text)
            );
        }
        s.push_str("</tbody></table>\n");
    }

    if let (Some(cov), Some(ppc)) = (&v.ppc, r.ppc) {
        n += 1;
        h2(&mut s, n, "ppc", l.ppc);
        let rows: Vec<Vec<(String, String)>> = cov
            .iter()
            .map(|c| {
                vec![
                    nw(c.measure.id.clone()),
                    td(ppc
                        .category_of(c.measure)
                        .map(|g| g.name.get(lang).to_owned())
                        .unwrap_or_default()),
                    td(c.measure.title.get(lang)),
                    td(View::circled_list(&c.via_measures)),
                    td(v.implementing(c)),
                    coverage(c.status, lang),
                ]
            })
            .collect();
        table(
            &mut s,
            &[
                l.id,
                l.category,
                l.measure,
                l.via,
                l.implementing,
                l.coverage,
            ],
            &rows,
        );
    }

    if let Some(summary) = v.diff_summary() {
        n += 1;
        h2(&mut s, n, "diff", l.diff);
        let _ = writeln!(s, "<p>{}</p>", esc(&summary));
        let rows: Vec<Vec<(String, String)>> = v
            .diff_rows()
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .enumerate()
                    .map(|(k, text)| match k {
                        7 if !text.is_empty() => ("differs nw".into(), text),
                        _ => td(text),
                    })
                    .collect()
            })
            .collect();
        table(
            &mut s,
            &[
                l.kind,
                l.id,
                l.title,
                l.obligation,
                l.base_id,
                l.base_title,
                l.base_obligation,
                l.obligation_differs,
            ],
            &rows,
        );
    }

    // Every requirement with its result, comment and evidence (stale evidence flagged).
    n += 1;
    h2(&mut s, n, "requirements", l.requirements);
    let rows: Vec<Vec<(String, String)>> = r
        .catalog
        .items
        .iter()
        .map(|item| {
            let (_, titles, stale) = v.evidence_lines(item);
            let comment = a
                .result_ref(&item.id)
                .map(|x| x.comment.clone())
                .unwrap_or_default();
            vec![
                nw(item.id.clone()),
                td(v.item_title(item)),
                nw(v.obligation(item.obligation)),
                outcome(a.outcome(&item.id), lang),
                td(comment),
                td(titles),
                if stale.is_empty() {
                    td(stale)
                } else {
                    ("stale".into(), stale)
                },
            ]
        })
        .collect();
    table(
        &mut s,
        &[
            l.id,
            l.title,
            l.obligation,
            l.outcome,
            l.comment,
            l.evidence,
            l.stale,
        ],
        &rows,
    );

    n += 1;
    h2(&mut s, n, "plan", l.plan);
    if v.plan.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", esc(l.no_plan));
    } else {
        let rows: Vec<Vec<(String, String)>> = v
            .plan
            .iter()
            .map(|(item, rem)| {
                vec![
                    td(rem.due.map(|d| v.date(d)).unwrap_or_else(|| "—".into())),
                    nw(item.id.clone()),
                    td(v.item_title(item)),
                    outcome(a.outcome(&item.id), lang),
                    td(rem.action.clone()),
                    td(rem.owner.clone()),
                    td(rem.status.name(lang)),
                ]
            })
            .collect();
        table(
            &mut s,
            &[
                l.due,
                l.id,
                l.title,
                l.outcome,
                l.remediation,
                l.owner,
                l.status,
            ],
            &rows,
        );
    }

    n += 1;
    h2(&mut s, n, "signoff", l.signoff);
    let blank = |role: &str| {
        vec![
            td(role),
            ("sign".into(), String::new()),
            td(l.blank_date),
            ("sign".into(), String::new()),
        ]
    };
    if let Some(line) = v.approval() {
        let _ = writeln!(s, "<p class=\"signed\">{}</p>", esc(&line));
    }
    let rows = match (a.state, &a.signed_by) {
        (State::SignedOff, Some(by)) => vec![
            vec![
                td(l.ciso),
                td(by.clone()),
                td(v.signed_date()),
                ("sign".into(), String::new()),
            ],
            blank(l.chief),
        ],
        _ => vec![blank(l.chief), blank(l.ciso)],
    };
    table(&mut s, &[l.role, l.name, l.sign_date, l.seal], &rows);
    s.push_str("</body>\n</html>\n");
    s
}
