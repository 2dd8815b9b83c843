"""Which imports a model pickle may make: an allow-list, never a deny-list.

A deny-list (os.system, eval, subprocess, ...) is what scanners that were bypassed had: every release
of Python and of each ML library adds functions that run code (code.InteractiveInterpreter.runsource,
timeit.timeit, numpy.f2py's eval, torch's own loaders). So a global passes only when it is:

1. one of the exact constructors below, which the standard library, NumPy, PyTorch, pandas and joblib
   use to rebuild containers, arrays, tensors and frames, safe whatever their arguments; or
2. a class, named in CapWords with no dots (a class, not a method: `Bdb.run` is refused), from a module
   of a library whose own pickles are made of its classes (scikit-learn, pandas' core, torch.nn and
   torch.optim, XGBoost, LightGBM, CatBoost, NumPy's random generators, SciPy's sparse matrices, the
   TorchScript classes of a scripted archive), outside the modules of those libraries that test, build,
   download or run things; or
3. named by the team in `model-pickle-safe`'s option `allow_globals` (their own classes).

Everything else fails the check, naming the import. The names come from the benign models
bench/make_benign_models.py writes with each library's own save function, and from the constructor
lists of PyTorch's weights-only unpickler and fickling's ML allow-list (read, not copied).
"""

from __future__ import annotations

from collections.abc import Iterable

from gate.facts.pickles.stream import Global
from gate.lazyre import lazy

_EXACT = frozenset(
    {
        # the standard library's own reductions (protocol 2's bytes and sets, copyreg's object rebuild)
        "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex",
        "builtins.slice", "builtins.range", "builtins.object", "builtins.list", "builtins.dict",
        "builtins.tuple", "builtins.int", "builtins.float", "builtins.str", "builtins.bool",
        "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "_codecs.encode",
        "collections.OrderedDict", "collections.defaultdict", "collections.deque", "collections.Counter",
        "datetime.datetime", "datetime.date", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "decimal.Decimal", "fractions.Fraction", "uuid.UUID",
        # NumPy arrays, scalars and dtypes (numpy.core before 2.0, numpy._core after)
        "numpy.ndarray", "numpy.dtype", "numpy.matrix",
        "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
        "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
        "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer",
        "numpy.ma.core._mareconstruct", "numpy.ma.core.MaskedArray",
        "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
        "numpy.random._pickle.__generator_ctor",
        "numpy.random.bit_generator.__pyx_unpickle_SeedSequence",
        # joblib's array framing (formats.py reads the buffers it describes)
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "joblib.numpy_pickle_compat.NDArrayWrapper", "joblib.numpy_pickle_compat.ZNDArrayWrapper",
        "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
        # PyTorch tensors, parameters and storages (torch.save), and TorchScript's constant builders
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
        "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_device_tensor_from_numpy",
        "torch._utils._rebuild_device_tensor_from_cpu_tensor", "torch._utils._rebuild_meta_tensor_no_storage",
        "torch._utils._rebuild_wrapper_subclass", "torch._tensor._rebuild_from_type_v2",
        "torch.serialization._get_layout", "torch.Size", "torch.device", "torch.Tensor",
        "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer", "torch.nn.parameter.UninitializedParameter",
        "torch.storage.UntypedStorage", "torch.storage.TypedStorage",
        "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_floatlist",
        "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist",
        "torch.jit._pickle.build_doublelist", "torch.jit._pickle.restore_type_tag",
        "torch.strided", "torch.sparse_coo", "torch.sparse_csr", "torch.contiguous_format",
        "torch.channels_last", "torch.preserve_format",
        # pandas' frames, series and indexes
        "pandas._libs.internals._unpickle_block", "pandas.core.internals.blocks.new_block",
        "pandas.core.internals.blocks._unpickle_block", "pandas.core.indexes.base._new_Index",
        "pandas.core.indexes.period._new_PeriodIndex", "pandas.core.indexes.datetimes._new_DatetimeIndex",
        "pandas._libs.tslibs.timestamps._unpickle_timestamp", "pandas._libs.tslibs.timedeltas._timedelta_unpickle",
        "pandas._libs.tslibs.nattype.__nat_unpickle", "pandas.core.arrays.categorical._unpickle_categorical",
        # scikit-learn's Cython helpers (they call cls.__new__ on the class they are given)
        "sklearn.neighbors._kd_tree.newObj", "sklearn.neighbors._ball_tree.newObj",
        "sklearn.metrics._dist_metrics.newObj",
        # SciPy's sparse matrices and arrays (lower-case class names)
        *(
            f"scipy.sparse.{module}.{kind}_{shape}"
            for module, kind in (("_csr", "csr"), ("_csc", "csc"), ("_coo", "coo"), ("_lil", "lil"),
                                 ("_dok", "dok"), ("_bsr", "bsr"), ("_dia", "dia"),
                                 ("csr", "csr"), ("csc", "csc"), ("coo", "coo"), ("lil", "lil"),
                                 ("dok", "dok"), ("bsr", "bsr"), ("dia", "dia"))
            for shape in ("matrix", "array")
        ),
    }
)  # fmt: skip

_TORCH_DTYPES = [
    "float32",
    "float64",
    "float16",
    "bfloat16",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
    "qint8",
    "quint8",
    "qint32",
    "quint4x2",
    "float8_e4m3fn",
    "float8_e5m2",
    "half",
    "float",
    "double",
    "long",
    "int",
    "short",
    "cfloat",
    "cdouble",
    "uint16",
    "uint32",
    "uint64",
]
_TORCH_STORAGES = lazy(r"^(?:[A-Z][A-Za-z0-9]*)?Storage$")
_NUMPY_SCALARS = frozenset(
    [
        "bool_",
        "bool",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "float16",
        "float32",
        "float64",
        "longdouble",
        "complex64",
        "complex128",
        "clongdouble",
        "str_",
        "bytes_",
        "void",
        "datetime64",
        "timedelta64",
        "object_",
        "intc",
        "uintc",
        "longlong",
        "ulonglong",
    ]
)

# Libraries whose pickled models are made of their own classes: (module prefix, excluded submodules).
_CLASS_MODULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sklearn", ("sklearn.utils._testing", "sklearn.utils._show_versions", "sklearn.datasets",
                 "sklearn.externals", "sklearn.conftest", "sklearn.experimental")),
    ("pandas", ("pandas.io", "pandas.plotting", "pandas.testing", "pandas._testing", "pandas.util",
                "pandas.conftest")),
    ("torch.nn.modules", ()),
    ("torch.optim", ()),
    ("torchvision.models", ()),
    ("torchvision.ops", ()),
    ("torchvision.transforms", ()),
    ("xgboost", ("xgboost.testing", "xgboost.tracker", "xgboost.dask", "xgboost.spark")),
    ("lightgbm", ("lightgbm.dask",)),
    ("catboost", ()),
    ("numpy.random", ()),
    ("numpy.dtypes", ()),
    ("scipy.sparse", ()),
    ("scipy.stats._distn_infrastructure", ()),
    ("__torch__", ()),
)  # fmt: skip
_CLASS_NAME = lazy(r"^_?[A-Z][A-Za-z0-9_]*$")
_CYTHON_UNPICKLE = lazy(r"^__pyx_unpickle_[A-Za-z0-9_]+$")
_TEST_PARTS = frozenset({"tests", "test", "testing", "_testing", "conftest"})


def _in(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _library_class(module: str, name: str) -> bool:
    if "." in name or set(module.split(".")) & _TEST_PARTS:
        return False
    for prefix, excluded in _CLASS_MODULES:
        if _in(module, prefix) and not any(_in(module, e) for e in excluded):
            return bool(_CLASS_NAME.match(name) or _CYTHON_UNPICKLE.match(name))
    return False


# Allowed callables that can hand back an exact str (so a later import could be named by their result).
# The other allowed ones return instances of their own class (an array, a dtype, a tensor, a frame).
_MAY_RETURN_STR = frozenset(
    {"builtins.str", "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "_codecs.encode",
     "torch._tensor._rebuild_from_type_v2"}
)  # fmt: skip


def may_return_str(g: Global) -> bool:
    return g.dotted in _MAY_RETURN_STR or not builtin_allowed(g)


def builtin_allowed(g: Global) -> bool:
    dotted = f"{g.module}.{g.name}"
    if dotted in _EXACT:
        return True
    if g.module == "numpy" and g.name in _NUMPY_SCALARS:
        return True
    if g.module == "torch" and (g.name in _TORCH_DTYPES or _TORCH_STORAGES.match(g.name)):
        return True
    if g.module in ("torch.cuda", "torch.storage") and _TORCH_STORAGES.match(g.name):
        return True
    return _library_class(g.module, g.name)


class Allowed:
    """The built-in allow-list plus the team's own entries: `module.Name` exactly, or `module.*` for
    every CapWords class of that module and its submodules."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.exact: set[str] = set()
        self.prefixes: list[str] = []
        for entry in extra:
            if entry.endswith(".*"):
                self.prefixes.append(entry[:-2])
            else:
                self.exact.add(entry)

    def __call__(self, g: Global) -> bool:
        if builtin_allowed(g) or g.dotted in self.exact:
            return True
        return (
            "." not in g.name
            and any(_in(g.module, p) for p in self.prefixes)
            and bool(_CLASS_NAME.match(g.name))
        )


# Only to say *why* a refused import is dangerous; refusing does not depend on this list.
_KNOWN_DANGEROUS = lazy(
    r"^(?:os|posix|nt|subprocess|pty|sys|socket|shutil|runpy|importlib|pickle|_pickle|marshal|types|ctypes"
    r"|code|codeop|pdb|bdb|timeit|profile|cProfile|trace|webbrowser|pip|ensurepip|venv|asyncio|multiprocessing"
    r"|urllib|http|httplib|requests|aiohttp|ftplib|smtplib|telnetlib|pydoc|idlelib|operator|_operator"
    r"|functools|builtins\.(?:eval|exec|compile|open|__import__|getattr|setattr|delattr|globals|locals"
    r"|vars|input|breakpoint|help|exit|quit))(?:\.|$)"
)


def known_dangerous(g: Global) -> bool:
    return bool(_KNOWN_DANGEROUS.match(g.dotted)) or bool(_KNOWN_DANGEROUS.match(g.module))
