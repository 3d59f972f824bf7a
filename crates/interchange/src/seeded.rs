//! A small seeded random number generator for the synthetic data sendplan makes for
//! demonstrations, benchmarks and tests, so that a run can be made again exactly.

/// SplitMix64 (Steele, Lea and Flood, 2014): small, fast, and good enough to shape
/// made-up records; not for anything secret.
pub struct Seeded(u64);

impl Seeded {
    pub fn new(seed: u64) -> Self {
        Seeded(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        (self.unit() * n as f64) as u64
    }

    /// One of `choices` by its weight.
    pub fn pick<'a, T>(&mut self, choices: &'a [(f64, T)]) -> &'a T {
        let total: f64 = choices.iter().map(|(w, _)| w).sum();
        let mut u = self.unit() * total;
        for (w, c) in choices {
            if u < *w {
                return c;
            }
            u -= w;
        }
        &choices[choices.len() - 1].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let (mut a, mut b) = (Seeded::new(7), Seeded::new(7));
        let first: Vec<u64> = (0..5).map(|_| a.below(100)).collect();
        assert_eq!(first, (0..5).map(|_| b.below(100)).collect::<Vec<_>>());
        assert!((0..1000).all(|_| a.unit() < 1.0));
        assert_eq!(*a.pick(&[(0.0, 'x'), (1.0, 'y')]), 'y');
    }
}
