"""Password hashing with Argon2id (argon2-cffi); plain passwords are never stored or logged."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # Argon2id with the library's (RFC 9106 low-memory) defaults

MIN_LENGTH = 8


def hash_password(password: str) -> str:
    """Hash ``password``; raise ``ValueError`` when it is too short."""
    if len(password) < MIN_LENGTH:
        raise ValueError(f"密码至少 {MIN_LENGTH} 位 (password must have at least {MIN_LENGTH} characters)")
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
