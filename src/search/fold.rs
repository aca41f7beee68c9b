//! Text as search compares it: lower case, accents off (`Araújo` -> `araujo`, `İbrahim` ->
//! `ibrahim`), one char for one char, so a position in the folded text is the position in the
//! text shown (which is how a match is highlighted).

/// One character folded.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // Letters the Latin table leaves alone, or folds to something a person would not type.
    let c = match c {
        'ı' | 'İ' => 'i',
        'ø' | 'Ø' => 'o',
        'ł' | 'Ł' => 'l',
        'đ' | 'Đ' => 'd',
        'ß' => 's',
        'æ' | 'Æ' => 'a',
        'œ' | 'Œ' => 'o',
        // Vietnamese vowels with two marks, which the Latin table does not reach; Unicode
        // lays them out by base letter.
        '\u{1EA0}'..='\u{1EB7}' => 'a',
        '\u{1EB8}'..='\u{1EC7}' => 'e',
        '\u{1EC8}'..='\u{1ECB}' => 'i',
        '\u{1ECC}'..='\u{1EE3}' => 'o',
        '\u{1EE4}'..='\u{1EF1}' => 'u',
        '\u{1EF2}'..='\u{1EF9}' => 'y',
        // Lower case first: the Latin table has some small letters whose capitals it lacks
        // (`ş` but not `Ş`).
        c => nucleo_matcher::chars::normalize(nucleo_matcher::chars::to_lower_case(c)),
    };
    nucleo_matcher::chars::to_lower_case(c)
}

/// `s` folded, appended to `out`.
pub fn fold_into(s: &str, out: &mut String) {
    out.extend(s.chars().map(fold_char));
}

pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// The digits of a phone number, however it is written.
pub fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_case_and_dotted_capitals_fold() {
        assert_eq!(fold("Araújo"), "araujo");
        assert_eq!(fold("İbrahim Şahin"), "ibrahim sahin");
        assert_eq!(
            fold("MÜLLER Søren Łukasz Dvořák Núñez Nguyễn"),
            "muller soren lukasz dvorak nunez nguyen"
        );
        assert_eq!(fold("Анна"), "анна");
        assert_eq!(fold("Zoë").chars().count(), "Zoë".chars().count());
        assert_eq!(digits("+1 (617) 555-0106"), "16175550106");
    }
}
