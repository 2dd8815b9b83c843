"""prodgate: a production-readiness gate for ML model-serving services."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("prodgate")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
