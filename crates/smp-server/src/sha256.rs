//! SHA-256 over `sha2`'s compression function. The `sha2` crate's `Digest`
//! API buffers through generic block-buffer code whose slicing keeps panic
//! paths (and with them `core::fmt`) in a Cortex-M image; the core only
//! needs to stream bytes in and take the digest out, so it buffers the
//! 64-byte block itself and calls `sha2::block_api::compress256`.

const BLOCK: usize = 64;

/// FIPS 180-4 §5.3.3: the initial hash value of SHA-256.
const INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// A SHA-256 being computed.
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    block: [u8; BLOCK],
    /// Bytes of `block` filled.
    fill: usize,
    /// Bytes hashed in all.
    len: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// A hash of no bytes yet.
    pub const fn new() -> Self {
        Sha256 {
            state: INITIAL,
            block: [0; BLOCK],
            fill: 0,
            len: 0,
        }
    }

    /// Hashes `data` after what came before; how the input is split into
    /// pieces does not change the digest.
    pub fn update(&mut self, mut data: &[u8]) {
        self.len = self.len.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            // Whole blocks straight from the input while nothing is buffered.
            if self.fill == 0 {
                if let Some((block, rest)) = data.split_first_chunk::<BLOCK>() {
                    sha2::block_api::compress256(&mut self.state, core::slice::from_ref(block));
                    data = rest;
                    continue;
                }
            }
            let free = self.block.get_mut(self.fill..).unwrap_or_default();
            let n = crate::bytes::copy(free, data);
            self.fill += n;
            data = data.get(n..).unwrap_or_default();
            if self.fill == BLOCK {
                sha2::block_api::compress256(&mut self.state, core::slice::from_ref(&self.block));
                self.fill = 0;
            }
        }
    }

    /// The digest (FIPS 180-4 §5.1.1 padding: 0x80, zeros, the bit length).
    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        self.update(&[0x80]);
        while self.fill != BLOCK - 8 {
            self.update(&[0]);
        }
        self.update(&bits.to_be_bytes());
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            crate::bytes::copy(chunk, &word.to_be_bytes());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::Digest as _;

    fn theirs(data: &[u8]) -> [u8; 32] {
        sha2::Sha256::digest(data).into()
    }

    #[test]
    fn matches_sha2_for_every_length_around_the_block_boundaries() {
        let data: Vec<u8> = (0..300u32).map(|i| (i * 31 + 7) as u8).collect();
        for len in 0..data.len() {
            let mut ours = Sha256::new();
            ours.update(&data[..len]);
            assert_eq!(ours.finalize(), theirs(&data[..len]), "{len} bytes");
        }
    }

    #[test]
    fn pieces_of_any_size_give_the_digest_of_the_whole() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i ^ (i >> 3)) as u8).collect();
        for piece in [1, 7, 63, 64, 65, 200] {
            let mut ours = Sha256::new();
            data.chunks(piece).for_each(|p| ours.update(p));
            assert_eq!(ours.finalize(), theirs(&data), "pieces of {piece}");
        }
    }

    #[test]
    fn abc_is_the_fips_180_example() {
        let mut ours = Sha256::new();
        ours.update(b"abc");
        assert_eq!(
            ours.finalize()[..4],
            [0xba, 0x78, 0x16, 0xbf],
            "FIPS 180-2 appendix B.1"
        );
    }
}
