package ids

// CommonIDs returns the IDs that are in both a and b, once each, in the order they first
// appear in a.
func CommonIDs(a, b []int64) []int64 {
	common := []int64{}
	inB := make(map[int64]bool, len(b))
	for _, id := range b {
		inB[id] = true
	}
	for _, id := range a {
		if inB[id] {
			common = append(common, id)
			delete(inB, id) // keep each ID once
		}
	}
	return common
}
