"""Readers' data requests: what each app keeps about one e-mail address, to export or erase.

``byline comments export EMAIL`` and ``byline comments erase EMAIL`` answer a reader's access
and erasure requests. Comments are not the only place a reader's address is kept (the author
contact form keeps a message until it is mailed), and the comments app must not import the
apps beside it, so every other app that keeps reader data registers it here, in its
``AppConfig.ready()``::

    from byline.core import datarequests

    datarequests.register(
        "contact_messages",
        export=contact_messages_export,  # (*, email) -> list of JSON-ready dicts
        erase=contact_messages_erase,  # (*, email, dry_run) -> how many records
        noun=("pending contact message", "pending contact messages"),
    )
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    name: str  # the key of its records in an export
    export: Callable[..., list[dict]]
    erase: Callable[..., int]
    noun: tuple[str, str]  # singular and plural, for "erased 2 …"

    def describe(self, count: int) -> str:
        return f"{count} {self.noun[0] if count == 1 else self.noun[1]}"


_holders: dict[str, Holder] = {}


def register(
    name: str,
    *,
    export: Callable[..., list[dict]],
    erase: Callable[..., int],
    noun: tuple[str, str],
) -> None:
    _holders[name] = Holder(name=name, export=export, erase=erase, noun=noun)


def holders() -> list[Holder]:
    """Every registered holder of reader data, in the order they registered."""
    return list(_holders.values())
