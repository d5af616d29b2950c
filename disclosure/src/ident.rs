//! Identifiers with check characters (the personal-data guard that uses them is `guard`).
//!
//! - 统一社会信用代码 (GB 32100-2015): 18 characters, the last a mod-31 check character.
//! - 公民身份号码 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check digit.
//! - Bank card numbers: 16 to 19 digits passing the Luhn check.

const USCC_CHARS: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// The check character of the first 17 characters of a unified social credit code, or `None`
/// when one of them is outside the code's alphabet.
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (b, w) in bytes.iter().zip(USCC_WEIGHTS) {
        let v = USCC_CHARS
            .iter()
            .position(|c| c == &b.to_ascii_uppercase())? as u32;
        sum += v * w;
    }
    let c = (31 - sum % 31) % 31;
    Some(USCC_CHARS[c as usize] as char)
}

/// Why a unified social credit code is wrong, in words a content author can act on.
pub fn check_uscc(code: &str) -> Result<(), String> {
    if code.chars().count() != 18 {
        return Err(format!(
            "统一社会信用代码 \"{code}\" has {} characters; it must have 18",
            code.chars().count()
        ));
    }
    let upper = code.to_ascii_uppercase();
    if let Some(bad) = upper
        .chars()
        .find(|c| !USCC_CHARS.contains(&(*c as u8)) || !c.is_ascii())
    {
        return Err(format!(
            "统一社会信用代码 \"{code}\" contains '{bad}', which is not used in these codes (I, O, Z, S, V never are)"
        ));
    }
    let expected = uscc_check_char(&upper[..17]).expect("alphabet checked above");
    let actual = upper.chars().nth(17).expect("length checked above");
    if expected != actual {
        return Err(format!(
            "统一社会信用代码 \"{code}\" has check character '{actual}' but its first 17 characters give '{expected}' (GB 32100); check for a mistyped character"
        ));
    }
    Ok(())
}

/// Whether an 18-character string is a citizen id number with a valid GB 11643 check digit.
pub fn is_citizen_id(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

/// The Luhn check used by bank card numbers.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.bytes().rev().enumerate() {
        if !d.is_ascii_digit() {
            return false;
        }
        let mut v = u32::from(d - b'0');
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    !digits.is_empty() && sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uscc_check_characters() {
        // The published example code of GB 32100.
        assert_eq!(uscc_check_char("91350100M000100Y4"), Some('3'));
        assert!(check_uscc("91350100M000100Y43").is_ok());
        let err = check_uscc("91350100M000100Y44").unwrap_err();
        assert!(
            err.contains("check character '4'") && err.contains("give '3'"),
            "{err}"
        );
        assert!(check_uscc("91350100M000100Y4")
            .unwrap_err()
            .contains("17 characters"));
        assert!(check_uscc("91350100M000100I43")
            .unwrap_err()
            .contains("'I'"));
    }

    #[test]
    fn citizen_ids_and_luhn() {
        // 11010519491231002X is the standard's own example.
        assert!(is_citizen_id("11010519491231002X"));
        assert!(!is_citizen_id("110105194912310021"));
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
    }
}
