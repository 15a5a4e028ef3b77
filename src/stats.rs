//! Running statistics: replicates are folded in as they finish, so memory does
//! not grow with their number, and the fold order is fixed, so the bytes
//! written do not depend on thread count.

/// Welford's running mean and variance. Non-finite values are skipped (a
/// ratio with nothing to divide, such as delivery in a week with no plan).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Running {
    pub n: u64,
    pub mean: f64,
    m2: f64,
}

impl Running {
    pub fn push(&mut self, value: f64) {
        if !value.is_finite() {
            return;
        }
        self.n += 1;
        let delta = value - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (value - self.mean);
    }

    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| self.m2 / (self.n - 1) as f64)
    }

    /// The mean, or `None` when nothing was recorded.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// The 95% confidence interval of the mean (Student's t), or `None` with
    /// fewer than two values.
    pub fn interval95(&self) -> Option<(f64, f64)> {
        let variance = self.variance()?;
        let half = t_975(self.n - 1) * (variance / self.n as f64).sqrt();
        Some((self.mean - half, self.mean + half))
    }
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom: exact table
/// values to 30, then the Cornish-Fisher expansion (error below 1e-4).
pub fn t_975(df: u64) -> f64 {
    const TABLE: [f64; 30] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281, 2.2010,
        2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860, 2.0796, 2.0739,
        2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => TABLE[df as usize - 1],
        _ => {
            let z: f64 = 1.959_963_985;
            let n = df as f64;
            z + (z.powi(3) + z) / (4.0 * n)
                + (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / (96.0 * n * n)
                + (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z)
                    / (384.0 * n.powi(3))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_matches_two_pass() {
        let values = [3.0, 1.5, 4.25, 9.0, -2.0, 0.5];
        let mut running = Running::default();
        values.iter().for_each(|&v| running.push(v));
        let mean = values.iter().sum::<f64>() / 6.0;
        let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 5.0;
        assert!((running.mean - mean).abs() < 1e-12);
        assert!((running.variance().unwrap() - variance).abs() < 1e-12);
    }

    #[test]
    fn t_quantile_continues_the_table() {
        assert!((t_975(31) - 2.0395).abs() < 1e-3);
        assert!((t_975(120) - 1.9799).abs() < 1e-3);
        assert!(t_975(1_000_000) > 1.9599 && t_975(1_000_000) < 1.9601);
    }
}
