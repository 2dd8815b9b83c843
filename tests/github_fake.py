"""A stateful loopback stand-in for the part of GitHub's REST API the action uses.

Real HTTP on 127.0.0.1, answered in GitHub's shapes (the fields PyGithub reads), with real pagination
(Link headers, per_page, page), so that PyGithub is exercised as it is against github.com. State lives in
plain lists the tests inspect; failures (403, 422, 5xx, rate limits) are injected per method and path.
The request contract itself is validated separately against GitHub's OpenAPI description (Prism).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

OWNER, NAME = "Codertocat", "Hello-World"  # the repository of @octokit/webhooks-examples payloads
REPO = f"{OWNER}/{NAME}"


@dataclass
class Injected:
    method: str
    pattern: str
    status: int
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    after: bool = False
    """Do what was asked, then answer with the failure anyway (a 502 from a proxy after the write)."""


@dataclass
class FakeGitHub:
    login: str = "prodgate-bot"
    user_status: int = 200
    comments: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    pulls: dict[int, str] = field(default_factory=dict)
    """pull number -> head sha"""
    protection: dict[str, Any] | None = None
    """classic branch protection of every branch (None: not protected)"""
    rules: list[dict[str, Any]] = field(default_factory=list)
    """ruleset rules active on every branch"""
    runs: list[dict[str, Any]] = field(default_factory=list)
    """completed runs, newest first: {"id", "branch", "head_sha", "artifacts": [(name, zip bytes)]}, and
    optionally "event" (push), "conclusion" (success), "path", "created_at" (a date in November 2026)."""
    permissions: dict[str, str] = field(default_factory=dict)
    """login -> admin, write, read (collaborators not listed: 404)"""
    files_at: dict[tuple[str, str], str] = field(default_factory=dict)
    """(path, ref) -> text served by the contents API"""
    head_check_runs: list[dict[str, Any]] = field(default_factory=list)
    head_statuses: list[dict[str, Any]] = field(default_factory=list)
    org_repos: list[dict[str, Any]] = field(default_factory=list)
    """The organisation's repositories as GET /orgs/{org}/repos lists them (see org_repo)."""
    trees: dict[str, list[str]] = field(default_factory=dict)
    """full_name -> the file paths of its default branch (absent: an empty repository, 409)"""
    org_files: dict[tuple[str, str], str] = field(default_factory=dict)
    """(full_name, path) -> text an organisation's repository serves by the contents API"""
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    injected: list[Injected] = field(default_factory=list)
    next_id: int = 1000
    url: str = ""
    rendezvous: threading.Barrier | None = None
    """Holds comment listings until this many arrive together: two runs that start at once."""

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _ in self.requests if m in ("POST", "PATCH", "DELETE")]

    def add_comment(self, body: str, login: str, issue: int = 1) -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "node_id": f"IC_{self.next_id}",
            "url": f"{self.url}/repos/{REPO}/issues/comments/{self.next_id}",
            "html_url": f"https://github.com/{REPO}/pull/{issue}#issuecomment-{self.next_id}",
            "issue_url": f"{self.url}/repos/{REPO}/issues/{issue}",
            "body": body,
            "user": {
                "login": login,
                "id": abs(hash(login)) % 10**6,
                "type": "Bot" if "[bot]" in login else "User",
            },
            "created_at": _stamp(len(self.comments)),
            "updated_at": _stamp(len(self.comments)),
            "author_association": "MEMBER",
            "_issue": issue,
        }
        self.comments.append(comment)
        return comment

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        times: int = 1,
        headers: dict[str, str] | None = None,
        *,
        after: bool = False,
    ) -> None:
        self.injected.append(Injected(method, pattern, status, times, dict(headers or {}), after))


def org_repo(org: str, name: str, **fields: Any) -> dict[str, Any]:
    """A repository as the organisation listing returns it (the fields prodgate org plan reads)."""
    return {
        "id": abs(hash((org, name))) % 10**9,
        "name": name,
        "full_name": f"{org}/{name}",
        "private": False,
        "archived": False,
        "fork": False,
        "language": "Python",
        "topics": [],
        "default_branch": "main",
        "owner": {"login": org, "id": 1, "type": "Organization"},
        **fields,
    }


def _stamp(n: int) -> str:
    return (datetime(2026, 11, 22, 10, tzinfo=UTC) + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if not k.startswith("_")}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    _silent = False

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        if self._silent:
            return  # the write happened; the answer the client gets is the injected failure
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-RateLimit-Limit", "5000")
        self.send_header("X-RateLimit-Remaining", "4999")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n)) if n else None

    def _handle(self, method: str) -> None:
        fake = self.server.fake
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        body = self._body() if method in ("POST", "PATCH") else None
        fake.requests.append((method, path, body))
        if fake.rendezvous is not None and method == "GET" and re.search(r"/issues/\d+/comments$", path):
            with contextlib.suppress(threading.BrokenBarrierError):
                fake.rendezvous.wait(timeout=30)
        for inj in fake.injected:
            if inj.times > 0 and inj.method == method and re.search(inj.pattern, path):
                inj.times -= 1
                if inj.after:
                    self._silent = True
                    route(self, fake, method, path, query, body)
                    self._silent = False
                self._send(inj.status, {"message": f"injected {inj.status}"}, inj.headers)
                return
        route(self, fake, method, path, query, body)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


class _Server(ThreadingHTTPServer):
    fake: FakeGitHub
    daemon_threads = True


def route(
    h: _Handler, fake: FakeGitHub, method: str, path: str, query: dict[str, list[str]], body: Any
) -> None:
    repo = f"/repos/{REPO}"
    if (m := re.fullmatch(r"/orgs/([^/]+)/repos", path)) and method == "GET":
        mine = sorted(
            (r for r in fake.org_repos if r["owner"]["login"] == m[1]), key=lambda r: r["full_name"].lower()
        )
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        last = max(1, -(-len(mine) // per_page))
        links = []
        if page < last:
            links.append(f'<{fake.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
            links.append(f'<{fake.url}{path}?per_page={per_page}&page={last}>; rel="last"')
        h._send(
            200, mine[(page - 1) * per_page : page * per_page], {"Link": ", ".join(links)} if links else None
        )
        return
    if (m := re.fullmatch(r"/repos/([^/]+/[^/]+)/git/trees/([^/]+)", path)) and method == "GET":
        if m[1] not in fake.trees:
            h._send(409, {"message": "Git Repository is empty."})
            return
        entries = [{"path": p, "mode": "100644", "type": "blob", "sha": "0" * 40} for p in fake.trees[m[1]]]
        h._send(200, {"sha": "1" * 40, "url": f"{fake.url}{path}", "tree": entries, "truncated": False})
        return
    if (m := re.fullmatch(r"/repos/([^/]+/[^/]+)/contents/(.+)", path)) and (m[1], m[2]) in fake.org_files:
        served = fake.org_files[(m[1], m[2])]
        data = base64.b64encode(served.encode()).decode()
        body = {"type": "file", "encoding": "base64", "content": data, "name": m[2].rsplit("/", 1)[-1]}
        h._send(200, {**body, "path": m[2], "size": len(served), "sha": "0" * 40, "url": f"{fake.url}{path}"})
        return
    if method == "GET" and path == "/user":
        if fake.user_status != 200:
            h._send(fake.user_status, {"message": "Resource not accessible by integration"})
        else:
            h._send(200, {"login": fake.login, "id": 1, "type": "User"})
        return
    if m := re.fullmatch(rf"{repo}/issues/(\d+)/comments", path):
        issue = int(m[1])
        if method == "GET":
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            mine = [c for c in fake.comments if c["_issue"] == issue]
            chunk = mine[(page - 1) * per_page : page * per_page]
            last = max(1, -(-len(mine) // per_page))
            links = []
            if page < last:
                links.append(f'<{fake.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"')
                links.append(f'<{fake.url}{path}?per_page={per_page}&page={last}>; rel="last"')
            h._send(200, [_public(c) for c in chunk], {"Link": ", ".join(links)} if links else None)
            return
        if method == "POST":
            if not isinstance(body, dict) or not isinstance(body.get("body"), str):
                h._send(422, {"message": "Invalid request: body is required"})
                return
            if len(body["body"]) > 65536:
                h._send(422, {"message": "Body is too long (maximum is 65536 characters)"})
                return
            h._send(201, _public(fake.add_comment(body["body"], fake.login, issue)))
            return
    if m := re.fullmatch(rf"{repo}/issues/comments/(\d+)", path):
        found = [c for c in fake.comments if c["id"] == int(m[1])]
        if not found:
            h._send(404, {"message": "Not Found"})
            return
        if method == "PATCH":
            if len(body.get("body", "")) > 65536:
                h._send(422, {"message": "Body is too long (maximum is 65536 characters)"})
                return
            found[0]["body"] = body["body"]
            h._send(200, _public(found[0]))
            return
        if method == "DELETE":
            fake.comments.remove(found[0])
            h._send(204)
            return
    if (m := re.fullmatch(rf"{repo}/statuses/([0-9a-f]{{40}})", path)) and method == "POST":
        if len(body.get("description") or "") > 140:
            h._send(422, {"message": "description is too long (maximum is 140 characters)"})
            return
        status = dict(body, sha=m[1], id=len(fake.statuses) + 1)
        fake.statuses.append(status)
        h._send(201, status)
        return
    if path == f"{repo}/check-runs" and method == "POST":
        annotations = (body.get("output") or {}).get("annotations") or []
        if len(annotations) > 50:
            h._send(422, {"message": "Only 50 annotations are allowed per request"})
            return
        number = len(fake.check_runs) + 1
        run = dict(
            body,
            id=number,
            url=f"{fake.url}{repo}/check-runs/{number}",
            html_url=f"https://github.com/{REPO}/runs/{number}",
        )
        run["annotations_received"] = len(annotations)
        fake.check_runs.append(run)
        h._send(201, run)
        return
    if (m := re.fullmatch(rf"{repo}/check-runs/(\d+)", path)) and method == "PATCH":
        run = fake.check_runs[int(m[1]) - 1]
        annotations = (body.get("output") or {}).get("annotations") or []
        if len(annotations) > 50:
            h._send(422, {"message": "Only 50 annotations are allowed per request"})
            return
        run["annotations_received"] += len(annotations)
        h._send(200, run)
        return
    if (m := re.fullmatch(rf"{repo}/branches/([^/]+)", path)) and method == "GET":
        body = {
            "name": m[1],
            "commit": {"sha": "f" * 40, "url": f"{fake.url}{repo}/commits/{'f' * 40}"},
            "protected": fake.protection is not None,
            "protection_url": f"{fake.url}{path}/protection",
        }
        if fake.protection is not None:
            contexts = (fake.protection.get("required_status_checks") or {}).get("contexts", [])
            body["protection"] = {
                "enabled": True,
                "required_status_checks": {
                    "enforcement_level": "non_admins",
                    "contexts": contexts,
                    "checks": [{"context": c, "app_id": None} for c in contexts],
                },
            }
        h._send(200, body)
        return
    if re.fullmatch(rf"{repo}/branches/([^/]+)/protection", path) and method == "GET":
        if fake.protection is None:
            h._send(404, {"message": "Branch not protected"})
        else:
            h._send(200, fake.protection)
        return
    if re.fullmatch(rf"{repo}/rules/branches/([^/]+)", path) and method == "GET":
        h._send(200, fake.rules)
        return
    if (m := re.fullmatch(rf"{repo}/commits/([0-9a-f]{{40}})/check-runs", path)) and method == "GET":
        h._send(200, {"total_count": len(fake.head_check_runs), "check_runs": fake.head_check_runs})
        return
    if (m := re.fullmatch(rf"{repo}/commits/([0-9a-f]{{40}})/status", path)) and method == "GET":
        states = [s["state"] for s in fake.head_statuses]
        state = "failure" if "failure" in states else "pending" if "pending" in states else "success"
        h._send(
            200, {"state": state, "sha": m[1], "total_count": len(states), "statuses": fake.head_statuses}
        )
        return
    if path == f"{repo}/actions/runs" and method == "GET":
        branch, event = query.get("branch", [None])[0], query.get("event", [None])[0]
        found = [
            r
            for r in fake.runs
            if (branch is None or r.get("branch") == branch)
            and (event is None or r.get("event", "push") == event)
        ][: int(query.get("per_page", ["30"])[0])]
        h._send(200, {"total_count": len(found), "workflow_runs": [_run(fake, r) for r in found]})
        return
    if (m := re.fullmatch(rf"{repo}/actions/runs/(\d+)/artifacts", path)) and method == "GET":
        run = next(r for r in fake.runs if r["id"] == int(m[1]))
        arts = [_artifact(fake, run, i, name, data) for i, (name, data) in enumerate(run["artifacts"])]
        h._send(200, {"total_count": len(arts), "artifacts": arts})
        return
    if (m := re.fullmatch(rf"{repo}/actions/artifacts/(\d+)/zip", path)) and method == "GET":
        h._send(302, None, {"Location": f"{fake.url}/blobs/{m[1]}.zip"})
        return
    if (m := re.fullmatch(r"/blobs/(\d+)\.zip", path)) and method == "GET":
        run_id, index = divmod(int(m[1]), 100)
        data = next(r for r in fake.runs if r["id"] == run_id)["artifacts"][index][1]
        h.send_response(200)
        h.send_header("Content-Type", "application/zip")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)
        return
    if (m := re.fullmatch(rf"{repo}/collaborators/([^/]+)/permission", path)) and method == "GET":
        if m[1] not in fake.permissions:
            h._send(404, {"message": "Not Found"})
        else:
            h._send(
                200,
                {
                    "permission": fake.permissions[m[1]],
                    "user": {"login": m[1]},
                    "role_name": fake.permissions[m[1]],
                },
            )
        return
    if (m := re.fullmatch(rf"{repo}/contents/(.+)", path)) and method == "GET":
        ref = query.get("ref", [""])[0]
        text = fake.files_at.get((m[1], ref))
        if text is None:
            h._send(404, {"message": "Not Found"})
            return
        data = base64.b64encode(text.encode()).decode()
        h._send(
            200,
            {
                "type": "file",
                "encoding": "base64",
                "content": data,
                "name": m[1].rsplit("/", 1)[-1],
                "path": m[1],
                "size": len(text),
                "sha": "0" * 40,
                "url": f"{fake.url}{path}",
            },
        )
        return
    if (m := re.fullmatch(rf"{repo}/pulls/(\d+)", path)) and method == "GET":
        number = int(m[1])
        if number not in fake.pulls:
            h._send(404, {"message": "Not Found"})
            return
        h._send(200, {"number": number, "url": f"{fake.url}{path}", "head": {"sha": fake.pulls[number]}})
        return
    h._send(404, {"message": f"fake GitHub has no {method} {path}"})


def _run(fake: FakeGitHub, run: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": run["id"],
        "head_sha": run["head_sha"],
        "head_branch": run.get("branch", "main"),
        "event": run.get("event", "push"),
        "status": "completed",
        "conclusion": run.get("conclusion", "success"),
        "path": run.get("path", ".github/workflows/ci.yml"),
        "created_at": run.get("created_at", "2026-11-20T08:00:00Z"),
        "html_url": f"{fake.url}/{REPO}/actions/runs/{run['id']}",
        "url": f"{fake.url}/repos/{REPO}/actions/runs/{run['id']}",
        "artifacts_url": f"{fake.url}/repos/{REPO}/actions/runs/{run['id']}/artifacts",
    }


def _artifact(fake: FakeGitHub, run: dict[str, Any], index: int, name: str, data: bytes) -> dict[str, Any]:
    artifact_id = run["id"] * 100 + index
    return {
        "id": artifact_id,
        "name": name,
        "size_in_bytes": len(data),
        "expired": False,
        "url": f"{fake.url}/repos/{REPO}/actions/artifacts/{artifact_id}",
        "archive_download_url": f"{fake.url}/repos/{REPO}/actions/artifacts/{artifact_id}/zip",
        "workflow_run": {
            "id": run["id"],
            "head_sha": run["head_sha"],
            "head_branch": run.get("branch", "main"),
        },
    }


def serve() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.fake = fake
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
