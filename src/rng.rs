//! Random streams: every draw comes from a ChaCha8 generator derived from
//! (scenario seed, replicate, purpose, index), so results do not depend on
//! thread count or on the order in which replicates finish.
//!
//! Workload (arrivals, capacity noise, unclear ownership) has purposes of its
//! own, separate from behaviour (triage and disclosure), so every arm of a replicate faces
//! the same workload and differences between arms are paired.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream is for. The discriminant is part of the seed: never reorder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// A leader's private arrivals and weekly capacity noise.
    Arrivals = 1,
    /// A project's weekly draw of unclear ownership.
    Ambiguity = 2,
    /// A leader's behaviour: triage, then disclosures to peers.
    Disclosure = 3,
    /// The generated organisation (replicate-independent).
    Organisation = 4,
    /// A sensitivity screening's design (index 0) and bootstrap (index 1).
    Sensitivity = 5,
}

/// The generator for (seed, replicate, purpose, index).
pub fn stream(seed: u64, replicate: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    ChaCha8Rng::from_seed(key(seed, replicate, purpose, index))
}

/// The generator's key for (seed, replicate, purpose, index).
fn key(seed: u64, replicate: u64, purpose: Purpose, index: u64) -> [u8; 32] {
    let mut state = seed ^ 0x6a09_e667_f3bc_c908;
    let mut key = [0u8; 32];
    let parts = [replicate, purpose as u64, index, seed];
    for (chunk, part) in key.chunks_exact_mut(8).zip(parts) {
        state = splitmix64(state ^ splitmix64(part));
        chunk.copy_from_slice(&state.to_le_bytes());
    }
    key
}

/// A stream at rest between weeks: its key and how far it has been read.
/// 48 bytes where the generator, with its buffer of four blocks, takes over
/// 300; an organisation of 100,000 leaders keeps two each. [`Stream::resume`]
/// gives the generator back at the same place, so the numbers are exactly
/// those of one generator read straight through.
#[derive(Debug, Clone)]
pub struct Stream {
    key: [u8; 32],
    /// Position in 32-bit words, as [`ChaCha8Rng::get_word_pos`] counts.
    word_pos: u128,
}

impl Stream {
    /// The stream for (seed, replicate, purpose, index), unread.
    pub fn new(seed: u64, replicate: u64, purpose: Purpose, index: u64) -> Stream {
        Stream {
            key: key(seed, replicate, purpose, index),
            word_pos: 0,
        }
    }

    /// The generator, where the stream was paused.
    #[inline]
    pub fn resume(&self) -> ChaCha8Rng {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        if self.word_pos != 0 {
            rng.set_word_pos(self.word_pos);
        }
        rng
    }

    /// Keeps how far `rng` (resumed from this stream) has read.
    #[inline]
    pub fn pause(&mut self, rng: &ChaCha8Rng) {
        self.word_pos = rng.get_word_pos();
    }

    /// How many 32-bit words have been read.
    pub fn word_pos(&self) -> u128 {
        self.word_pos
    }
}

/// SplitMix64's finaliser: a bijective mix, so distinct inputs stay distinct.
fn splitmix64(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, RngExt};

    #[test]
    fn streams_differ_by_each_component() {
        let base = stream(1, 2, Purpose::Arrivals, 3).next_u64();
        assert_ne!(base, stream(2, 2, Purpose::Arrivals, 3).next_u64());
        assert_ne!(base, stream(1, 3, Purpose::Arrivals, 3).next_u64());
        assert_ne!(base, stream(1, 2, Purpose::Disclosure, 3).next_u64());
        assert_ne!(base, stream(1, 2, Purpose::Arrivals, 4).next_u64());
        assert_eq!(base, stream(1, 2, Purpose::Arrivals, 3).next_u64());
    }

    #[test]
    fn a_paused_stream_resumes_where_it_stopped() {
        let mut straight = stream(5, 6, Purpose::Disclosure, 7);
        let mut paused = Stream::new(5, 6, Purpose::Disclosure, 7);
        // Reads of odd lengths, so that pauses fall inside a block.
        for length in [1usize, 3, 17, 64, 5, 130, 2] {
            let mut rng = paused.resume();
            let mut resumed = vec![0u64; length];
            rng.fill(&mut resumed[..]);
            let extra: u32 = rng.next_u32();
            paused.pause(&rng);
            let mut expected = vec![0u64; length];
            straight.fill(&mut expected[..]);
            assert_eq!(resumed, expected);
            assert_eq!(extra, straight.next_u32());
        }
        assert_eq!(paused.word_pos(), straight.get_word_pos());
    }
}
