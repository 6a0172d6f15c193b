package ids

import "math/rand"

// Each case is one call of CommonIDs(a, b []int64).
func perforchInputs() [][]any {
	rng := rand.New(rand.NewSource(42)) // fixed seed: old and new see the same inputs
	a := make([]int64, 3000)
	for i := range a {
		a[i] = rng.Int63n(5000)
	}
	b := make([]int64, 2000)
	for i := range b {
		b[i] = rng.Int63n(5000)
	}
	return [][]any{
		{nil, nil},
		{[]int64{3, 1, 3, 2}, []int64{2, 3, 3}},
		{[]int64{1, 2}, []int64{}},
		{a, b},
	}
}
