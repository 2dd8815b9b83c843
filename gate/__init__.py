"""prodgate: a production-readiness gate for ML model-serving services."""

__version__ = "0.1.0"
