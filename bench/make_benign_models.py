"""Write benign model files of every kind the examples make, and more, for bench/pickles.py to scan.

Needs the libraries it saves with (scikit-learn, joblib, numpy; torch and pandas when installed), so it
runs in a scratch environment, not the project's:

    python -m venv /tmp/models-venv && /tmp/models-venv/bin/pip install scikit-learn joblib pandas
    /tmp/models-venv/bin/pip install torch==2.13.0      # optional: the CPU file on this machine
    /tmp/models-venv/bin/python bench/make_benign_models.py OUT_DIR

Every file is written by the library's own save function; nothing is hand-made here.
"""

from __future__ import annotations

import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _sklearn_models() -> dict[str, Any]:
    import numpy as np
    from sklearn.compose import ColumnTransformer
    from sklearn.datasets import make_classification, make_regression
    from sklearn.decomposition import PCA
    from sklearn.ensemble import (
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        IsolationForest,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import GaussianNB
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import LabelEncoder, MinMaxScaler, OneHotEncoder, StandardScaler
    from sklearn.svm import SVC
    from sklearn.tree import DecisionTreeClassifier

    x, y = make_classification(n_samples=200, n_features=8, random_state=0)
    xr, yr = make_regression(n_samples=200, n_features=8, random_state=0)
    models: dict[str, Any] = {
        "logistic_regression": LogisticRegression(max_iter=500).fit(x, y),
        "random_forest": RandomForestClassifier(n_estimators=10, random_state=0).fit(x, y),
        "random_forest_regressor": RandomForestRegressor(n_estimators=5, random_state=0).fit(xr, yr),
        "gradient_boosting": GradientBoostingClassifier(n_estimators=10).fit(x, y),
        "hist_gradient_boosting": HistGradientBoostingClassifier(max_iter=10).fit(x, y),
        "decision_tree": DecisionTreeClassifier().fit(x, y),
        "svc": SVC(probability=True).fit(x, y),
        "knn": KNeighborsClassifier().fit(x, y),
        "naive_bayes": GaussianNB().fit(x, y),
        "mlp": MLPClassifier(max_iter=50).fit(x, y),
        "sgd": SGDClassifier().fit(x, y),
        "linear_regression": LinearRegression().fit(xr, yr),
        "isolation_forest": IsolationForest(n_estimators=10, random_state=0).fit(x),
        "pca": PCA(n_components=3).fit(x),
        "scaler": StandardScaler().fit(x),
        "minmax": MinMaxScaler().fit(x),
        "label_encoder": LabelEncoder().fit(["a", "b", "c"]),
        "pipeline": Pipeline([("scale", StandardScaler()), ("clf", LogisticRegression())]).fit(x, y),
        "tfidf": TfidfVectorizer().fit(["a quick brown fox", "jumps over the lazy dog"]),
        "onehot": OneHotEncoder().fit(np.array([["a"], ["b"], ["c"]], dtype=object)),
        "column_transformer": ColumnTransformer([("n", StandardScaler(), [0, 1])]).fit(x),
        "features_and_model": {
            "features": [f"f{i}" for i in range(8)],
            "model": LogisticRegression().fit(x, y),
        },
        "object_array": np.array(["a", 1, None, 2.5], dtype=object),
        "numpy_arrays": {
            "w": np.arange(12, dtype=np.float32).reshape(3, 4),
            "b": np.ones(3),
            "i": np.arange(5),
        },
        "structured_array": np.zeros(3, dtype=[("a", "f4"), ("b", "i8"), ("s", "U5")]),
    }
    try:
        import pandas as pd

        models["dataframe"] = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, 1.5]})
        models["series"] = pd.Series([1.0, 2.0], index=["u", "v"])
    except ImportError:
        pass
    return models


def _write_sklearn(out: Path) -> None:
    import joblib

    for name, model in _sklearn_models().items():
        joblib.dump(model, out / f"{name}.joblib")
        with (out / f"{name}.pkl").open("wb") as fh:
            pickle.dump(model, fh)
        with (out / f"{name}.p2.pkl").open("wb") as fh:
            pickle.dump(model, fh, protocol=2)
        with (out / f"{name}.p5.pkl").open("wb") as fh:
            pickle.dump(model, fh, protocol=5)
    model = _sklearn_models()["random_forest"]
    for compress in ("zlib", "gzip", "bz2", "lzma", "xz"):
        joblib.dump(model, out / f"random_forest.{compress}.joblib", compress=(compress, 3))
    joblib.dump(model, out / "random_forest.compress3.joblib", compress=3)


def _write_torch(out: Path) -> None:
    try:
        import torch
        from torch import nn
    except ImportError:
        print("torch not installed: no PyTorch files", file=sys.stderr)
        return

    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2)
    )
    torch.save(net.state_dict(), out / "state_dict.pth")
    torch.save(net.state_dict(), out / "state_dict.legacy.pt", _use_new_zipfile_serialization=False)
    torch.save(net, out / "whole_model.pt")
    torch.save(
        {
            "epoch": 3,
            "model_state_dict": net.state_dict(),
            "optimizer": torch.optim.Adam(net.parameters()).state_dict(),
            "loss": 0.25,
        },
        out / "checkpoint.ckpt",
    )
    torch.save(
        {"t": torch.arange(10, dtype=torch.float16), "i": torch.tensor([1, 2], dtype=torch.int64)},
        out / "tensors.pt",
    )
    torch.save(
        {"t": torch.arange(10, dtype=torch.float64), "b": torch.tensor([True, False])},
        out / "tensors.legacy.pt",
        _use_new_zipfile_serialization=False,
    )
    scripted = torch.jit.script(net)
    torch.jit.save(scripted, out / "scripted.pt")
    torch.save(net.state_dict(), out / "pytorch_model.bin")


WRITERS: tuple[Callable[[Path], None], ...] = (_write_sklearn, _write_torch)


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for write in WRITERS:
        write(out)
    print(f"wrote {len(list(out.iterdir()))} files to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
