"""The seeded return reasons (SPEC 3): codes for programs, names for people."""

REASONS = [
    ("damaged", "Arrived damaged", False),
    ("defective", "Defective, does not work", False),
    ("wrong_item", "Wrong item sent", False),
    ("not_as_described", "Not as described", False),
    ("no_longer_needed", "No longer needed", False),
    ("other", "Other (say what)", True),
]
