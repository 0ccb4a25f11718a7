"""Near-duplicate group names: "The Walsall Deaf Forum Ltd." and "walsall deaf forum" are the same group."""

import re
from difflib import SequenceMatcher

# Words that say nothing about which group it is.
_NOISE_WORDS = {"the", "ltd", "limited", "cic", "cio", "plc", "llp", "inc", "co", "uk", "charity", "trust"}


def match_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower().replace("&", " and ")).split()
    key = " ".join(word for word in words if word not in _NOISE_WORDS)
    return key or " ".join(words)


def similar(key_a: str, key_b: str, threshold: float = 0.88) -> bool:
    return key_a == key_b or SequenceMatcher(None, key_a, key_b).ratio() >= threshold
