from __future__ import annotations

import pytest
from packaging.utils import canonicalize_name

from gate.pep503 import canonical_name


@pytest.mark.parametrize(
    "name",
    [
        "scikit-learn", "Scikit_Learn", "zope.interface", "Django", "ruamel.yaml.clib", "a__b..c--d",
        "-leading", "trailing_", "UPPER", "typing_extensions", "Pillow", "", "x", "pkg-1.0_beta",
    ],
)  # fmt: skip
def test_same_name_as_packaging(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)
