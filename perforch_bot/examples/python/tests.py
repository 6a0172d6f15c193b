assert dedupe([]) == []  # noqa: F821
assert dedupe([1, 1, 1]) == [1]  # noqa: F821
assert dedupe([3, 1, 3, 2, 1]) == [3, 1, 2]  # noqa: F821
