//! Hex text of bytes, and random hex from the OS: session tokens, idempotency keys.

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `N` random bytes from the operating system, as hex.
pub fn random_hex<const N: usize>() -> Result<String, getrandom::Error> {
    let mut raw = [0u8; N];
    getrandom::fill(&mut raw)?;
    Ok(hex(&raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_random_keys() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        let (a, b) = (random_hex::<16>().expect("randomness"), random_hex::<16>().expect("randomness"));
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
