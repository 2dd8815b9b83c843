from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.github_fake import FakeGitHub, serve


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    yield from serve()
