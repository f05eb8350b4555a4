"""The hall's data key: phone numbers sealed at rest.

A phone number is written to the store only sealed with the hall's data key
(Fernet from the `cryptography` package: AES-128-CBC and an HMAC-SHA256, a
fresh IV each time), so a copy of hall.db and its -wal file alone — a
backup, a disk sent for repair, a stolen box — holds no phone number. The key
lives in its own file, outside the database, readable by its owner only
(0600); `controller/store.py` seals and opens at its boundary, so everything
above the store works with the number itself.

The file holds one key a line, the newest first: sealing uses the first,
opening tries each in turn. A rotation (`rotate`) first writes the new key
in front of the old, then reseals every value in one transaction, then drops
the old key — stopped at any point, every value still opens.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

PREFIX = "enc1:"  # a sealed value; anything else in a sealed column is a value from before sealing
CHECK = "qms data key check"  # sealed into the store's meta table: a wrong key is found at start


def keep_owner(path: str, like: str) -> None:
    """Give `path` the owner of `like` when root can (a rotation run by root leaves the files the
    controller's user's); nothing otherwise."""
    try:
        st = os.stat(like)
        if os.geteuid() == 0 and (os.stat(path).st_uid, os.stat(path).st_gid) != (st.st_uid, st.st_gid):
            os.chown(path, st.st_uid, st.st_gid)
    except OSError:
        pass


class DataKeyError(Exception):
    """The key file is missing, unreadable, open to others, or not the key of this store."""


class DataKey:
    def __init__(self, keys: list[bytes], path: str | None = None):
        if not keys:
            raise DataKeyError(f"{path or 'data key'}: holds no key")
        self.keys, self.path = keys, path
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError:
            raise DataKeyError(f"{path or 'data key'}: not a data key (one url-safe base64 "
                               "32-byte key a line)") from None

    # --- the file ---------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str) -> "DataKey":
        """The key in `path`; DataKeyError when it is missing or others may read it."""
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            raise DataKeyError(f"data key {path} is missing: make it with scripts/make-hall-secrets.sh "
                               "(docs/operations.md, the threat model)") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise DataKeyError(f"data key {path} is readable by others (mode {stat.S_IMODE(mode):04o}): "
                               f"chmod 600 {path}")
        try:
            lines = Path(path).read_bytes().split()
        except OSError as exc:
            raise DataKeyError(f"data key {path}: {exc}") from None
        return cls(lines, path)

    @classmethod
    def make(cls, path: str) -> "DataKey":
        """A new key in a new file (0600); refuses to overwrite one."""
        key = Fernet.generate_key()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise DataKeyError(f"data key {path} exists already") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        return cls([key], path)

    def save(self) -> None:
        """Write the keys to this key's file in its place: a new file (0600) renamed over the old."""
        path = self.path
        tmp = f"{path}.new"
        if os.path.exists(tmp):
            os.unlink(tmp)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(b"".join(key + b"\n" for key in self.keys))
            handle.flush()
            os.fsync(handle.fileno())
        keep_owner(tmp, path)
        os.replace(tmp, path)
        directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def with_new_key(self) -> "DataKey":
        """This key with a new one in front: seals with the new, opens both."""
        return DataKey([Fernet.generate_key(), *self.keys], self.path)

    def newest_only(self) -> "DataKey":
        return DataKey(self.keys[:1], self.path)

    # --- values -----------------------------------------------------------------------------

    def seal(self, value: str | None) -> str | None:
        if value is None or value.startswith(PREFIX):
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str | None) -> str | None:
        """The value itself; a value from before sealing comes back as it is."""
        if value is None or not value.startswith(PREFIX):
            return value
        try:
            return self._fernet.decrypt(value[len(PREFIX):].encode()).decode()
        except InvalidToken:
            raise DataKeyError(f"data key {self.path}: a stored value does not open with it "
                               "(the store was sealed with another key)") from None

    def reseal(self, value: str | None) -> str | None:
        """Sealed with the newest key (a value from before sealing is sealed now)."""
        return self.seal(self.open(value))
