"""in_roomy_frame: calls under it do not map a new frame chunk each time they cross one's
edge (byline/core/callstack.py)."""

import resource

import pytest

from byline.core.callstack import in_roomy_frame


def _down(depth: int) -> int:
    return 0 if depth == 0 else _down(depth - 1)


def _worst_faults(run) -> int:
    """The most page faults 2,000 calls to the same depth caused, over depths covering more
    than a 16 kB frame chunk: at the depth that ends at a chunk's edge, each call maps a chunk
    and unmaps it on return (CPython 3.11 and 3.12)."""
    worst = 0
    for depth in range(0, 320, 2):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        run(lambda depth=depth: [_down(depth) for _ in range(2000)])
        worst = max(worst, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    return worst


def test_calls_under_a_roomy_frame_do_not_map_frame_chunks_again_and_again():
    assert _worst_faults(in_roomy_frame) < 300


def test_it_returns_what_the_call_returns_and_raises_what_it_raises():
    assert in_roomy_frame(lambda: 42) == 42
    with pytest.raises(KeyError):
        in_roomy_frame(lambda: {}["missing"])
