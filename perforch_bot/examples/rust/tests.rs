#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_missing_ids() {
        assert_eq!(missing_ids(&[], &[]), Vec::<u32>::new());
        assert_eq!(missing_ids(&[1, 2, 3, 2], &[2]), vec![1, 3]);
        assert_eq!(missing_ids(&[7, 8], &[]), vec![7, 8]);
        assert_eq!(missing_ids(&[5, 6], &[6, 5, 4]), Vec::<u32>::new());
    }
}
