"""Import names that differ from the distribution that provides them, for the projects ML services use.

Distributions are named as PyPI normalises them. Where several distributions provide one import
(opencv-python and its headless variants), all of them are listed: declaring any one satisfies it.
Everything not listed is assumed to import under its own name (dashes as underscores).
"""

from __future__ import annotations

IMPORT_TO_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "sklearn": ("scikit-learn",),
    "ahocorasick": ("pyahocorasick",),
    "skimage": ("scikit-image",),
    "cv2": (
        "opencv-python",
        "opencv-python-headless",
        "opencv-contrib-python",
        "opencv-contrib-python-headless",
    ),
    "PIL": ("pillow",),
    "yaml": ("pyyaml",),
    "bs4": ("beautifulsoup4",),
    "dateutil": ("python-dateutil",),
    "dotenv": ("python-dotenv",),
    "jwt": ("pyjwt",),
    "github": ("pygithub",),
    "jose": ("python-jose",),
    "multipart": ("python-multipart",),
    "attr": ("attrs",),
    "Crypto": ("pycryptodome", "pycryptodomex"),
    "OpenSSL": ("pyopenssl",),
    "magic": ("python-magic",),
    "docx": ("python-docx",),
    "pptx": ("python-pptx",),
    "serial": ("pyserial",),
    "zmq": ("pyzmq",),
    "psycopg2": ("psycopg2", "psycopg2-binary"),
    "MySQLdb": ("mysqlclient",),
    "google": (
        "protobuf",
        "google-cloud-storage",
        "google-api-python-client",
        "google-auth",
        "google-cloud-bigquery",
    ),
    "googleapiclient": ("google-api-python-client",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos"),
    "torch": ("torch",),
    "onnxruntime": ("onnxruntime", "onnxruntime-gpu"),
    "fitz": ("pymupdf",),
    "slugify": ("python-slugify",),
    "gi": ("pygobject",),
    "win32api": ("pywin32",),
    "sentence_transformers": ("sentence-transformers",),
    "prometheus_client": ("prometheus-client",),
    "flask_cors": ("flask-cors",),
    "flask_limiter": ("flask-limiter",),
    "flask_httpauth": ("flask-httpauth",),
    "flask_jwt_extended": ("flask-jwt-extended",),
    "prometheus_fastapi_instrumentator": ("prometheus-fastapi-instrumentator",),
    "prometheus_flask_exporter": ("prometheus-flask-exporter",),
    "pydantic_settings": ("pydantic-settings",),
    "lightgbm": ("lightgbm",),
    "xgboost": ("xgboost",),
    "pkg_resources": ("setuptools",),
    "setuptools": ("setuptools",),
}

# Imported by nothing in the code, yet needed at run time: servers started from the command line,
# drivers chosen by URL, parsers FastAPI loads lazily, and the libraries whose classes a pickled model
# (joblib, pickle) needs to be unpickled.
RUNTIME_ONLY: frozenset[str] = frozenset({
    "gunicorn", "uvicorn", "hypercorn", "waitress", "uwsgi", "daphne", "granian", "gevent", "eventlet",
    "python-multipart", "psycopg2", "psycopg2-binary", "psycopg", "pymysql", "mysqlclient", "asyncpg", "aiosqlite",
    "uvloop", "httptools", "watchfiles", "websockets", "python-dotenv", "email-validator", "orjson", "ujson",
    "scikit-learn", "numpy", "scipy", "pandas", "xgboost", "lightgbm", "catboost", "joblib", "threadpoolctl",
    "setuptools", "pip", "wheel", "certifi",
})  # fmt: skip


def distributions_for(module: str) -> tuple[str, ...]:
    if module in IMPORT_TO_DISTRIBUTIONS:
        return IMPORT_TO_DISTRIBUTIONS[module]
    return (module.lower().replace("_", "-"),)


def modules_for(distribution: str) -> set[str]:
    found = {m for m, dists in IMPORT_TO_DISTRIBUTIONS.items() if distribution in dists}
    found.add(distribution.replace("-", "_"))
    return found
