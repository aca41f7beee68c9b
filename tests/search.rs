//! Search over the index: what a rep types finds what they mean.

use ghl_tui::search::{Doc, Index, Query, Searcher, highlight};

struct C {
    id: &'static str,
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    company: &'static str,
    tags: Vec<String>,
    fields: Vec<String>,
}

fn c(
    id: &'static str,
    name: &'static str,
    phone: &'static str,
    company: &'static str,
    tags: &[&str],
) -> C {
    C {
        id,
        name,
        email: "",
        phone,
        company,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        fields: Vec::new(),
    }
}

fn people() -> Vec<C> {
    let mut v = vec![
        c("0", "Jonathan Smithers", "", "Acme Realty", &["lead"]),
        c("1", "John Smith", "+1 617-555-0106", "Globex", &["vip"]),
        c(
            "2",
            "Maria Araújo",
            "(212) 555-0199",
            "Blue Harbor Homes",
            &["customer"],
        ),
        c(
            "3",
            "İbrahim Kaya",
            "+905321234567",
            "New York Pizza",
            &["vip", "hot"],
        ),
        c("4", "Jörg Müller", "+49 30 1234567", "Müller & Söhne", &[]),
        c("5", "Jane Newyork", "", "York News", &[]),
        c("6", "Анна Иванова", "", "", &["partner"]),
    ];
    v[1].email = "john.smith@example.com";
    v[2].fields = vec!["Gold plan".into(), "Downtown".into()];
    v
}

fn index(cs: &[C]) -> Index {
    Index::build(cs.iter().map(|c| Doc {
        id: c.id,
        name: c.name,
        email: c.email,
        phone: c.phone,
        company: c.company,
        tags: &c.tags,
        fields: &c.fields,
    }))
}

fn find(ix: &Index, q: &str) -> Vec<u32> {
    Searcher::default().search(ix, &Query::parse(q), None, &[])
}

#[test]
fn accents_and_case_do_not_matter() {
    let ix = index(&people());
    assert_eq!(find(&ix, "araujo"), vec![2]);
    assert_eq!(find(&ix, "ARAÚJO"), vec![2]);
    assert_eq!(find(&ix, "ibrahim"), vec![3]);
    assert_eq!(find(&ix, "muller"), vec![4]);
    assert_eq!(find(&ix, "анна"), vec![6]);
}

#[test]
fn phone_digits_match_however_the_number_is_written() {
    let ix = index(&people());
    assert_eq!(find(&ix, "6175550106"), vec![1]);
    assert_eq!(find(&ix, "617-555"), vec![1]);
    assert_eq!(find(&ix, "(617) 555 0106"), vec![1]);
    assert_eq!(find(&ix, "2125550199"), vec![2]);
    assert_eq!(find(&ix, "phone:1234567"), vec![3, 4]);
}

#[test]
fn fuzzy_words_rank_the_best_match_first() {
    let ix = index(&people());
    let hits = find(&ix, "jhn smt");
    assert_eq!(
        hits.first(),
        Some(&1),
        "John Smith before Jonathan Smithers: {hits:?}"
    );
    assert!(hits.contains(&0));
    assert_eq!(find(&ix, "smith").first(), Some(&1));
}

#[test]
fn field_prefixes_phrases_tags_and_custom_fields() {
    let ix = index(&people());
    assert_eq!(find(&ix, "tag:vip"), vec![1, 3]);
    assert_eq!(find(&ix, "tag:vip tag:hot"), vec![3]);
    assert_eq!(find(&ix, "company:globex"), vec![1]);
    assert_eq!(find(&ix, "email:example"), vec![1]);
    assert_eq!(find(&ix, "gold plan"), vec![2]);
    assert_eq!(find(&ix, "field:downtown"), vec![2]);
    // A phrase must be contiguous: "new york" is the pizza place, not Jane Newyork of York News.
    assert_eq!(find(&ix, "\"new york\""), vec![3]);
    let loose = find(&ix, "new york");
    assert!(loose.contains(&3) && loose.contains(&5), "{loose:?}");
    assert!(find(&ix, "tag:nothing-like-this").is_empty());
}

#[test]
fn narrowing_from_the_last_results_gives_what_a_fresh_search_gives() {
    let ix = index(&people());
    let mut s = Searcher::default();
    for (a, b) in [
        ("j", "jo"),
        ("jo", "joh"),
        ("joh", "john sm"),
        ("61", "617"),
        ("m", "mu"),
    ] {
        let (qa, qb) = (Query::parse(a), Query::parse(b));
        assert!(qb.is_narrowing_of(&qa), "{b} narrows {a}");
        let prev = s.search(&ix, &qa, None, &[]);
        let within = s.search(&ix, &qb, Some(&prev), &[]);
        assert_eq!(within, s.search(&ix, &qb, None, &[]), "{a} -> {b}");
    }
}

#[test]
fn matches_found_elsewhere_come_after_and_once() {
    let ix = index(&people());
    let hits = Searcher::default().search(&ix, &Query::parse("smith"), None, &[6, 1, 6]);
    assert_eq!(hits.first(), Some(&1));
    assert_eq!(hits.iter().filter(|&&r| r == 6).count(), 1);
    assert_eq!(hits.last(), Some(&6));
    assert_eq!(ix.rows_of("4"), Some(4));
    assert_eq!(ix.rows_of("no such id"), None);
}

#[test]
fn highlights_fall_on_the_matched_letters_of_the_name() {
    assert_eq!(
        highlight("Maria Araújo", &Query::parse("araujo")),
        vec![6, 7, 8, 9, 10, 11]
    );
    assert_eq!(highlight("John Smith", &Query::parse("jhn")), vec![0, 2, 3]);
    assert!(highlight("John Smith", &Query::parse("tag:vip")).is_empty());
}

#[test]
fn a_loose_word_stays_within_one_field() {
    let mut cs = vec![
        c("0", "Ann Lee", "", "Ortiz Supply", &[]),
        c("1", "Anno Domini", "", "", &[]),
    ];
    cs[0].email = "lee@norton.com";
    let ix = index(&cs);
    // `anno` spelled loosely is in Anno's name; in Ann's only by running into her company.
    assert_eq!(find(&ix, "anno"), vec![1]);
    // A domain is matched as typed, not letter by letter: thousands share `gmail.com`.
    assert_eq!(find(&ix, "norton"), vec![0]);
    assert_eq!(find(&ix, "@norton"), vec![0]);
    assert_eq!(find(&ix, "email:norton"), vec![0]);
    // A whole email, pasted.
    assert_eq!(find(&ix, "lee@norton.com"), vec![0]);
    assert_eq!(find(&ix, "email:lee@norton.com"), vec![0]);
    assert!(find(&ix, "nrtn").is_empty(), "{:?}", find(&ix, "nrtn"));
}

#[test]
fn digits_are_found_in_phones_and_as_written_elsewhere() {
    let mut cs = vec![
        c("0", "Ann Lee", "+1 (617) 555-0106", "", &[]),
        c("1", "Bo Chen", "+1 212 555 0199", "", &[]),
        c("2", "Cy Ortiz", "", "", &[]),
    ];
    cs[2].fields = vec!["Unit 4521".into()];
    let ix = index(&cs);
    assert_eq!(find(&ix, "6175550106"), vec![0]);
    assert_eq!(find(&ix, "555-0199"), vec![1]);
    assert_eq!(find(&ix, "phone:6175550106"), vec![0]);
    assert_eq!(find(&ix, "phone:(212) 555"), vec![1]);
    assert_eq!(find(&ix, "4521"), vec![2]);
    assert_eq!(find(&ix, "555"), vec![0, 1]);
    assert!(find(&ix, "5550107").is_empty());
}

#[test]
fn tags_with_spaces_are_whole_and_a_phrase_never_spans_two() {
    let cs = vec![
        c("0", "Ann Lee", "", "", &["vip", "follow up"]),
        c("1", "Bo Chen", "", "", &["vip follow"]),
    ];
    let ix = index(&cs);
    assert_eq!(find(&ix, "tag:\"follow up\""), vec![0]);
    assert_eq!(find(&ix, "\"vip follow\""), vec![1]);
    assert_eq!(ix.tags(0).collect::<Vec<_>>(), ["vip", "follow up"]);
}
