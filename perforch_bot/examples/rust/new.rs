use std::collections::HashSet;

/// The IDs of `expected` that do not occur in `scanned`, in `expected`'s order.
pub fn missing_ids(expected: &[u32], scanned: &[u32]) -> Vec<u32> {
    let scanned: HashSet<u32> = scanned.iter().copied().collect();
    expected
        .iter()
        .copied()
        .filter(|id| !scanned.contains(id))
        .collect()
}
