#include <cstdint>
#include <vector>

// One call of kernel(xs): 256 fixed numbers below 2^30.
template <class Call>
void perforch_inputs(Call&& call) {
    perforch::Random rng(1);  // fixed seed: the same numbers on every run
    call(rng.integers<std::uint64_t>(256, 0, (1LL << 30) - 1));
}
