"""The repository as files: one listing, bounded reads, and every parsed form computed once.

Everything the gate knows about the repository comes through here, so the rules that keep it safe live
here too: symlinks never lead outside the root, files over the size cap are listed but never parsed,
binary files are recognised, and text is decoded without ever failing on odd encodings.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import tomllib
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from gate.budget import NO_DEADLINE, Deadline
from gate.errors import InputProblem
from gate.ignore import PatternList
from gate.lazyre import lazy
from gate.yamlpath import Node, compact

if TYPE_CHECKING:
    import yaml

    from gate.model import Skipped

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
"""Opening a FIFO without it waits for a writer; Windows has neither the flag nor such files."""
TEXT_CACHE_BYTES = 256 * 1024 * 1024
TREE_CACHE_ENTRIES = 3000
VENDORED_DIRS = frozenset({"node_modules", "site-packages", "dist-packages", "__pypackages__"})
"""Folders of installed packages: never the project's own files."""
MAX_YAML_NODES = 1_000_000
MAX_YAML_BYTES = 32 * 1024 * 1024
"""Scalar bytes a YAML document may expand to through its aliases (a file itself is at most 1 MiB)."""
_BINARY_SNIFF = 8192
Summarize = Callable[[str, str, ast.Module], Any]
"""`summarize(rel, text, tree)`: what a later pass needs of one Python module."""
PYTHON_SUMMARIES: dict[str, Summarize] = {}
"""What later passes need of every Python module, taken from its tree when any pass first parses it
(see `python_summary`)."""
_TOML_AT = lazy(r"\s*\(at line (\d+), column (\d+)\)")


class Replacing(dict[Any, Any]):
    """A mapping written `!reset` or `!override` (Compose): it replaces what it is merged over."""


class ReplacingList(list[Any]):
    """A sequence written `!reset` or `!override` (Compose): it replaces what it is merged over."""


@cache
def _loader() -> Any:
    """The safe loader, plus Compose's merge tags `!reset` and `!override`: valid Compose, read as
    the values they carry (marked, so that a merge replaces instead of joining). Made, and PyYAML
    imported, when the first YAML file is read: a repository without one never pays for it (PyYAML's
    import compiles its reader's large character pattern: about 10 ms of a small run)."""
    import yaml

    try:  # the C loader is ~10x faster; fall back quietly where libyaml is absent
        base: Any = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on the build of PyYAML
        base = yaml.SafeLoader
    loader: Any = type("_Loader", (base,), {})
    loader.add_constructor("!reset", _replacing)
    loader.add_constructor("!override", _replacing)
    return loader


def _replacing(loader: Any, node: yaml.Node) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return Replacing(loader.construct_mapping(node, deep=True))
    if isinstance(node, yaml.SequenceNode):
        return ReplacingList(loader.construct_sequence(node, deep=True))
    value = loader.construct_scalar(node)
    return None if node.tag == "!reset" or value in ("", "null", "~") else value


class ParseError(msgspec.Struct, frozen=True, kw_only=True):
    """A file that could not be parsed, with the place the parser stopped. A record of the facts, as
    they all are (not a pydantic model: the second process, which reads files, then never imports
    pydantic)."""

    path: str
    line: int | None = None
    column: int | None = None
    message: str

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class SnapshotError(InputProblem):
    """The root itself cannot be evaluated (missing, not a folder, unreadable)."""


class YamlDocuments(msgspec.Struct, frozen=True):
    """A YAML file's documents, as composed nodes (which keep line numbers) and as plain data."""

    nodes: tuple[Node, ...]
    data: tuple[Any, ...]


# Compared and shown by identity: nothing compares two snapshots, and each generated method is an
# exec() at import (start-up is most of a small run).
@dataclass(eq=False, repr=False)
class Snapshot:
    root: Path
    files: tuple[str, ...]
    tracked: frozenset[str]
    is_git: bool
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    deadline: Deadline = NO_DEADLINE
    _skipped: dict[str, str] = field(default_factory=dict)
    _refused: dict[str, str] = field(default_factory=dict)
    _text_bytes: int = 0
    _texts: deque[tuple[str, str]] = field(default_factory=deque)
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict)
    _trees: deque[tuple[str, str]] = field(default_factory=deque)
    _file_set: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        self._file_set = frozenset(self.files)

    # -- building -------------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        root: Path,
        *,
        max_file_size: int = DEFAULT_MAX_FILE_SIZE,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        deadline: Deadline = NO_DEADLINE,
        listed: Listed | None = None,
    ) -> Snapshot:
        """`listed`: what `list_files(root)` returned, when another process listed the root ahead."""
        if not root.exists():
            raise SnapshotError(f"{root}: no such file or directory")
        if not root.is_dir():
            raise SnapshotError(f"{root}: not a directory (prodgate check takes a repository folder)")
        if not os.access(root, os.R_OK | os.X_OK):
            raise SnapshotError(f"{root}: permission denied")
        root = root.resolve()
        paths_listed, tracked, is_git = listed if listed is not None else list_files(root)
        paths = _without_vendored(list(paths_listed))
        if include:
            inc = PatternList(include)
            paths = [p for p in paths if inc.match_file(p)]
        if exclude:
            exc = PatternList(exclude)
            paths = [p for p in paths if not exc.match_file(p)]
        deadline.check("listing the repository's files")
        snap = cls(
            root=root,
            files=(),
            tracked=tracked,
            is_git=is_git,
            max_file_size=max_file_size,
            deadline=deadline,
        )
        snap.files = tuple(snap._admit(paths))
        snap._file_set = frozenset(snap.files)
        return snap

    def listing(self) -> Snapshot:
        """The files and what the gate refuses to read among them, and nothing read or parsed: what a
        collector in another process gets (gate/background.py). The refusals travel with the listing:
        without them that process would follow a symlink out of the repository (a file of the runner,
        or /dev/zero read until memory ran out)."""
        return Snapshot(
            root=self.root,
            files=self.files,
            tracked=self.tracked,
            is_git=self.is_git,
            max_file_size=self.max_file_size,
            deadline=self.deadline,
            _skipped={rel: why for rel, why in self._skipped.items() if rel in self._refused},
            _refused=dict(self._refused),
            _file_set=self._file_set,
        )

    def _admit(self, paths: Iterable[str]) -> Iterator[str]:
        """Keep regular files and symlinks that stay inside the root; note the rest as skipped."""
        for rel in paths:
            full = self.root / rel
            try:
                st = full.lstat()
            except OSError:
                continue  # listed by git but deleted in the work tree
            if stat.S_ISLNK(st.st_mode):
                try:
                    target = full.resolve(strict=True)
                except (OSError, RuntimeError):
                    self._refuse(rel, "a broken symlink: not read")
                    yield rel
                    continue
                if not target.is_relative_to(self.root):
                    # listed, never read: the checks that need the file say it could not be judged
                    self._refuse(rel, "a symlink to a path outside the repository: not read")
                    yield rel
                    continue
                if not target.is_file():
                    continue
            elif not stat.S_ISREG(st.st_mode):
                continue
            yield rel

    def _refuse(self, rel: str, why: str) -> None:
        self._refused[rel] = why
        self._skipped[rel] = why

    def refusal(self, rel: str) -> str | None:
        """Why a listed file is never read (a symlink out of the repository, a broken one), or None."""
        return self._refused.get(rel)

    # -- listing --------------------------------------------------------------------------------

    def has(self, rel: str) -> bool:
        return rel in self._file_set

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        from gate.model import Skipped

        return tuple(Skipped(path=p, reason=r) for p, r in sorted(self._skipped.items()))

    def skipped_reasons(self) -> tuple[tuple[str, str], ...]:
        """(path, why) of every file not read: what a listing read in another process hands back."""
        return tuple(sorted(self._skipped.items()))

    def note_skipped(self, reasons: Iterable[tuple[str, str]]) -> None:
        """Files another process could not read from this snapshot's listing: the report lists them too."""
        for rel, why in reasons:
            self._skipped.setdefault(rel, why)

    def with_suffix(self, *suffixes: str) -> list[str]:
        return [f for f in self.files if f.endswith(suffixes)]

    def named(self, *names: str) -> list[str]:
        lowered = {n.lower() for n in names}
        return [f for f in self.files if f.rsplit("/", 1)[-1].lower() in lowered]

    # -- reading --------------------------------------------------------------------------------

    def raw(self, rel: str) -> bytes | None:
        """The file's bytes, or None when it is over the size cap or unreadable (and then noted).

        Not cached: the decoded text is, and keeping both would double the memory of a large repository.
        """
        if rel in self._refused:
            return None
        try:
            # never blocks (a FIFO put where a file was listed) and never reads past the cap, whatever
            # the size the file claims (a device or a file still growing)
            fd = os.open(self.root / rel, os.O_RDONLY | _NONBLOCK)
        except OSError as exc:
            self._skipped[rel] = f"unreadable: {exc.strerror or exc.__class__.__name__}"
            return None
        with os.fdopen(fd, "rb") as handle:
            try:
                st = os.fstat(fd)
                if not stat.S_ISREG(st.st_mode):
                    self._skipped[rel] = "not a regular file: not read"
                    return None
                size = st.st_size
                data = handle.read(self.max_file_size + 1) if size <= self.max_file_size else b""
            except OSError as exc:
                self._skipped[rel] = f"unreadable: {exc.strerror or exc.__class__.__name__}"
                return None
        if size > self.max_file_size or len(data) > self.max_file_size:
            size = max(size, len(data))
            self._skipped[rel] = f"{size} bytes, over the {self.max_file_size}-byte parse cap; listed only"
            return None
        return data

    def unread(self, rel: str) -> ParseError | None:
        """Why a listed file is not read, as a per-file error for collectors whose files must be judged
        (a Dockerfile, a workflow): over the parse cap, or a symlink the gate will not follow. None when
        it is read. A check that needed the file is then undecided, never passed."""
        if rel in self._refused:
            return ParseError(path=rel, line=1, message=f"{self._refused[rel]} (not judged)")
        return self.too_large(rel)

    def too_large(self, rel: str) -> ParseError | None:
        """A per-file error for a file over the parse cap."""
        try:
            size = (self.root / rel).stat().st_size
        except OSError:
            return None
        if size <= self.max_file_size:
            return None
        return ParseError(
            path=rel,
            line=1,
            message=f"{size} bytes, over the {self.max_file_size}-byte parse cap: not judged (raise max_file_size to judge it)",
        )

    def head(self, rel: str, size: int = 4096) -> str:
        """The first bytes of a file as text, whatever its size: enough to tell what an oversize file is."""
        if rel in self._refused:
            return ""
        try:
            with (self.root / rel).open("rb") as fh:
                return fh.read(size).decode("utf-8", "replace")
        except OSError:
            return ""

    def mentions(self, rel: str, needles: tuple[bytes, ...], limit: int = 512 * 1024 * 1024) -> bool | None:
        """Whether a file of any size contains one of `needles`, read in chunks (never whole); None when
        it cannot be told (refused, unreadable, or larger than `limit`)."""
        if rel in self._refused:
            return None
        longest = max(len(n) for n in needles)
        try:
            with (self.root / rel).open("rb") as fh:
                tail, total = b"", 0
                while chunk := fh.read(1024 * 1024):
                    total += len(chunk)
                    window = tail + chunk
                    if any(n in window for n in needles):
                        return True
                    if total > limit:
                        return None
                    tail = window[-longest:]
        except OSError:
            return None
        return False

    def is_binary(self, rel: str) -> bool:
        self.text(rel)
        return self._cache.get(("binary", rel), False)  # type: ignore[no-any-return]

    def text(self, rel: str) -> str | None:
        """Decoded text (UTF-8, BOM stripped, undecodable bytes replaced); None for binary or skipped files."""
        key = ("text", rel)
        if key in self._cache:
            return self._cache[key]  # type: ignore[no-any-return]
        self.deadline.check(f"reading {rel}")
        data = self.raw(rel)
        binary = data is not None and b"\x00" in data[:_BINARY_SNIFF]
        value = None if data is None or binary else data.decode("utf-8-sig", "replace")
        self._keep_text(key, value)
        self._cache[("binary", rel)] = binary
        return value

    def _keep_text(self, key: tuple[str, str], value: str | None) -> None:
        """Cache decoded text, at most TEXT_CACHE_BYTES of it: past that the oldest texts are dropped (and
        read again if asked for), so 1,500 files of 1 MB cost a bounded amount of memory."""
        self._cache[key] = value
        self._texts.append(key)
        self._text_bytes += len(value or "")
        while self._text_bytes > TEXT_CACHE_BYTES and len(self._texts) > 1:
            old = self._texts.popleft()
            dropped = self._cache.pop(old, None)
            self._text_bytes -= len(dropped or "")

    def derived(self, kind: str, rel: str, compute: Callable[[str], Any]) -> Any:
        """`compute(text)` once per file and kind (a per-file index other modules build from the text)."""
        key = (kind, rel)
        if key not in self._cache:
            # texts may all be cached already; the work done on them is what has to stop at the deadline
            self.deadline.check(f"reading {rel}")
            self._cache[key] = compute(self.text(rel) or "")
        return self._cache[key]

    def _parsed(self, kind: str, rel: str, parse: Any, *, keep: bool = True) -> Any:
        key = (kind, rel)
        if key in self._cache:
            return self._cache[key]
        self.deadline.check(f"parsing {rel}")
        text = self.text(rel)
        value: Any = None
        if text is not None:
            try:
                value = parse(text)
            except ParseFailure as exc:
                value = ParseError(path=rel, line=exc.line, column=exc.column, message=exc.msg)
        if isinstance(value, ParseError):
            self._cache[key] = value
        else:
            if kind == "python" and isinstance(value, ast.Module):
                for name, summarize in PYTHON_SUMMARIES.items():
                    if (name, rel) not in self._cache:  # a tree parsed again after it was dropped
                        self._cache[(name, rel)] = summarize(rel, text or "", value)
            if keep:
                self._keep_tree(key, value)
        return value

    def _keep_tree(self, key: tuple[str, str], value: Any) -> None:
        """Cache a parsed document (a Python syntax tree, YAML, JSON or TOML), at most TREE_CACHE_ENTRIES
        of them: the oldest are dropped (and parsed again if asked for). A syntax tree takes 20 to 40
        times its text: kept without a bound, the trees of 25,000 modules were a gigabyte."""
        self._cache[key] = value
        self._trees.append(key)
        while len(self._trees) > TREE_CACHE_ENTRIES:
            self._cache.pop(self._trees.popleft(), None)

    def python(self, rel: str, *, keep: bool = True) -> ast.Module | ParseError | None:
        """The module's syntax tree. `keep=False` is for the one pass that extracts every Python fact: it
        needs each tree once, and holding thousands of trees costs more than parsing them."""
        return self._parsed("python", rel, lambda t: _parse_python(rel, t), keep=keep)  # type: ignore[no-any-return]

    def summary(self, kind: str, rel: str, *, keep: bool = False) -> Any:
        """A registered summary of the module (`python_summary`), parsing it only if no pass has yet;
        None when the module cannot be parsed. Summaries are small and kept for the whole run, trees
        are not: a pass that needs only a summary costs no parse on a repository past the tree cache."""
        key = (kind, rel)
        if key not in self._cache:
            tree = self.python(rel, keep=keep)
            if not isinstance(tree, ast.Module):
                return None
            if key not in self._cache:  # the tree was cached before the summary was registered
                self._cache[key] = PYTHON_SUMMARIES[kind](rel, self.text(rel) or "", tree)
        return self._cache[key]

    def yaml(self, rel: str) -> YamlDocuments | ParseError | None:
        return self._parsed("yaml", rel, parse_yaml_text)  # type: ignore[no-any-return]

    def json(self, rel: str) -> Any:
        """The decoded JSON value, a ParseError, or None when the file could not be read."""
        return self._parsed("json", rel, _parse_json)

    def toml(self, rel: str) -> dict[str, Any] | ParseError | None:
        return self._parsed("toml", rel, _parse_toml)  # type: ignore[no-any-return]


def python_summary(kind: str) -> Callable[[Summarize], Summarize]:
    """Register `summarize(rel, text, tree)`, run on each Python module's tree as soon as any pass parses it.
    On a repository of more modules than the tree cache holds, every pass that walked the trees again
    parsed every module again (4.8 parses per module at 25,000 modules); what a later pass needs only a
    little of is taken here, from the parse some earlier pass paid for."""

    def register(summarize: Summarize) -> Summarize:
        PYTHON_SUMMARIES[kind] = summarize
        return summarize

    return register


class ParseFailure(Exception):
    def __init__(self, msg: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(msg)
        self.msg, self.line, self.column = msg, line, column


def _parse_python(rel: str, text: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            # invalid escape sequences in user code are its business, not a crash of ours
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=rel)
    except SyntaxError as exc:
        raise ParseFailure(exc.msg, exc.lineno, exc.offset) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        raise ParseFailure(str(exc) or exc.__class__.__name__) from None


def parse_yaml_text(text: str) -> YamlDocuments:
    import yaml

    loader = _loader()(text)
    try:
        nodes: list[yaml.Node] = []
        while loader.check_node():
            node = loader.get_node()
            if node is not None:
                count, size = _expanded_size(node, {}, (yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode))
                if count > MAX_YAML_NODES or size > MAX_YAML_BYTES:
                    mark = node.start_mark
                    what = f"{MAX_YAML_NODES} nodes" if count > MAX_YAML_NODES else f"{MAX_YAML_BYTES} bytes"
                    raise ParseFailure(
                        f"refused: the document expands to more than {what} (alias bomb?)",
                        mark.line + 1,
                        mark.column + 1,
                    )
                nodes.append(node)
        data = tuple(loader.construct_document(n) for n in nodes)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise ParseFailure(f"invalid YAML: {exc.problem or exc.context}", line, col) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise ParseFailure(f"invalid YAML: {exc}") from None
    except (ValueError, TypeError, OverflowError) as exc:
        # a scalar YAML types implicitly that is not a valid value of that type: 2026-13-01
        bad = _first_bad_scalar(nodes)
        line, col = (bad.start_mark.line + 1, bad.start_mark.column + 1) if bad else (None, None)
        shown = f" {bad.value!r}" if bad else ""
        raise ParseFailure(f"invalid value{shown}: {exc}", line, col) from None
    finally:
        loader.dispose()
    return YamlDocuments(nodes=compact(nodes), data=data)


def _first_bad_scalar(nodes: list[yaml.Node]) -> yaml.ScalarNode | None:
    """The first implicitly typed scalar (a date, a number) that cannot be constructed."""
    import yaml

    probe = yaml.SafeLoader("")
    stack: list[yaml.Node] = list(reversed(nodes))
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            try:
                probe.construct_object(node, deep=True)
            except (ValueError, TypeError, OverflowError):
                return node
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.extend((value, key))
    return None


def _expanded_size(
    node: yaml.Node,
    memo: dict[int, tuple[int, int]],
    kinds: tuple[type[yaml.ScalarNode], type[yaml.SequenceNode], type[yaml.MappingNode]],
) -> tuple[int, int]:
    """How many nodes, and how many bytes of scalars, the document has once every alias is expanded,
    computed without expanding: aliases share node objects, so sizes are memoised per object (a DAG
    walk, linear in its size). Bytes matter as much as nodes: 760 KB of aliases to one 400 KB string
    is 28 GB for whatever joins or copies it later. `kinds`: PyYAML's scalar, sequence and mapping
    node classes (imported with the first YAML file read)."""
    scalar, sequence, mapping = kinds
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = (1, 0)  # a recursive alias (a cycle) counts once instead of looping
    nodes, size = 1, 0
    if isinstance(node, scalar):
        size = len(node.value)
    elif isinstance(node, sequence):
        for child in node.value:
            n, b = _expanded_size(child, memo, kinds)
            nodes, size = nodes + n, size + b
    elif isinstance(node, mapping):
        seen: set[str] = set()
        for k, _ in node.value:
            if isinstance(k, scalar) and k.value != "<<":
                if k.value in seen:
                    # YAML forbids duplicate keys; PyYAML would silently keep the last one
                    raise ParseFailure(
                        f"duplicate key '{k.value}'", k.start_mark.line + 1, k.start_mark.column + 1
                    )
                seen.add(k.value)
        for k, v in node.value:
            kn, kb = _expanded_size(k, memo, kinds)
            vn, vb = _expanded_size(v, memo, kinds)
            nodes, size = nodes + kn + vn, size + kb + vb
    memo[key] = (nodes, size)
    return nodes, size


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseFailure(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise ParseFailure("invalid JSON: nested too deeply") from None


def _parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11-3.13 put the position only in the message: "... (at line 3, column 5)"
        m = _TOML_AT.search(str(exc))
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        raise ParseFailure(f"invalid TOML: {_TOML_AT.sub('', str(exc))}", line, col) from None


Listed = tuple[tuple[str, ...], frozenset[str], bool]
"""The files under a root before any rule of the config (sorted), the tracked ones, and whether git
lists them."""


def list_files(root: Path) -> Listed:
    """What `Snapshot.load` starts from: git's view of the work tree, or a walk of a plain folder.
    `root` is resolved. Reads no config, so the command line's second process can list the root
    while this one imports (gate/background.py)."""
    listed = _git_listing(root)
    if listed is None:
        # a tarball, a zip, a plain copy: its .gitignore files still say what is not the project's
        return tuple(sorted(_untracked(root, root, "", set(), None))), frozenset(), False
    return tuple(sorted(listed[0])), listed[1], True


def _git_listing(root: Path) -> tuple[list[str], frozenset[str]] | None:
    """Tracked plus untracked-but-not-ignored files under root (what `git ls-files --cached --others
    --exclude-standard` lists), or None when root is not inside a git work tree.

    Untracked files count because a local run should judge the work tree the user is about to commit;
    in a pull-request checkout there are none. Which files are tracked is kept apart (e.g. a tracked .env).

    Read without the git binary: git honours the repository's own configuration, and some of it runs
    commands (core.fsmonitor on any index read; pagers, filters, hooks, credential helpers elsewhere).
    The repository is hostile input, so its .git/config is never given a chance: dulwich (a maintained
    pure-Python implementation of git's formats) reads the index, and gate/ignore.py applies the
    .gitignore files and .git/info/exclude. The user's global core.excludesFile is not read (it lies
    outside the repository); it only ever hides untracked files on a local run.
    """
    from dulwich.errors import NotGitRepository
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(root))
    except NotGitRepository:
        return None
    except Exception:  # an unreadable repository: the caller walks the folder instead
        return None
    try:
        root = root.resolve()
        top = Path(repo.path).resolve()
        prefix = root.relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        tracked: set[str] = set()
        for raw in repo.open_index().paths():
            path = raw.decode("utf-8", "surrogateescape")
            if path.startswith(prefix):
                tracked.add(path[len(prefix) :])
        others = _untracked(top, root, prefix, tracked, Path(repo.controldir()))
    except Exception:  # a corrupt index or config: read the folder without git's view of it
        return None
    finally:
        repo.close()
    return sorted(tracked.union(others)), frozenset(tracked)


def _ignore_file(path: Path) -> PatternList | None:
    """A .gitignore or info/exclude as patterns: regular files only (git refuses symlinked ones since
    2.32), capped in size like every other read."""
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_size > DEFAULT_MAX_FILE_SIZE:
            return None
        lines = path.read_bytes().decode("utf-8", "surrogateescape").splitlines()
    except OSError:
        return None
    patterns = PatternList(lines)
    return patterns if patterns else None


def _untracked(top: Path, root: Path, prefix: str, tracked: set[str], controldir: Path | None) -> list[str]:
    """Files under root that are neither tracked nor ignored, applying git's precedence: a deeper
    .gitignore overrides a shallower one, .git/info/exclude comes last, and an ignored folder is not
    entered (nothing inside it can be re-included). Installed environments are never entered."""
    base_rules: list[tuple[int, PatternList]] = []
    exclude = _ignore_file(controldir / "info" / "exclude") if controldir is not None else None
    if exclude is not None:
        base_rules.append((0, exclude))
    # .gitignore files in the folders between the top of the work tree and root apply too
    top_parts = prefix.rstrip("/").split("/") if prefix else []
    for depth in range(len(top_parts)):
        found = _ignore_file(top.joinpath(*top_parts[:depth], ".gitignore"))
        if found is not None:
            base_rules.append((depth, found))
    others: list[str] = []
    stack: list[tuple[Path, list[str], list[tuple[int, PatternList]]]] = [(root, [], base_rules)]
    while stack:
        folder, rel_parts, rules = stack.pop()
        here = _ignore_file(folder / ".gitignore")
        if here is not None:
            rules = [*rules, (len(top_parts) + len(rel_parts), here)]
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            parts = [*rel_parts, name]
            rel = "/".join(parts)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if name == ".git" or (Path(entry.path) / ".git").exists():
                    continue  # the repository itself, or a nested repository git would not enter
                if name in VENDORED_DIRS or _is_environment(Path(entry.path)):
                    continue  # installed packages (a virtualenv, node_modules): not the project's code
                if _ignored(rules, top_parts + parts, True):
                    continue  # tracked files inside come from the index; nothing else can be re-included
                stack.append((Path(entry.path), parts, rules))
            elif rel not in tracked and not _ignored(rules, top_parts + parts, False):
                others.append(rel)
    return others


def _ignored(rules: list[tuple[int, PatternList]], parts: list[str], is_dir: bool) -> bool:
    for depth, patterns in reversed(rules):  # the deepest .gitignore that has an opinion decides
        decided = patterns.decides(parts[depth:], is_dir)
        if decided is not None:
            return decided
    return False


def resolve_ref(root: Path, ref: str) -> str | None:
    """A commit sha for a sha, branch, remote branch or tag name, read without the git binary."""
    from dulwich.repo import Repo

    try:
        repo = Repo.discover(str(root))
    except Exception:  # not a repository
        return None
    if len(ref) == 40:
        try:
            repo[ref.encode()]
            return ref
        except KeyError:
            return None
    for name in (f"refs/heads/{ref}", f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref):
        try:
            return repo.refs[name.encode()].decode("ascii")  # type: ignore[index]
        except KeyError:
            continue
    return None


def head_commit(root: Path) -> str | None:
    """The checked-out commit's sha, read without the git binary; None outside a repository."""
    from dulwich.repo import Repo

    try:
        return Repo.discover(str(root)).head().decode("ascii")
    except Exception:  # no repository, no HEAD yet, or an unreadable one
        return None


def _without_vendored(paths: list[str]) -> list[str]:
    """Paths outside installed environments, even tracked ones: a committed virtualenv or node_modules
    is thousands of other people's files, and judging them turns a pass into hundreds of findings."""
    marked = {p[: -len("/pyvenv.cfg")] for p in paths if p.endswith("/pyvenv.cfg")}
    # a folder is an environment only if it holds nothing but an environment's layout: a pyvenv.cfg
    # committed into the application's own folder must not hide the application
    foreign = {
        folder
        for p in paths
        for folder in _parents(p)
        if folder in marked and p[len(folder) + 1 :].split("/", 1)[0] not in _VENV_LAYOUT
    }
    venvs = marked - foreign
    return [
        p
        for p in paths
        if not VENDORED_DIRS.intersection(p.split("/")[:-1])
        and not (venvs and any(f in venvs for f in _parents(p)))
    ]


_VENV_LAYOUT = frozenset(
    {"bin", "Scripts", "lib", "Lib", "lib64", "include", "Include", "share", "pyvenv.cfg", ".gitignore"}
)


def _is_environment(folder: Path) -> bool:
    """A virtualenv: a pyvenv.cfg and nothing but an environment's layout beside it."""
    try:
        names = [entry.name for entry in folder.iterdir()]
    except OSError:
        return False
    return "pyvenv.cfg" in names and all(n in _VENV_LAYOUT for n in names)


def _parents(path: str) -> Iterator[str]:
    """`a/b/c.py` -> `a`, `a/b`: each folder the path is in (a set lookup each, not a scan of all)."""
    parts = path.split("/")[:-1]
    for i in range(1, len(parts) + 1):
        yield "/".join(parts[:i])
