//! Small helpers: deterministic and random generators, Okta-style ids, hashing.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// Base62 in ASCII order, so fixed-width encodings sort like the numbers they encode.
pub const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const URLSAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// SplitMix64: tiny deterministic PRNG for fixtures and generated users.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform-ish in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Mixes one value (stateless SplitMix64 step).
pub fn mix(x: u64) -> u64 {
    SplitMix64(x).next_u64()
}

/// Non-deterministic 64-bit value (per-process random seed + counter); for request ids, tokens.
pub fn random_u64() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = *SEED.get_or_init(|| {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0),
        );
        h.finish()
    });
    mix(seed ^ mix(COUNTER.fetch_add(1, Ordering::Relaxed)))
}

/// Random string over an alphabet.
fn random_from(alphabet: &[u8], len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut bits = 0u64;
    for i in 0..len {
        if i % 8 == 0 {
            bits = random_u64();
        }
        out.push(alphabet[(bits & 0xff) as usize % alphabet.len()] as char);
        bits >>= 8;
    }
    out
}

/// `X-Okta-Request-Id` in the 2025+ format: 32 lower-case hex characters.
pub fn request_id() -> String {
    format!("{:016x}{:016x}", random_u64(), random_u64())
}

/// `errorId`: `oae` followed by 22 URL-safe base64 characters.
pub fn error_id() -> String {
    format!("oae{}", random_from(URLSAFE, 22))
}

/// Random base62 token (activation tokens, reset tokens, temp passwords).
pub fn token(len: usize) -> String {
    random_from(BASE62, len)
}

/// Fixed-width base62 encoding (most significant digit first).
pub fn base62_fixed(mut n: u64, width: usize) -> String {
    let mut buf = vec![b'0'; width];
    for slot in buf.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// An Okta-looking id: 3-char prefix + 17 base62 chars (20 in total), e.g. `00ue0000042Xy7Qa8f7`.
///
/// Layout after the prefix: `era` (1) + sequence (7, fixed width) + salt (6) + org suffix (3).
/// Ids of one era therefore sort by creation sequence, and the eras sort
/// fixtures (`e`) < generated (`q`) < created through the API (`v`), which keeps
/// listing order equal to creation order and cursors stable under inserts.
pub fn make_id(prefix: &str, era: char, seq: u64, salt: u64) -> String {
    let noise = mix(salt ^ seq.wrapping_mul(0x2545_F491_4F6C_DD1D)) % 56_800_235_584; // 62^6
    format!("{prefix}{era}{}{}8f7", base62_fixed(seq, 7), base62_fixed(noise, 6))
}

/// 64 hex chars of a non-cryptographic 256-bit digest (for weak ETags).
pub fn digest_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    for lane in 0..4u64 {
        // FNV-1a with a lane-specific offset, then a final mix.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ mix(lane + 1);
        for &b in data {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
        out.push_str(&format!("{:016x}", mix(h)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_sequence_and_era() {
        let a = make_id("00u", 'e', 5, 1);
        let b = make_id("00u", 'e', 6, 1);
        let c = make_id("00u", 'q', 0, 1);
        let d = make_id("00u", 'v', 0, 1);
        assert_eq!(a.len(), 20);
        assert!(a < b && b < c && c < d);
        assert!(a.starts_with("00ue") && a.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(make_id("00u", 'e', 5, 1), a);
    }

    #[test]
    fn random_formats() {
        let r = request_id();
        assert_eq!(r.len(), 32);
        assert!(r.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let e = error_id();
        assert_eq!(e.len(), 25);
        assert!(e.starts_with("oae"));
        assert_ne!(request_id(), r);
        assert_eq!(digest_hex(b"x").len(), 64);
        assert_eq!(digest_hex(b"x"), digest_hex(b"x"));
    }
}
