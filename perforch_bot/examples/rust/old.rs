use std::collections::HashSet;

/// The IDs of `expected` that do not occur in `scanned`, in `expected`'s order.
pub fn missing_ids(expected: &[u32], scanned: &[u32]) -> Vec<u32> {
    let mut missing = Vec::new();
    for id in expected {
        if !scanned.contains(id) {
            missing.push(*id);
        }
    }
    missing
}
