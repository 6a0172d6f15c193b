def dedupe(items):
    """Return the items without repeats, in order of first occurrence."""
    return list(dict.fromkeys(items))
