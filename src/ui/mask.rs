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
        // A domain cut short by a narrow column (`jane@exam…`) still marks an email.
        let looks = start < at && end > at + 1;
        if looks {
            // The first letter stays, to tell two people apart at a glance.
            for slot in &mut out[start + 1..at] {
                *slot = true;
            }
        }
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
        // A letter right after is an id or a word, not a number.
        let glued = ch(end).is_some_and(|c| c.is_alphanumeric());
        while end > i && ch(end - 1).is_some_and(|c| !c.is_ascii_digit()) {
            end -= 1;
        }
        let digits: Vec<usize> = (i..end)
            .filter(|&k| ch(k).is_some_and(|c| c.is_ascii_digit()))
            .collect();
        let text: String = (i..end).filter_map(ch).collect();
        // Dates (2026-12-01 10:00) and plain counts are not phone numbers.
        let date = text.len() >= 10 && text.as_bytes()[4] == b'-' && text.as_bytes()[7] == b'-';
        let phone = !glued && !date && (digits.len() >= 10 || (plus && digits.len() >= 7));
        if phone {
            // The country code after `+` (up to the first separator) and the last four stay.
            let mut keep_head = 0;
            if plus {
                // How long the country code is, as the numbering plan says (+44 7700...).
                let code = phonenumber::parse(None, &text)
                    .map(|p| p.code().value().to_string().len())
                    .unwrap_or(3);
                let mut k = i + 1;
                while k < end && k < i + 1 + code && ch(k).is_some_and(|c| c.is_ascii_digit()) {
                    k += 1;
                }
                keep_head = k;
            }
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
