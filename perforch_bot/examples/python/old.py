def dedupe(items):
    """Return the items without repeats, in order of first occurrence."""
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
