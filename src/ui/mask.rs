//! Presenter mode (`P`, `--mask`): emails and phone numbers are masked wherever they are
//! drawn (panes, editors, messages, the help) by a last pass over the finished frame, so no
//! corner of the screen is forgotten; addresses and custom field values, which have no shape
//! to find, are masked where they are drawn. Masking keeps each cell where it was:
//! `j•••••@acme.com`, `+1 •••-•••-0106`.

use ratatui::buffer::Buffer;

pub const DOT: &str = "•";

/// Which of `cells` (one symbol each) to mask: the local part of an email but its first
/// letter, and a phone number's digits but its country code and last four.
pub fn hidden(cells: &[&str]) -> Vec<bool> {
    let ch = |i: usize| -> Option<char> {
        let s = cells.get(i)?;
        let mut it = s.chars();
        let c = it.next()?;
        it.next().is_none().then_some(c)
    };
    let mut out = vec![false; cells.len()];
    emails(cells.len(), &ch, &mut out);
    phones(cells.len(), &ch, &mut out);
    out
}

fn local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._%+-'".contains(c)
}

fn domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

fn emails(n: usize, ch: &impl Fn(usize) -> Option<char>, out: &mut [bool]) {
    for at in 0..n {
        if ch(at) != Some('@') {
            continue;
        }
        let mut start = at;
        while start > 0 && ch(start - 1).is_some_and(local_char) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < n && ch(end).is_some_and(domain_char) {
            end += 1;
        }
        // A domain cut short by a narrow column (`jane@exam…`, `jane@`) still marks an email;
        // `@jane` (nothing before) is a mention, not an address.
        let looks = start < at
            && (end > at + 1 || end == n || ch(end).is_some_and(|c| !c.is_alphanumeric()));
        if looks {
            // The first letter stays, to tell two people apart at a glance.
            for slot in &mut out[start + 1..at] {
                *slot = true;
            }
        }
    }
}

/// How many digits a country calling code has, from the number's first digits (E.164: the
/// one-digit codes are 1 and 7; a short list of two-digit ones; the rest have three).
fn country_code_len(digits: &[u8]) -> usize {
    const TWO: &[&[u8]] = &[
        b"20", b"27", b"30", b"31", b"32", b"33", b"34", b"36", b"39", b"40", b"41", b"43", b"44",
        b"45", b"46", b"47", b"48", b"49", b"51", b"52", b"53", b"54", b"55", b"56", b"57", b"58",
        b"60", b"61", b"62", b"63", b"64", b"65", b"66", b"81", b"82", b"84", b"86", b"90", b"91",
        b"92", b"93", b"94", b"95", b"98",
    ];
    match digits.first() {
        Some(b'1' | b'7') => 1,
        _ if digits.len() >= 2 && TWO.contains(&&digits[..2]) => 2,
        _ => 3,
    }
}

fn phones(n: usize, ch: &impl Fn(usize) -> Option<char>, out: &mut [bool]) {
    let part = |c: char| c.is_ascii_digit() || " -.()".contains(c);
    let mut i = 0;
    while i < n {
        let starts = ch(i).is_some_and(|c| c == '+' || c == '(' || c.is_ascii_digit())
            && (i == 0 || !ch(i - 1).is_some_and(|c| c.is_alphanumeric()));
        if !starts {
            i += 1;
            continue;
        }
        let plus = ch(i) == Some('+');
        let mut end = i + 1;
        while end < n && ch(end).is_some_and(part) {
            end += 1;
        }
        // The run ends at its last digit; what comes right after that digit decides whether
        // it is a number on its own or part of a word or an id (`12ab`).
        while end > i && ch(end - 1).is_some_and(|c| !c.is_ascii_digit()) {
            end -= 1;
        }
        let glued = ch(end).is_some_and(|c| c.is_alphanumeric());
        let digits: Vec<usize> = (i..end)
            .filter(|&k| ch(k).is_some_and(|c| c.is_ascii_digit()))
            .collect();
        let text: Vec<char> = (i..end).filter_map(ch).collect();
        // Dates (2026-12-01 10:00) and plain counts are not phone numbers.
        let date = text.len() >= 10 && text[4] == '-' && text[7] == '-';
        let phone = !glued && !date && (digits.len() >= 10 || (plus && digits.len() >= 7));
        if phone {
            // The country code after `+` and the last four stay.
            let keep_head = if plus {
                let lead: Vec<u8> = digits
                    .iter()
                    .take(3)
                    .filter_map(|&k| ch(k))
                    .map(|c| c as u8)
                    .collect();
                digits.get(country_code_len(&lead)).copied().unwrap_or(end)
            } else {
                i
            };
            let tail = digits.len().saturating_sub(4);
            for &k in &digits[..tail] {
                if k >= keep_head {
                    out[k] = true;
                }
            }
        }
        i = end.max(i + 1);
    }
}

/// `text` with its emails and phone numbers masked, each character where it was.
pub fn text(text: &str) -> String {
    let cells: Vec<String> = text.chars().map(String::from).collect();
    let refs: Vec<&str> = cells.iter().map(String::as_str).collect();
    hidden(&refs)
        .iter()
        .zip(text.chars())
        .map(|(h, c)| {
            if *h {
                DOT.chars().next().unwrap_or('*')
            } else {
                c
            }
        })
        .collect()
}

/// A value with no shape to find (an address, a custom field): all but its first character.
pub fn value(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => std::iter::once(first)
            .chain(chars.map(|c| if c.is_whitespace() { c } else { '•' }))
            .collect(),
        None => String::new(),
    }
}

/// The finished frame, masked row by row.
pub fn buffer(buf: &mut Buffer) {
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let symbols: Vec<String> = (area.left()..area.right())
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        let refs: Vec<&str> = symbols.iter().map(String::as_str).collect();
        for (i, hide) in hidden(&refs).into_iter().enumerate() {
            if hide {
                buf[(area.left() + i as u16, y)].set_symbol(DOT);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_phones_are_masked_in_place_and_the_rest_is_not() {
        assert_eq!(text("jane@acme.com"), "j•••@acme.com");
        assert_eq!(
            text("Mail jane.doe+x@mail.example.org now"),
            "Mail j•••••••••@mail.example.org now"
        );
        assert_eq!(text("+1 617-555-0106"), "+1 •••-•••-0106");
        assert_eq!(text("(617) 555-0106"), "(•••) •••-0106");
        assert_eq!(text("+447700900880"), "+44••••••0880");
        for kept in [
            "due 2026-12-01 10:00",
            "320 contacts",
            "id e2EMSRJWE3I3ZfrHNscB",
            "100,000 contacts: about 300,000 requests",
            "@jane tmrw 3pm",
            "v0.1.0 · 14:05",
        ] {
            assert_eq!(text(kept), kept);
        }
        assert_eq!(value("22 Maple Ave"), "2• ••••• •••");
        assert_eq!(text("tobias.jaeger@example.d"), "t••••••••••••@example.d");
        assert_eq!(text("kavya.venkataraman@"), "k•••••••••••••••••@");
        assert_eq!(
            text("Zoe  +16175550106  Beacon Street"),
            "Zoe  +1••••••0106  Beacon Street"
        );
        assert_eq!(
            text("call 617-555-0106 tomorrow"),
            "call •••-•••-0106 tomorrow"
        );
        assert_eq!(text("+44 7700 900880"), "+44 •••• ••0880");
    }

    #[test]
    fn a_frame_is_masked_cell_by_cell() {
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 30, 2));
        buf.set_string(
            0,
            0,
            "ann@x.io +1 617-555-0106",
            ratatui::style::Style::new(),
        );
        buf.set_string(0, 1, "名前 bo@corp.example", ratatui::style::Style::new());
        buffer(&mut buf);
        let row =
            |y: u16| -> String { (0..30).map(|x| buf[(x, y)].symbol().to_string()).collect() };
        assert!(row(0).starts_with("a••@x.io +1 •••-•••-0106"), "{}", row(0));
        assert!(row(1).contains("b•@corp.example"), "{}", row(1));
    }
}
