#include <cstddef>
#include <unordered_map>
#include <vector>

// Number of index pairs i < j with values[i] + values[j] == target.
long long count_pairs_with_sum(const std::vector<int>& values, int target) {
    long long pairs = 0;
    std::unordered_map<long long, long long> seen;
    seen.reserve(values.size());
    for (int value : values) {
        auto match = seen.find(static_cast<long long>(target) - value);
        if (match != seen.end()) {
            pairs += match->second;
        }
        ++seen[value];
    }
    return pairs;
}
