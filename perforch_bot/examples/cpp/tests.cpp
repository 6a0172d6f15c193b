#include <cassert>

int main() {
    assert(count_pairs_with_sum({}, 4) == 0);
    assert(count_pairs_with_sum({1, 5, 7, -1, 5}, 6) == 3);
    assert(count_pairs_with_sum({3, 3, 3, 3}, 6) == 6);
    assert(count_pairs_with_sum({2147483647, 1, -2147483647}, 0) == 1);
}
