"""Password hashes with the standard library's scrypt: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>``.

The cost parameters travel inside each hash, so stronger settings apply to new hashes without
invalidating old ones, and tests can use cheap hashes through the same code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from pipeline.console.errors import AccountsError

DEFAULT_N = 2**14  # 16 MiB of memory and ~50 ms per check: cheap for a login, costly for a guesser
DEFAULT_R = 8
DEFAULT_P = 1
_DKLEN = 32
_MAXMEM = 64 * 1024 * 1024


@dataclass(frozen=True)
class ScryptHash:
    n: int
    r: int
    p: int
    salt: bytes
    digest: bytes

    def encode(self) -> str:
        b64 = base64.b64encode
        return f"scrypt${self.n}${self.r}${self.p}${b64(self.salt).decode()}${b64(self.digest).decode()}"

    @classmethod
    def decode(cls, text: str) -> ScryptHash:
        parts = text.split("$")
        if len(parts) != 6 or parts[0] != "scrypt":
            raise AccountsError("password_hash must look like scrypt$n$r$p$salt$hash")
        try:
            n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
            salt, digest = (
                base64.b64decode(parts[4], validate=True),
                base64.b64decode(parts[5], validate=True),
            )
        except ValueError as exc:
            raise AccountsError(f"password_hash is malformed: {exc}") from None
        if n < 2 or n & (n - 1) or r < 1 or p < 1 or len(salt) < 8 or len(digest) < 16:
            raise AccountsError("password_hash has unusable scrypt parameters")
        return cls(n, r, p, salt, digest)


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=_MAXMEM)


def hash_password(password: str, *, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    salt = secrets.token_bytes(16)
    return ScryptHash(n, r, p, salt, _derive(password, salt, n, r, p, _DKLEN)).encode()


def verify_password(password: str, hashed: ScryptHash) -> bool:
    candidate = _derive(password, hashed.salt, hashed.n, hashed.r, hashed.p, len(hashed.digest))
    return hmac.compare_digest(candidate, hashed.digest)
