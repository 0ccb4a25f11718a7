"""Small rules of written English for messages built around what people typed or counted."""

TERMINAL = (".", "!", "?", "…")


def sentence(text: str) -> str:
    """`text` ended with a full stop, unless it already ends a sentence: "Added Walsall Ltd." not "Ltd.."."""
    text = text.rstrip()
    return text if text.endswith(TERMINAL) else f"{text}."


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 item", "2 items", "1,200 groups": a count and the word that agrees with it."""
    word = one if count == 1 else (many or f"{one}s")
    return f"{count:,} {word}"


def agrees(count: int, one: str, many: str) -> str:
    """The verb that agrees with a count: agrees(1, "matches", "match") is "matches"."""
    return one if count == 1 else many
