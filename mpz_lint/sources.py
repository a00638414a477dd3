"""A file as the engine sees it: its text, already decoded, and how to write it back."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Literal

FileKind = Literal["python", "config"]


# Without a __dict__ where Python allows it: a large tree has one per file. (3.11, as a
# frozen dataclass with slots does not survive pickling, to a worker or the cache, on 3.10.)
@dataclass(frozen=True, **({"slots": True} if sys.version_info >= (3, 11) else {}))
class SourceFile:
    """One checked file. `text` keeps the file's own newlines; a BOM is not part of it.

    `path` is the name shown to the user (as given, or relative to the current folder);
    `encoding` and `bom` say how to turn fixed text back into the same kind of bytes.
    """

    path: str
    text: str
    kind: FileKind = "python"
    encoding: str = "utf-8"
    bom: bool = False
    # `text` holds only the module's import statements (relevance.Screen): it cannot
    # concern Procore unless it imports a module that does; then the engine asks for all.
    partial: bool = False

    def encode(self, text: str) -> bytes:
        data = text.encode(self.encoding)
        return (b"\xef\xbb\xbf" + data) if self.bom else data
