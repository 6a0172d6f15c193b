package kernel

import "math/rand"

// One call of Kernel(xs []uint64): 256 fixed numbers below 2^30.
func perforchInputs() [][]any {
	rng := rand.New(rand.NewSource(1)) // fixed seed: the same numbers on every run
	xs := make([]uint64, 256)
	for i := range xs {
		xs[i] = uint64(rng.Int63n(1 << 30))
	}
	return [][]any{{xs}}
}
