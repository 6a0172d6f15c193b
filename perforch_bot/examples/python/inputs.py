import random

_rng = random.Random(42)

# Each entry is one call: a tuple of the function's arguments.
INPUTS = [
    ([],),
    ([3, 1, 3, 2, 1],),
    ([_rng.randrange(400) for _ in range(2000)],),
    (["a", "b", "a", "c"],),
]
