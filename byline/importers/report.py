"""What an import tells whoever ran it: counts, every item skipped and why, notes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from byline.importers.wxr import WPItem


@dataclass
class ImportReport:
    """What an import did: counts per kind, every item it skipped with the reason, and the
    password-protected items (title and new address, never the password: reports end up
    in logs and tickets)."""

    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)
    dry_run: bool = False

    def skip(self, item: WPItem | None, reason: str) -> None:
        where = f"line {item.line}, item {item.wp_id or item.guid!r}" if item else "file"
        self.counts["skipped"] += 1
        self.skipped.append(f"{where}: {reason}")

    def lines(self) -> list[str]:
        head = "Dry run: nothing was saved." if self.dry_run else "Import finished."
        out = [head]
        out += [f"  {kind}: {count}" for kind, count in sorted(self.counts.items())]
        out += [f"  password-protected {entry}" for entry in self.protected]
        out += [f"  skipped {entry}" for entry in self.skipped]
        out += [f"  note: {entry}" for entry in self.notes]
        return out
