"""Password hashing (argon2-cffi) and the password policy (length and zxcvbn's guessability check)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
_hasher = PasswordHasher()
# Only for the test suite: the same algorithm with the smallest cost.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def _current_hasher() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _hasher


def hash_password(password: str) -> str:
    return _current_hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A stand-in hash to verify against when the email is unknown, so both paths take the same time.
def dummy_verify(password: str) -> None:
    verify_password(_dummy_hash(), password)


_dummy = {}


def _dummy_hash() -> str:
    if "hash" not in _dummy:
        _dummy["hash"] = _current_hasher().hash("not-a-real-password-for-timing")
    return _dummy["hash"]


def password_problem(password: str, user_inputs=()) -> str | None:
    """Why this password is not acceptable, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    lowered = password.lower()
    if any(len(value) >= 4 and value.lower() in lowered for value in user_inputs if value):
        return "Password must not include your name or email address"
    result = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if result["score"] < 3:
        return "Password is too common or too easy to guess. Try three or four unrelated words"
    return None
