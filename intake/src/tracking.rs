//! Tracking numbers and access keys.
//!
//! A tracking number is `<TS|YY|JB|JY>-<YYYYMMDD>-<6-digit sequence>-<check character>`
//! (投诉 TS, 异议 YY, 举报 JB, 建议 JY). The check character is a position-weighted sum modulo
//! the prime 31 over a 31-symbol alphabet (digits and 21 capital letters, without the easily
//! confused I, O, U, V, Z), in the manner of ISO 7064's pure systems. Because 31 is prime, every
//! symbol value is below 31 and the weights 1, 2, …, 17 are distinct and non-zero modulo 31:
//! - a single substitution changes the sum by (a − b)·wᵢ ≢ 0, and
//! - swapping neighbours changes it by (a − b)·(wᵢ − wᵢ₊₁) = ±(a − b) ≢ 0,
//!
//! so both are always caught, the check character itself included (it carries weight 17).
//! A mistyped character outside the alphabet is caught by the alphabet.
//!
//! The access key is 128 bits from the operating system's random source, shown once as 26
//! Crockford base32 characters, stored only as an argon2id hash and checked with argon2's
//! constant-time verification.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::NaiveDate;
use rand::RngCore;

use crate::config::AccessKeyHash;

/// The 31 symbols, in value order.
pub const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRSTWXY";
const MODULUS: u32 = 31;

fn value(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for `body` (the number without hyphens and without its check
/// character), or `None` if `body` holds a symbol outside the alphabet or is too long.
pub fn check_char(body: &str) -> Option<char> {
    let bytes = body.as_bytes();
    if bytes.len() + 1 >= MODULUS as usize {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in bytes.iter().enumerate() {
        sum = (sum + value(c)? * (i as u32 + 1)) % MODULUS;
    }
    // Find c with sum + c·w ≡ 0 (mod 31), w the check character's weight.
    let w = bytes.len() as u32 + 1;
    (0..MODULUS)
        .find(|c| (sum + c * w).is_multiple_of(MODULUS))
        .map(|c| ALPHABET[c as usize] as char)
}

/// Whether a compact number (no hyphens, check character last) is consistent.
pub fn is_consistent(compact: &str) -> bool {
    let Some((body, last)) = compact.len().checked_sub(1).map(|n| compact.split_at(n)) else {
        return false;
    };
    check_char(body).is_some_and(|c| last.len() == 1 && last.starts_with(c))
}

/// What a case is, as the public names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseKind {
    Complaint,
    Objection,
    Report,
    Suggestion,
}

impl CaseKind {
    pub const ALL: [CaseKind; 4] = [
        CaseKind::Complaint,
        CaseKind::Objection,
        CaseKind::Report,
        CaseKind::Suggestion,
    ];

    pub fn key(self) -> &'static str {
        match self {
            CaseKind::Complaint => "complaint",
            CaseKind::Objection => "objection",
            CaseKind::Report => "report",
            CaseKind::Suggestion => "suggestion",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseKind::Complaint => "投诉",
            CaseKind::Objection => "异议",
            CaseKind::Report => "举报",
            CaseKind::Suggestion => "建议",
        }
    }

    /// The tracking number prefix (initials of the pinyin).
    pub fn prefix(self) -> &'static str {
        match self {
            CaseKind::Complaint => "TS",
            CaseKind::Objection => "YY",
            CaseKind::Report => "JB",
            CaseKind::Suggestion => "JY",
        }
    }

    pub fn from_key(key: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.key() == key)
    }

    pub fn from_prefix(prefix: &str) -> Option<CaseKind> {
        CaseKind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TrackingNumber {
    pub kind: CaseKind,
    pub date: NaiveDate,
    /// 1..=999999 within the day.
    pub seq: u32,
}

impl TrackingNumber {
    pub fn new(kind: CaseKind, date: NaiveDate, seq: u32) -> Option<TrackingNumber> {
        (1..=999_999)
            .contains(&seq)
            .then_some(TrackingNumber { kind, date, seq })
    }

    fn body(&self) -> String {
        format!(
            "{}{}{:06}",
            self.kind.prefix(),
            self.date.format("%Y%m%d"),
            self.seq
        )
    }

    pub fn check(&self) -> char {
        check_char(&self.body()).expect("prefixes and digits are in the alphabet")
    }
}

impl fmt::Display for TrackingNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:06}-{}",
            self.kind.prefix(),
            self.date.format("%Y%m%d"),
            self.seq,
            self.check()
        )
    }
}

impl FromStr for TrackingNumber {
    type Err = ();

    /// Accepts the number as printed, in any case, with or without hyphens and spaces.
    fn from_str(s: &str) -> Result<TrackingNumber, ()> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | '－'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if compact.len() != 17 || !compact.is_ascii() || !is_consistent(&compact) {
            return Err(());
        }
        let kind = CaseKind::from_prefix(&compact[0..2]).ok_or(())?;
        let date = NaiveDate::parse_from_str(&compact[2..10], "%Y%m%d").map_err(|_| ())?;
        let digits = &compact[10..16];
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        let seq = digits.parse().map_err(|_| ())?;
        TrackingNumber::new(kind, date, seq).ok_or(())
    }
}

/// Crockford's base32: no I, L, O, U, so a key read aloud or retyped survives.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A fresh access key: 128 random bits from the OS, as 26 base32 characters in groups of four.
pub fn new_access_key() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let n = u128::from_be_bytes(bytes);
    let chars: Vec<u8> = (0..26)
        .rev()
        .map(|i| CROCKFORD[((n >> (i * 5)) & 31) as usize])
        .collect();
    chars
        .chunks(4)
        .map(|c| std::str::from_utf8(c).expect("ascii"))
        .collect::<Vec<_>>()
        .join("-")
}

/// The canonical form of a typed key: separators dropped, upper case, Crockford's look-alikes
/// (O → 0, I and L → 1) mapped.
pub fn normalize_key(key: &str) -> String {
    key.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

fn argon2(params: &AccessKeyHash) -> Argon2<'static> {
    let p = Params::new(params.memory_kib, params.iterations, 1, None)
        .expect("config checks the parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, p)
}

/// The argon2id PHC string of a key (salted; the only form in which a key is stored).
pub fn hash_key(key: &str, params: &AccessKeyHash) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2(params)
        .hash_password(normalize_key(key).as_bytes(), &salt)
        .expect("argon2 hashing with valid parameters does not fail")
        .to_string()
}

/// Constant-time check of a typed key against a stored hash (parameters come from the hash).
pub fn verify_key(key: &str, stored: &str) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default()
        .verify_password(normalize_key(key).as_bytes(), &hash)
        .is_ok()
}

/// A hash to verify against when the number is unknown, so that an unknown number costs the
/// same time as a wrong key.
pub fn dummy_hash(params: &AccessKeyHash) -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_key(&new_access_key(), params))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn format_and_round_trip() {
        let n = TrackingNumber::new(CaseKind::Complaint, d("2026-03-01"), 42).unwrap();
        let s = n.to_string();
        assert!(s.starts_with("TS-20260301-000042-"), "{s}");
        assert_eq!(s.parse::<TrackingNumber>(), Ok(n));
        assert_eq!(
            s.to_lowercase().replace('-', " ").parse::<TrackingNumber>(),
            Ok(n)
        );
        assert!(TrackingNumber::new(CaseKind::Report, d("2026-03-01"), 0).is_none());
        assert!(TrackingNumber::new(CaseKind::Report, d("2026-03-01"), 1_000_000).is_none());
    }

    /// Every single substitution and every swap of neighbours, over a sample of numbers of
    /// every kind, is rejected.
    #[test]
    fn catches_every_substitution_and_adjacent_swap() {
        let mut numbers = 0;
        let mut variants = 0;
        for kind in CaseKind::ALL {
            for (day, seq) in [
                ("2026-01-01", 1),
                ("2026-10-10", 999_999),
                ("2027-02-28", 123_456),
                ("2026-06-30", 500_070),
                ("2030-12-31", 98_765),
            ] {
                for bump in 0..40u32 {
                    let n = TrackingNumber::new(kind, d(day), (seq + bump * 7919) % 999_999 + 1)
                        .unwrap();
                    let compact = n.to_string().replace('-', "");
                    assert!(is_consistent(&compact));
                    numbers += 1;
                    let bytes = compact.as_bytes();
                    for i in 0..bytes.len() {
                        for &c in ALPHABET.iter() {
                            if c == bytes[i] {
                                continue;
                            }
                            let mut v = bytes.to_vec();
                            v[i] = c;
                            let v = String::from_utf8(v).unwrap();
                            assert!(!is_consistent(&v), "{compact} → {v} not caught");
                            variants += 1;
                        }
                        if i + 1 < bytes.len() && bytes[i] != bytes[i + 1] {
                            let mut v = bytes.to_vec();
                            v.swap(i, i + 1);
                            let v = String::from_utf8(v).unwrap();
                            assert!(!is_consistent(&v), "{compact} → {v} not caught");
                            variants += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(numbers, 800);
        assert!(variants > 400_000, "{variants}");
    }

    #[test]
    fn keys_are_random_and_verify() {
        let params = AccessKeyHash::default();
        let a = new_access_key();
        let b = new_access_key();
        assert_ne!(a, b);
        assert_eq!(normalize_key(&a).len(), 26);
        let h = hash_key(&a, &params);
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_key(&a, &h));
        assert!(verify_key(&a.to_lowercase().replace('-', ""), &h));
        assert!(!verify_key(&b, &h));
        assert!(!verify_key(&a, "not a hash"));
        assert!(!verify_key(&a, dummy_hash(&params)));
    }
}
