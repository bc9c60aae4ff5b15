"""parents_first(): parents before children, siblings in the order given, loops left out."""

from __future__ import annotations

from byline.importers.ordering import parents_first


def order_of(parents: dict, refuse: frozenset = frozenset()) -> tuple[list, set]:
    seen = []

    def place(key) -> bool:
        seen.append(key)
        return key not in refuse

    return seen, parents_first(parents, place)


def test_parents_come_first_and_siblings_keep_their_order():
    """c and a wait for b, which comes between them; d's parent is no key, so it stands."""
    seen, placed = order_of({"c": "b", "b": None, "a": "b", "d": "elsewhere"})
    assert seen == ["b", "d", "c", "a"]
    assert placed == {"a", "b", "c", "d"}


def test_a_loop_and_what_hangs_below_it_are_left_to_the_caller():
    seen, placed = order_of({"x": "y", "y": "x", "z": "x", "top": None})
    assert seen == ["top"] and placed == {"top"}


def test_the_children_of_a_key_that_does_not_stand_are_never_placed():
    seen, placed = order_of(
        {"child": "parent", "parent": None, "other": None}, frozenset({"parent"})
    )
    assert seen == ["parent", "other"] and placed == {"other"}
