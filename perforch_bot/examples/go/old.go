package ids

// CommonIDs returns the IDs that are in both a and b, once each, in the order they first
// appear in a.
func CommonIDs(a, b []int64) []int64 {
	common := []int64{}
	for _, id := range a {
		inB := false
		for _, other := range b {
			if other == id {
				inB = true
				break
			}
		}
		if !inB {
			continue
		}
		repeated := false
		for _, kept := range common {
			if kept == id {
				repeated = true
				break
			}
		}
		if !repeated {
			common = append(common, id)
		}
	}
	return common
}
