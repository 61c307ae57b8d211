"""Where image bytes live: content-addressed by SHA-256, written atomically.

`Storage` is the contract (an S3-compatible backend would implement the same
five methods); `FileSystemStorage` is the default, rooted at TOURISM_MEDIA_ROOT.
The same bytes uploaded twice are stored once. A file appears under its final
name only complete: it is written to a temporary file in the same folder,
flushed to disk, then renamed.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from abc import ABC, abstractmethod
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f]{64}\Z")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,120}\Z")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MissingBlob(KeyError):
    """No original is stored under this key."""


class Storage(ABC):
    """The contract `tests/media/test_storage_contract.py` checks on every backend.

    Keys are SHA-256 hex digests of the original's bytes; derivative names are short
    lowercase file names (`thumb.webp`, IIIF cache names). Anything else is a ValueError,
    so a key or name from a request can never reach outside the store."""

    @abstractmethod
    def put_original(self, data: bytes) -> str:
        """Store bytes once; returns their SHA-256, the key."""

    @abstractmethod
    def get_original(self, key: str) -> bytes:
        """The original's bytes; MissingBlob when none is stored under `key`."""

    @abstractmethod
    def has_original(self, key: str) -> bool: ...

    @abstractmethod
    def put_derivative(self, key: str, name: str, data: bytes) -> None: ...

    @abstractmethod
    def get_derivative(self, key: str, name: str) -> bytes | None: ...

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove an original and all its derivatives."""


class FileSystemStorage(Storage):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @staticmethod
    def _check_key(key: str) -> str:
        if not _KEY.match(key):
            raise ValueError("not a storage key")
        return key

    def _original_path(self, key: str) -> Path:
        key = self._check_key(key)
        return self.root / "originals" / key[:2] / key[2:4] / key

    def _derivative_path(self, key: str, name: str) -> Path:
        if not _NAME.match(name):
            raise ValueError(f"bad derivative name {name!r}")
        return self.root / "derivatives" / self._check_key(key)[:2] / key / name

    @staticmethod
    def _write_atomically(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    def put_original(self, data: bytes) -> str:
        key = sha256(data)
        path = self._original_path(key)
        if not path.exists():
            self._write_atomically(path, data)
        return key

    def get_original(self, key: str) -> bytes:
        try:
            return self._original_path(key).read_bytes()
        except FileNotFoundError as exc:
            raise MissingBlob(key) from exc

    def has_original(self, key: str) -> bool:
        return self._original_path(key).exists()

    def put_derivative(self, key: str, name: str, data: bytes) -> None:
        self._write_atomically(self._derivative_path(key, name), data)

    def get_derivative(self, key: str, name: str) -> bytes | None:
        path = self._derivative_path(key, name)
        return path.read_bytes() if path.exists() else None

    def delete(self, key: str) -> None:
        self._original_path(key).unlink(missing_ok=True)
        folder = self.root / "derivatives" / self._check_key(key)[:2] / key
        if folder.exists():
            for item in folder.iterdir():
                item.unlink()
            folder.rmdir()


def open_storage(url_or_path: str) -> Storage:
    """The storage named by TOURISM_MEDIA_ROOT (a folder; s3:// is left for later)."""
    if url_or_path.startswith("s3://"):
        raise ValueError("S3 storage is not implemented yet; use a folder")
    return FileSystemStorage(url_or_path.removeprefix("file://"))
