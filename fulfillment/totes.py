"""Tote numbers and colours: each order of a wave gets one, shown on every line it owns."""

TOTE_COLOURS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "teal"]


def tote_colour(position: int) -> str:
    """Return the colour of tote ``position`` (1 is red, 2 blue ...)."""
    return TOTE_COLOURS[(max(position, 1) - 1) % len(TOTE_COLOURS)]


def tote_label(position: int) -> str:
    """Return how a tote is named on screen, e.g. 'tote 2 (blue)'."""
    return f"tote {position} ({tote_colour(position)})"
