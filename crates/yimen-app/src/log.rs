//! What a log line may hold: runs of digits masked, so no ID number, phone or bank card ever
//! reaches a log (the binary's log writer applies this to every line).

/// Whether `run` is a date, optionally with its time: `2026-11-30`, `2026-11-30 09`,
/// `2026-11-30 09:05` or `2026-11-30 09:05:03` (a space or `T` between).
fn is_date_time(run: &str) -> bool {
    let Some(day) = run.get(..10) else { return false };
    if !day.chars().all(|c| c.is_ascii_digit() || c == '-') || yimen_domain::calendar::parse_date(day).is_none() {
        return false;
    }
    let rest = &run[10..];
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T')) else { return false };
    let parts: Vec<&str> = time.split(':').collect();
    parts.len() <= 3 && parts.iter().all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()))
}

/// A digit as someone may type one: a decimal digit of any script (General_Category Nd: an
/// input method types full-width ones, ４３０８…), a circled or other single-digit number
/// (No: ④③⓪), or a Chinese numeral (〇一二三四五六七八九).
fn is_digit(c: char) -> bool {
    use icu_properties::CodePointMapData;
    use icu_properties::props::GeneralCategory;
    let cat = CodePointMapData::<GeneralCategory>::new().get(c);
    cat == GeneralCategory::DecimalNumber
        || (cat == GeneralCategory::OtherNumber && !matches!(c, '¼'..='¾' | '⅐'..='⅞'))
        || "〇一二三四五六七八九".contains(c)
}

/// What may stand between the digits of one number: spaces of any kind, punctuation people
/// group digits with (`- . / , | ; : _`, full-width and ideographic ones too) and characters
/// that show nothing (zero-width spaces, joiners). Up to two in a row.
fn is_sep(c: char) -> bool {
    use icu_properties::CodePointSetData;
    use icu_properties::props::{DefaultIgnorableCodePoint, WhiteSpace};
    matches!(c, '-' | '.' | '/' | ',' | '|' | ';' | ':' | '_' | '，' | '、' | '．' | '／' | '－' | '：' | '；' | '·')
        || CodePointSetData::new::<WhiteSpace>().contains(c)
        || CodePointSetData::new::<DefaultIgnorableCodePoint>().contains(c)
}

/// Masks every run of six or more digits (an ID number, a phone or a bank card typed where a
/// ticket was expected), in any script's digits, also when typed in groups (`4308 2219 …`,
/// `138-1234-1234`, `138.1234.1234`) and with a trailing ID check letter X: a log never holds
/// personal numbers, whatever a refusal quotes.
pub fn mask_digit_runs(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if !is_digit(chars[i]) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run: digits, single separators between digits, and a final X.
        let start = i;
        let mut digits = 0;
        let mut end = i;
        while end < chars.len() {
            if is_digit(chars[end]) {
                digits += 1;
                end += 1;
            } else if is_sep(chars[end]) && end + 1 < chars.len() && is_digit(chars[end + 1]) {
                end += 1;
            } else if is_sep(chars[end]) && end + 2 < chars.len() && is_sep(chars[end + 1]) && is_digit(chars[end + 2])
            {
                end += 2;
            } else {
                break;
            }
        }
        if digits >= 6 && end < chars.len() && matches!(chars[end], 'X' | 'x') {
            end += 1;
        }
        // Kept: an IPv4 address (where a sign-in came from) and a date, or a date and its hour
        // (`2026-11-30 09`): they are the log's own facts, not a citizen's.
        let run: String = chars[start..end].iter().collect();
        let address = run.parse::<std::net::Ipv4Addr>().is_ok();
        let date = is_date_time(&run);
        let mask = digits >= 6 && !address && !date;
        for &c in &chars[start..end] {
            out.push(if mask && !is_sep(c) { '*' } else { c });
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn personal_numbers_never_reach_the_log() {
        let m = super::mask_digit_runs;
        assert_eq!(m("no ticket 430822195602294056"), "no ticket ******************");
        assert_eq!(m("id 43082219560229405X!"), "id ******************!");
        assert_eq!(m("phone 13812341234, ticket 12345"), "phone ***********, ticket 12345");
        assert_eq!(m("show ４３０８２２１９５６"), "show **********", "full-width digits too");
        for typed in [
            "4308/2219/5602/2940/56",
            "138/1234/1234",
            "138,1234,1234",
            "138|1234|1234",
            "138;1234;1234",
            "138:1234:1234",
            "138\t1234\t1234",
            "138  1234  1234",
            "138，1234，1234",
            "4\u{200B}3\u{200B}0\u{200B}8\u{200B}2\u{200B}2\u{200B}1",
            "四三〇八二二一九五六",
            "④③⓪⑧②②①⑨",
            "138_1234_1234",
        ] {
            let out = m(&format!("refused: 「{typed}」"));
            assert!(
                out.chars().filter(char::is_ascii_digit).count() == 0 && !out.contains('四') && !out.contains('④'),
                "{typed} → {out}"
            );
        }
        assert_eq!(m("「4308 2219 5602 2940 56」"), "「**** **** **** **** **」", "grouped digits too");
        assert_eq!(m("138-1234-1234 and 138.1234.1234"), "***-****-**** and ***.****.****");
        assert_eq!(m("A012 at 09:00, window 3"), "A012 at 09:00, window 3", "short runs stay");
        assert_eq!(m("sign-in from 192.168.1.20: ok"), "sign-in from 192.168.1.20: ok", "addresses stay");
        assert_eq!(m("138.123.412.34"), "***.***.***.**", "not an address: 412 is no octet");
        assert_eq!(m("at 2026-11-30 09:00:00"), "at 2026-11-30 09:00:00", "dates and times stay");
        assert_eq!(m("①②③④⑤⑥ ½"), "****** ½", "circled digits count as digits; a fraction does not");
    }
}
