#include <cstddef>
#include <unordered_map>
#include <vector>

// Number of index pairs i < j with values[i] + values[j] == target.
long long count_pairs_with_sum(const std::vector<int>& values, int target) {
    long long pairs = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        for (std::size_t j = i + 1; j < values.size(); ++j) {
            if (static_cast<long long>(values[i]) + values[j] == target) {
                ++pairs;
            }
        }
    }
    return pairs;
}
