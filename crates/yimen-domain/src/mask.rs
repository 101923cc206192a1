//! Masking of personal data for every view outside the case detail.

/// 430822194503153325 → 430822********3325.
pub fn id_number(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() < 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// 13812341234 → 138****1234; 0744-6221234 → 0744-***1234.
pub fn phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if let Some(dash) = s.find('-') {
        let (area, local) = s.split_at(dash + 1);
        let local: Vec<char> = local.chars().collect();
        let keep = local.len().min(4);
        let tail: String = local[local.len() - keep..].iter().collect();
        return format!("{area}{}{tail}", "*".repeat(local.len() - keep));
    }
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// 张三 → 张*, 张小明 → 张*明, 阿依古丽·买买提 → 阿依古丽·**.
pub fn name(s: &str) -> String {
    if let Some((given, family)) = s.split_once('·') {
        return format!("{given}·{}", "*".repeat(family.chars().count().min(4)));
    }
    let chars: Vec<char> = s.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A name as the hall's public board may show it: the first and the last character with one
/// `*` between (张*英), a two-character name as 张*; a name in parts (阿依古丽·买买提) is
/// treated as one, so no part shows whole. Never longer than three characters.
pub fn public_name(s: &str) -> String {
    let chars: Vec<char> = s.chars().filter(|c| *c != '·' && !c.is_whitespace()).collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_string(),
        2 => format!("{}*", chars[0]),
        n => format!("{}*{}", chars[0], chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn masks() {
        assert_eq!(super::id_number("430822194503153325"), "430822********3325");
        assert_eq!(super::phone("13812341234"), "138****1234");
        assert_eq!(super::phone("0744-6221234"), "0744-***1234");
        assert_eq!(super::name("张小明"), "张*明");
        assert_eq!(super::name("张三"), "张*");
        assert_eq!(super::name("阿依古丽·买买提"), "阿依古丽·***");
        assert_eq!(super::name("𠈌"), "*");
        assert_eq!(super::public_name("张小明"), "张*明");
        assert_eq!(super::public_name("欧阳小明"), "欧*明");
        assert_eq!(super::public_name("阿依古丽·买买提"), "阿*提");
        assert_eq!(super::public_name("张三"), "张*");
    }
}
