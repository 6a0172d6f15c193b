#include <vector>

// Each call(...) is one call of count_pairs_with_sum(values, target).
template <class Call>
void perforch_inputs(Call&& call) {
    call(std::vector<int>{}, 0);              // edge case: nothing to pair
    call(std::vector<int>{1, 5, 7, -1, 5}, 6);
    call(std::vector<int>{3, 3, 3, 3}, 6);    // every pair counts
    perforch::Random rng(42);                 // fixed seed: the same cases on every run
    call(rng.integers<int>(3000, -500, 500), 17);
    call(rng.integers<int>(2000, -2147483647, 2147483647), 0);  // no overflow in the sum
}
