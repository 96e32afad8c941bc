"""Shared fixtures: every test starts from the same thread count."""

import pytest

import jitex


@pytest.fixture(autouse=True)
def _threads():
    old = jitex.get_num_threads()
    yield
    jitex.set_num_threads(old)
