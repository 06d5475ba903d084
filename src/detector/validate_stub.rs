//! Temporary stand-in until validate.rs lands.
#![allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Validator {
    Luhn,
}
impl Validator {
    pub const ALL: &'static [Validator] = &[Validator::Luhn];
    pub fn from_name(name: &str) -> Option<Validator> {
        (name == "luhn").then_some(Validator::Luhn)
    }
    pub fn name(self) -> &'static str {
        "luhn"
    }
    pub fn is_valid(self, c: &[u8]) -> bool {
        let d: Vec<u32> = c
            .iter()
            .filter(|b| b.is_ascii_digit())
            .map(|b| u32::from(b - b'0'))
            .collect();
        let s: u32 = d
            .iter()
            .rev()
            .enumerate()
            .map(|(i, &x)| {
                if i % 2 == 1 {
                    let y = x * 2;
                    if y > 9 {
                        y - 9
                    } else {
                        y
                    }
                } else {
                    x
                }
            })
            .sum();
        d.len() >= 12 && s % 10 == 0
    }
    pub fn stdnum_module(self) -> Option<&'static str> {
        Some("stdnum.luhn")
    }
}
