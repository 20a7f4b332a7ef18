//! Export of the current results: JSON in the shape of `earshot search --json` (docs/interfaces.md §2, plus
//! each result's licence and preview) and CSV (one row per result).

use serde_json::json;

use crate::protocol::{AnswerView, Catalog, Scored};

/// What a result is: (id, label, source, licence, preview). Library sounds are
/// `library:<key>`, from "your library", with no licence or preview.
pub fn describe(catalog: &Catalog, r: &Scored) -> Option<(String, String, String, String, String)> {
    if let Some(m) = &r.mine {
        return Some((
            format!("library:{}", m.key),
            m.label.clone(),
            format!("your library: {}", m.name),
            String::new(),
            String::new(),
        ));
    }
    let it = catalog.items.get(r.item)?;
    Some((
        it.id.clone(),
        it.label.clone(),
        it.source.clone(),
        it.licence.clone(),
        it.preview.clone(),
    ))
}

pub fn to_json(catalog: &Catalog, a: &AnswerView) -> String {
    let results: Vec<_> = a
        .results
        .iter()
        .filter_map(|r| {
            let it = catalog.items.get(r.item)?;
            Some(
                json!({"id": it.id, "label": it.label, "score": r.score, "source": it.source,
                        "licence": it.licence, "preview": it.preview}),
            )
        })
        .collect();
    let value = json!({
        "query": {"kind": a.query.kind, "value": a.query.value},
        "results": results,
        "labels": a.labels.iter().map(|l| json!({"label": l.name, "score": l.score})).collect::<Vec<_>>(),
        "words": a.words.iter().map(|w| json!({"word": w.name, "score": w.score})).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

pub fn to_csv(catalog: &Catalog, a: &AnswerView) -> String {
    let mut out = String::from("rank,id,label,score,source,licence,preview\r\n");
    for (rank, r) in a.results.iter().enumerate() {
        let Some((id, label, source, licence, preview)) = describe(catalog, r) else {
            continue;
        };
        let row = [
            (rank + 1).to_string(),
            field(&id),
            field(&label),
            r.score.to_string(),
            field(&source),
            field(&licence),
            field(&preview),
        ];
        out.push_str(&row.join(","));
        out.push_str("\r\n");
    }
    out
}

/// One CSV field (RFC 4180 quoting). Text that a spreadsheet would run as a formula gets a
/// leading apostrophe.
fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// A file name for the export: `earshot-<query>.<ext>`, reduced to safe characters.
pub fn file_name(a: &AnswerView, ext: &str) -> String {
    let base = a.query.value.rsplit(['/', '\\']).next().unwrap_or_default();
    let slug: String = base
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .take(40)
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if slug.is_empty() {
        format!("earshot-results.{ext}")
    } else {
        format!("earshot-{}.{ext}", slug.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::protocol::{ItemView, Named, QueryView, Scored};

    fn sample() -> (Catalog, AnswerView) {
        let item = |id: &str, label: &str, source: &str| ItemView {
            id: id.into(),
            label: label.into(),
            source: source.into(),
            licence: "CC0-1.0".into(),
            preview: format!("previews/{id}.ogg"),
            class: 0,
            x: 0.0,
            y: 0.0,
        };
        let catalog = Catalog {
            items: vec![
                item("a1", "Bark", "pkg-a"),
                item("b2", "Meow", "=HYPERLINK(\"x\"), \"quoted\""),
            ],
            classes: vec!["Bark".into(), "Meow".into()],
            vocabulary_words: 10,
        };
        let answer = AnswerView {
            query: QueryView {
                kind: "text".into(),
                value: "dog, \"loud\"".into(),
            },
            results: vec![
                Scored {
                    item: 1,
                    score: 0.5,
                    mine: None,
                },
                Scored {
                    item: 0,
                    score: 0.25,
                    mine: None,
                },
            ],
            labels: vec![Named {
                name: "Bark".into(),
                score: 0.7,
            }],
            words: vec![Named {
                name: "dog".into(),
                score: 0.6,
            }],
            unknown_words: vec![],
            searched_as: None,
            excluded: vec![],
            nothing_close: false,
            point: [0.0, 0.0],
            clip: None,
            from_item: None,
            millis: 1.0,
        };
        (catalog, answer)
    }

    #[test]
    fn json_has_the_cli_shape_in_rank_order() {
        let (c, a) = sample();
        let v: serde_json::Value = serde_json::from_str(&to_json(&c, &a)).unwrap();
        assert_eq!(v["query"]["kind"], "text");
        assert_eq!(v["query"]["value"], "dog, \"loud\"");
        assert_eq!(v["results"][0]["id"], "b2");
        assert_eq!(v["results"][0]["score"], 0.5);
        assert_eq!(v["results"][1]["label"], "Bark");
        assert_eq!(v["labels"][0]["label"], "Bark");
        assert_eq!(v["words"][0]["word"], "dog");
    }

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        let (c, a) = sample();
        let csv = to_csv(&c, &a);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], "rank,id,label,score,source,licence,preview");
        assert_eq!(
            lines[1],
            r#"1,b2,Meow,0.5,"'=HYPERLINK(""x""), ""quoted""",CC0-1.0,previews/b2.ogg"#
        );
        assert_eq!(lines[2], "2,a1,Bark,0.25,pkg-a,CC0-1.0,previews/a1.ogg");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn file_names_are_safe() {
        let (_, mut a) = sample();
        assert_eq!(file_name(&a, "csv"), "earshot-dog-loud.csv");
        a.query.value = "../../etc/<script>.wav".into();
        assert_eq!(file_name(&a, "json"), "earshot-script-wav.json");
        a.query.value = "!!!".into();
        assert_eq!(file_name(&a, "json"), "earshot-results.json");
    }
}
