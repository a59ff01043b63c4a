//! The safety-measure map: the overview image of the My Number WLAN requirements
//! 「特定個人情報に関する安全管理措置実施のための対策イメージ（全体）」 redrawn as SVG, with each
//! numbered measure (①–⑩) coloured by the status an assessment gives it.
//!
//! The drawing follows the image: the 取扱区域 (handling area, separated from other
//! departments by partitions) with the terminals and the access point on the left, the
//! 情報システム管理区域 (system management area) with the controller, the authentication system,
//! the My Number system and the maintenance terminal on the right, the threats as red ✕ and the
//! measures as numbered badges where the image puts them. The output is deterministic: the same
//! catalog and statuses give the same bytes.

use std::fmt::Write as _;

use mamori_assess::{Coverage, MeasureStatus};
use mamori_catalog::{Catalog, Lang};

use crate::ExportError;

const WIDTH: i32 = 960;
const HEIGHT: i32 = 600;
/// Fonts tried in order; IPAGothic is installed on the build machines and in CI.
pub(crate) const FONT_FAMILY: &str =
    "IPAGothic, IPAexGothic, 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";

const RED: &str = "#c62828";

/// Escapes text for XML/HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The fill and the text colour of a badge for a status.
pub(crate) fn status_colours(c: Coverage) -> (&'static str, &'static str) {
    match c {
        Coverage::Met => ("#2e7d32", "#ffffff"),
        Coverage::Partial => ("#f9a825", "#1a1a1a"),
        Coverage::NotMet => (RED, "#ffffff"),
        Coverage::NotAssessed => ("#9e9e9e", "#ffffff"),
        Coverage::NoRequirements => ("#ffffff", "#1a1a1a"),
    }
}

/// `①`…`⑳` for 1–20, the number otherwise.
pub(crate) fn circled(n: u8) -> String {
    match n {
        1..=20 => {
            char::from_u32(0x2460 + u32::from(n) - 1).map_or_else(|| n.to_string(), String::from)
        }
        _ => format!("({n})"),
    }
}

/// Where a badge's label goes.
#[derive(Clone, Copy)]
enum Side {
    Right,
    Left,
    Below,
    /// A repeat of a measure shown elsewhere with its label: the number only.
    None,
}

/// Badge positions of each measure as the image places them; the first carries the label,
/// the others repeat the number. The last fields are the label widths (Japanese, English) in
/// ems before the label wraps.
type Badge = (u8, &'static [(i32, i32, Side)], f32, f32);

const BADGES: &[Badge] = &[
    (1, &[(204, 104, Side::Right)], 13.0, 16.0),
    (2, &[(420, 104, Side::Right)], 13.0, 15.0),
    (3, &[(660, 258, Side::Right)], 15.0, 22.0),
    (4, &[(90, 330, Side::Below)], 8.0, 13.0),
    (
        5,
        &[(470, 410, Side::Right), (810, 180, Side::None)],
        9.0,
        11.0,
    ),
    (6, &[(660, 420, Side::Right)], 14.0, 22.0),
    (
        7,
        &[(204, 248, Side::Right), (528, 248, Side::None)],
        13.0,
        14.0,
    ),
    (
        8,
        &[
            (470, 330, Side::Right),
            (208, 196, Side::None),
            (660, 180, Side::None),
        ],
        10.0,
        11.0,
    ),
    (9, &[(660, 300, Side::Right)], 15.0, 22.0),
    (10, &[(300, 330, Side::Left)], 6.0, 9.0),
];

/// A threat marker: position of the ✕ and its label lines (Japanese, English).
struct Threat {
    x: i32,
    y: i32,
    ja: &'static [&'static str],
    en: &'static [&'static str],
    side: Side,
}

const THREATS: &[Threat] = &[
    Threat {
        x: 170,
        y: 150,
        ja: &["第3者侵入・", "のぞき見"],
        en: &["Intrusion,", "shoulder surfing"],
        side: Side::Left,
    },
    Threat {
        x: 360,
        y: 170,
        ja: &["端末画面", "のぞき見"],
        en: &["Screen", "peeking"],
        side: Side::Below,
    },
    Threat {
        x: 350,
        y: 282,
        ja: &["認証情報傍受"],
        en: &["Credential", "interception"],
        side: Side::Left,
    },
    Threat {
        x: 392,
        y: 386,
        ja: &["盗聴・", "不正アクセス"],
        en: &["Eavesdropping,", "unauthorised access"],
        side: Side::Left,
    },
    Threat {
        x: 252,
        y: 468,
        ja: &["取扱区域外への持ち出し"],
        en: &["Taking terminals out of the area"],
        side: Side::Right,
    },
    Threat {
        x: 910,
        y: 468,
        ja: &["第3者侵入"],
        en: &["Intrusion"],
        side: Side::Left,
    },
];

/// Fixed labels of the drawing.
struct Words {
    title: &'static str,
    handling: &'static str,
    system_area: &'static str,
    partition: [&'static str; 2],
    third_party: &'static str,
    mynumber_terminal: [&'static str; 2],
    lgwan_terminal: [&'static str; 2],
    ap: &'static str,
    rogue_ap: &'static str,
    controller: [&'static str; 2],
    auth: [&'static str; 2],
    mynumber_system: [&'static str; 2],
    maintenance: &'static str,
    threat: &'static str,
    requirements: &'static str,
    no_requirement: &'static str,
    desc: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Ja => Words {
            title: "特定個人情報に関する安全管理措置実施のための対策イメージ（全体）",
            handling: "取扱区域",
            system_area: "情報システム管理区域",
            partition: ["パーティション等", "区画の分離"],
            third_party: "第3者",
            mynumber_terminal: ["マイナンバー", "利用事務系端末"],
            lgwan_terminal: ["LGWAN", "接続系端末"],
            ap: "アクセスポイント",
            rogue_ap: "偽AP",
            controller: ["無線LAN", "コントローラ"],
            auth: ["認証システム", "（RADIUS等）"],
            mynumber_system: ["マイナンバー", "利用事務系システム"],
            maintenance: "保守端末",
            threat: "脅威",
            requirements: "要件",
            no_requirement: "対応要件なし",
            desc: "番号付きの対策とその評価状況",
        },
        Lang::En => Words {
            title: "Safety measures for specific personal information: overview",
            handling: "Handling area",
            system_area: "System management area",
            partition: ["Partitions:", "separated area"],
            third_party: "Third party",
            mynumber_terminal: ["My Number", "terminal"],
            lgwan_terminal: ["LGWAN", "terminal"],
            ap: "Access point",
            rogue_ap: "Rogue AP",
            controller: ["WLAN", "controller"],
            auth: ["Authentication", "system (RADIUS)"],
            mynumber_system: ["My Number", "system"],
            maintenance: "Maintenance terminal",
            threat: "Threat",
            requirements: "Requirements",
            no_requirement: "no requirement",
            desc: "The numbered measures and their assessed status",
        },
    }
}

/// The width of a character in ems (full width for CJK, about half for Latin).
fn char_em(c: char) -> f32 {
    if c.is_ascii() { 0.56 } else { 1.0 }
}

/// Breaks `text` into lines of at most `max_em` ems: Latin text at spaces, Japanese anywhere
/// (but not before 、。・）」 or after （「).
pub(crate) fn wrap(text: &str, max_em: f32) -> Vec<String> {
    // Tokens: a run of ASCII non-spaces is one token; every other character is its own.
    let mut tokens: Vec<String> = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_ascii() && !c.is_ascii_whitespace() {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        tokens.push(c.to_string());
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let width = |s: &str| s.chars().map(char_em).sum::<f32>();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for t in tokens {
        let no_break_before = matches!(t.as_str(), "、" | "。" | "・" | "）" | "」" | "，" | ")");
        let after_open = line.ends_with(['（', '「', '(']);
        if !line.is_empty() && width(&line) + width(&t) > max_em && !no_break_before && !after_open
        {
            lines.push(line.trim_end().to_owned());
            line = String::new();
            if t.trim().is_empty() {
                continue;
            }
        }
        line.push_str(&t);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// A `<text>` element with one `<tspan>` per line, the first baseline at `y`.
fn text(out: &mut String, x: i32, y: i32, anchor: &str, class: &str, lines: &[&str]) {
    let _ = write!(
        out,
        r#"<text x="{x}" y="{y}" text-anchor="{anchor}" class="mm-{class}">"#
    );
    for (i, l) in lines.iter().enumerate() {
        let dy = if i == 0 { 0 } else { 13 };
        let _ = write!(out, r#"<tspan x="{x}" dy="{dy}">{}</tspan>"#, esc(l));
    }
    out.push_str("</text>\n");
}

fn cross(out: &mut String, x: i32, y: i32, r: i32) {
    let _ = writeln!(
        out,
        r#"<path class="mm-x" d="M{} {}L{} {}M{} {}L{} {}"/>"#,
        x - r,
        y - r,
        x + r,
        y + r,
        x + r,
        y - r,
        x - r,
        y + r
    );
}

/// A box with a centred two-line label.
fn device(out: &mut String, x: i32, y: i32, w: i32, h: i32, lines: &[&str]) {
    let _ = writeln!(
        out,
        r#"<rect class="mm-dev" x="{x}" y="{y}" width="{w}" height="{h}" rx="4"/>"#
    );
    let first = y + h / 2 + 4 - 13 * (i32::try_from(lines.len()).unwrap_or(1) - 1) / 2;
    text(out, x + w / 2, first, "middle", "dl", lines);
}

/// A monitor icon with its label underneath.
fn terminal(out: &mut String, x: i32, y: i32, lines: &[&str]) {
    let _ = writeln!(
        out,
        r#"<rect class="mm-dev" x="{}" y="{y}" width="56" height="36" rx="3"/><path class="mm-ln" d="M{} {}v8M{} {}h28"/>"#,
        x - 28,
        x,
        y + 36,
        x - 14,
        y + 44
    );
    text(out, x, y + 58, "middle", "dl", lines);
}

/// An access point icon (a small box with radio arcs).
fn access_point(out: &mut String, x: i32, y: i32, class: &str) {
    let _ = writeln!(
        out,
        r#"<rect class="mm-{class}" x="{}" y="{y}" width="36" height="14" rx="3"/><path class="mm-wave" d="M{} {}a10 10 0 0 1 20 0M{} {}a16 16 0 0 1 32 0"/>"#,
        x - 18,
        x - 10,
        y - 3,
        x - 16,
        y - 3
    );
}

/// The safety-measure map as an SVG document (`<svg>` element, no XML declaration), for inline
/// use in HTML and for rasterising. `statuses` come from
/// [`mamori_assess::measure_statuses`]; a measure of the catalog without a status is drawn as
/// not assessed. With `link`, each badge links to `link(number)`.
pub fn safety_map_svg(
    catalog: &Catalog,
    statuses: &[MeasureStatus],
    lang: Lang,
    link: Option<&dyn Fn(u8) -> String>,
) -> String {
    let w = words(lang);
    let mut s = String::with_capacity(24_000);
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" class="mamori-map" role="img" aria-labelledby="mamori-map-title mamori-map-desc" font-family="{FONT_FAMILY}" lang="{}">"#,
        lang.code()
    );
    let _ = writeln!(
        s,
        r#"<title id="mamori-map-title">{}</title>"#,
        esc(w.title)
    );
    let mut desc = format!("{}: ", w.desc);
    for (i, m) in catalog.measures.iter().enumerate() {
        let status = statuses
            .iter()
            .find(|x| x.number == m.number)
            .map_or(Coverage::NotAssessed, |x| x.status);
        if i > 0 {
            desc.push_str(if lang == Lang::Ja { "、" } else { "; " });
        }
        let _ = write!(
            desc,
            "{} {}: {}",
            circled(m.number),
            m.name.get(lang),
            status.name(lang)
        );
    }
    let _ = writeln!(s, r#"<desc id="mamori-map-desc">{}</desc>"#, esc(&desc));
    s.push_str(concat!(
        "<style>",
        // The ink is inherited from the root rather than set on `text`, so that the badge
        // numbers' `fill` attribute (white or dark, by status) is not overridden: a stylesheet
        // rule beats a presentation attribute, and inline `style` attributes are not allowed
        // where the map is embedded (the page's CSP admits this block by its hash only).
        ".mamori-map{fill:#1a1a1a}",
        ".mamori-map text{font-size:11px}",
        ".mamori-map .mm-ttl{font-size:16px;font-weight:bold}",
        ".mamori-map .mm-zl{font-size:13px;font-weight:bold;fill:#234a7a}",
        ".mamori-map .mm-dl{font-size:11px}",
        ".mamori-map .mm-ml{font-size:11px;font-weight:bold}",
        ".mamori-map .mm-bn{font-size:12px;font-weight:bold}",
        ".mamori-map .mm-tl{font-size:10.5px;fill:#c62828}",
        ".mamori-map .mm-zone{fill:#eef4fb;stroke:#4a78b0;stroke-width:1.5}",
        ".mamori-map .mm-zone2{fill:#f3f3f3;stroke:#666;stroke-width:1.5}",
        ".mamori-map .mm-dev{fill:#fff;stroke:#333;stroke-width:1.2}",
        ".mamori-map .mm-rogue{fill:#fff;stroke:#c62828;stroke-width:1.2;stroke-dasharray:3 2}",
        ".mamori-map .mm-ln{fill:none;stroke:#333;stroke-width:1.2}",
        ".mamori-map .mm-net{fill:none;stroke:#555;stroke-width:2}",
        ".mamori-map .mm-wave{fill:none;stroke:#4a78b0;stroke-width:1.5}",
        ".mamori-map .mm-radio{fill:none;stroke:#4a78b0;stroke-width:1.5;stroke-dasharray:5 4}",
        ".mamori-map .mm-part{stroke:#8d6e63;stroke-width:5;stroke-dasharray:10 5}",
        ".mamori-map .mm-x{fill:none;stroke:#c62828;stroke-width:3;stroke-linecap:round}",
        ".mamori-map .mm-badge{stroke:#333;stroke-width:1}",
        "</style>\n"
    ));
    s.push_str(r##"<rect x="0" y="0" width="960" height="600" fill="#ffffff"/>"##);
    s.push('\n');
    text(&mut s, WIDTH / 2, 28, "middle", "ttl", &[w.title]);

    // Zones.
    s.push_str(
        "<rect class=\"mm-zone\" x=\"180\" y=\"50\" width=\"430\" height=\"400\" rx=\"6\"/>\n",
    );
    text(&mut s, 190, 70, "start", "zl", &[w.handling]);
    s.push_str(
        "<rect class=\"mm-zone2\" x=\"640\" y=\"50\" width=\"310\" height=\"400\" rx=\"6\"/>\n",
    );
    text(&mut s, 650, 70, "start", "zl", &[w.system_area]);
    // The partition between the handling area and the other departments.
    s.push_str("<path class=\"mm-part\" d=\"M180 56V444\"/>\n");
    text(&mut s, 90, 224, "middle", "dl", &w.partition);
    // A third party outside the partition.
    s.push_str("<circle class=\"mm-dev\" cx=\"90\" cy=\"92\" r=\"9\"/><path class=\"mm-dev\" d=\"M74 124q16-30 32 0z\"/>\n");
    text(&mut s, 90, 140, "middle", "dl", &[w.third_party]);

    // The handling area: terminals, access point, a rogue AP.
    terminal(&mut s, 270, 136, &w.mynumber_terminal);
    terminal(&mut s, 500, 136, &w.lgwan_terminal);
    access_point(&mut s, 390, 300, "dev");
    text(&mut s, 390, 330, "middle", "dl", &[w.ap]);
    // Radio links from the terminals to the access point.
    s.push_str("<path class=\"mm-radio\" d=\"M280 210L382 296M490 210L398 296\"/>\n");
    access_point(&mut s, 240, 380, "rogue");
    cross(&mut s, 240, 386, 9);
    text(&mut s, 240, 412, "middle", "tl", &[w.rogue_ap]);

    // The management area: controller, authentication system, My Number system, maintenance.
    device(&mut s, 680, 90, 110, 40, &w.controller);
    device(&mut s, 680, 160, 110, 40, &w.auth);
    device(&mut s, 820, 90, 118, 40, &w.mynumber_system);
    device(&mut s, 820, 370, 118, 34, &[w.maintenance]);
    // Wired links: AP → controller → systems; the maintenance terminal to the controller.
    s.push_str(
        "<path class=\"mm-net\" d=\"M408 307H620V110H680M735 130V160M790 110H820M879 370V150H760V130\"/>\n",
    );

    // Threats.
    for t in THREATS {
        cross(&mut s, t.x, t.y, 8);
        let lines = if lang == Lang::Ja { t.ja } else { t.en };
        match t.side {
            Side::Right => text(&mut s, t.x + 14, t.y + 4, "start", "tl", lines),
            Side::Left => text(&mut s, t.x - 14, t.y + 4, "end", "tl", lines),
            Side::Below | Side::None => text(&mut s, t.x, t.y + 22, "middle", "tl", lines),
        }
    }
    // Taking a terminal out: an arrow leaving the handling area (thinner than the ✕, so drawn
    // with presentation attributes rather than the `mm-x` class, whose rule would win).
    s.push_str(
        "<path d=\"M230 436V462M224 454l6 8l6-8\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\" stroke-linecap=\"round\"/>\n",
    );

    // The measures.
    for (number, places, wrap_ja, wrap_en) in BADGES {
        let wrap_em = if lang == Lang::Ja { *wrap_ja } else { *wrap_en };
        let Some(m) = catalog.measures.iter().find(|m| m.number == *number) else {
            continue;
        };
        let st = statuses.iter().find(|x| x.number == *number);
        let status = st.map_or(Coverage::NotAssessed, |x| x.status);
        let (fill, ink) = status_colours(status);
        let name = m.name.get(lang);
        let items = st.map(|x| x.items.join(", ")).unwrap_or_default();
        let tip = format!(
            "{} {} — {}\n{}: {}",
            circled(*number),
            name,
            status.name(lang),
            w.requirements,
            if items.is_empty() {
                w.no_requirement
            } else {
                &items
            }
        );
        let href = link.map(|f| f(*number));
        if let Some(h) = &href {
            let _ = write!(s, r#"<a href="{}">"#, esc(h));
        }
        let _ = write!(
            s,
            r#"<g class="mm-measure" data-measure="{number}" data-status="{}"><title>{}</title>"#,
            status.key(),
            esc(&tip)
        );
        for (x, y, side) in places.iter() {
            let _ = write!(
                s,
                r#"<circle class="mm-badge" cx="{x}" cy="{y}" r="12" fill="{fill}"/><text x="{x}" y="{}" text-anchor="middle" class="mm-bn" fill="{ink}">{number}</text>"#,
                y + 4
            );
            let lines = wrap(name, wrap_em);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            let n = i32::try_from(lines.len()).unwrap_or(1);
            match side {
                Side::Right => text(
                    &mut s,
                    x + 17,
                    y + 4 - 13 * (n - 1) / 2,
                    "start",
                    "ml",
                    &lines,
                ),
                Side::Left => text(
                    &mut s,
                    x - 17,
                    y + 4 - 13 * (n - 1) / 2,
                    "end",
                    "ml",
                    &lines,
                ),
                Side::Below => text(&mut s, *x, y + 28, "middle", "ml", &lines),
                Side::None => s.push('\n'),
            }
        }
        s.push_str("</g>");
        if href.is_some() {
            s.push_str("</a>");
        }
        s.push('\n');
    }

    // Legend.
    s.push_str("<g class=\"mm-legend\">\n");
    let mut x = 40;
    for c in [
        Coverage::Met,
        Coverage::Partial,
        Coverage::NotMet,
        Coverage::NotAssessed,
        Coverage::NoRequirements,
    ] {
        let (fill, _) = status_colours(c);
        let _ = writeln!(
            s,
            r#"<circle class="mm-badge" cx="{x}" cy="500" r="8" fill="{fill}"/>"#
        );
        text(&mut s, x + 14, 504, "start", "dl", &[c.name(lang)]);
        x += 140;
    }
    cross(&mut s, x, 500, 6);
    text(&mut s, x + 14, 504, "start", "tl", &[w.threat]);
    s.push_str("</g>\n");
    // The names of the measures, in order, below the legend.
    for (i, m) in catalog.measures.iter().enumerate() {
        let status = statuses
            .iter()
            .find(|x| x.number == m.number)
            .map_or(Coverage::NotAssessed, |x| x.status);
        let i = i32::try_from(i).unwrap_or(0);
        let (cx, cy) = (40 + 460 * (i % 2), 530 + 13 * (i / 2));
        let (name, status) = (m.name.get(lang), status.name(lang));
        let label = match lang {
            Lang::Ja => format!("{} {name}（{status}）", circled(m.number)),
            Lang::En => format!("{} {name} ({status})", circled(m.number)),
        };
        text(&mut s, cx, cy, "start", "dl", &[&label]);
    }
    s.push_str("</svg>\n");
    s
}

/// Rasterises an SVG (such as the map) to PNG at `scale` × its size, with the system fonts
/// (IPAGothic first for Japanese). Returns the PNG bytes and the pixel size.
pub(crate) fn svg_to_png(svg: &str, scale: f32) -> Result<(Vec<u8>, u32, u32), ExportError> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options {
        font_family: "IPAGothic".into(),
        ..usvg::Options::default()
    };
    let db = opt.fontdb_mut();
    db.load_system_fonts();
    // `sans-serif` falls back to the first installed of the map's families (so text never
    // disappears when none of the Japanese fonts is there); glyphs missing from it are taken
    // from the other installed fonts.
    let installed = |name: &str| {
        db.faces()
            .any(|f| f.families.iter().any(|(family, _)| family == name))
    };
    let fallback = [
        "IPAGothic",
        "IPAexGothic",
        "Noto Sans CJK JP",
        "Noto Sans JP",
        "DejaVu Sans",
    ]
    .into_iter()
    .find(|f| installed(f))
    .map(str::to_owned)
    .or_else(|| {
        db.faces()
            .next()
            .and_then(|f| f.families.first().map(|(family, _)| family.clone()))
    });
    if let Some(f) = fallback {
        db.set_sans_serif_family(f.clone());
        opt.font_family = f;
    }
    let tree = usvg::Tree::from_str(svg, &opt)
        .map_err(|e| ExportError::Image(format!("cannot read the SVG: {e}")))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| ExportError::Image("the picture has no size".into()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ExportError::Image("the picture has no size".into()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap
        .encode_png()
        .map_err(|e| ExportError::Image(format!("cannot encode the PNG: {e}")))?;
    Ok((png, size.width(), size.height()))
}
