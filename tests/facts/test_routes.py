"""Routes with their full paths, across modules, routers, blueprints and mounts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gate.facts.routes import collect_routes
from gate.snapshot import Snapshot


def _paths(root: Path) -> set[str]:
    return {r.path for r in collect_routes(Snapshot.load(root)).routes}


def test_fastapi_routers_prefixes_across_modules(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "app/__init__.py": "",
            "app/main.py": (
                "from fastapi import FastAPI\nfrom app.routers import health\nfrom .routers.predict import router as predict_router\n"
                "from starlette.applications import Starlette\n\n"
                "app = FastAPI()\napp.include_router(health.router, prefix='/api/v1')\n"
                "app.include_router(predict_router)\nadmin = Starlette()\napp.mount('/admin', admin)\n"
                "@app.get('/')\ndef index():\n    return {}\n"
            ),
            "app/routers/__init__.py": "",
            "app/routers/health.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/ops')\n@router.get('/health')\ndef health():\n    return {}\n",
            "app/routers/predict.py": "from fastapi import APIRouter\nrouter = APIRouter(prefix='/predict')\n@router.post('')\ndef predict():\n    return {}\n@router.api_route('/batch', methods=['POST'])\ndef batch():\n    return {}\n",
            "app/orphan.py": "from fastapi import APIRouter\nr = APIRouter(prefix='/extra')\n@r.get('/ping')\ndef ping():\n    return 'pong'\n",
        }
    )
    assert _paths(root) == {"/", "/api/v1/ops/health", "/predict", "/predict/batch", "/extra/ping"}


def test_flask_blueprints_and_url_rules(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "service.py": (
                "from flask import Flask, Blueprint\n"
                "bp = Blueprint('api', __name__, url_prefix='/api')\n"
                "@bp.route('/predict', methods=['POST'])\ndef predict():\n    return ''\n"
                "ops = Blueprint('ops', __name__, url_prefix='/ignored')\n"
                "@ops.get('/healthz')\ndef healthz():\n    return ''\n"
                "app = Flask(__name__)\napp.register_blueprint(bp)\napp.register_blueprint(ops, url_prefix='/internal')\n"
                "app.add_url_rule('/ping', view_func=lambda: 'ok')\n"
            ),
        }
    )
    facts = collect_routes(Snapshot.load(root))
    assert {r.path for r in facts.routes} == {"/api/predict", "/internal/healthz", "/ping"}
    assert facts.serves("/internal/healthz?full=1") is not None
    assert facts.apps == (("service.py", 10, "flask"),)


def test_django_urls_and_path_parameters(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "site/urls.py": "from django.urls import path\nurlpatterns = [\n    path('health/', views.health),\n    path('models/<int:pk>/', views.model),\n]\n",
        }
    )
    facts = collect_routes(Snapshot.load(root))
    assert facts.serves("/health") is not None and facts.serves("/models/7") is not None
    assert facts.serves("/ready") is None


def test_starlette_declarative_routes(make_tree: Callable[..., Path]) -> None:
    root = make_tree(
        {
            "app.py": (
                "from starlette.applications import Starlette\nfrom starlette.routing import Mount, Route\n\n"
                "routes = [\n    Route('/health', health),\n    Mount('/api', routes=[Route('/predict', predict, methods=['POST'])]),\n]\n"
                "app = Starlette(routes=routes)\n"
            ),
        }
    )
    facts = collect_routes(Snapshot.load(root))
    assert {(r.path, r.methods) for r in facts.routes} == {("/health", ("GET",)), ("/api/predict", ("POST",))}


def test_a_dependency_that_only_validates_input_does_not_count_as_authentication(
    make_tree: Callable[..., Path],
) -> None:
    """Following Depends() into a function must not take any 4xx for a credential check."""
    root = make_tree(
        {
            "app.py": (
                "from fastapi import Depends, FastAPI, HTTPException\n"
                "app = FastAPI()\n"
                "def parse_tokens(text: str) -> list[str]:\n"
                "    tokens = text.split()\n"
                "    if not tokens:\n"
                "        raise HTTPException(status_code=422, detail='empty')\n"
                "    return tokens\n"
                "@app.post('/predict')\n"
                "def predict(tokens: list[str] = Depends(parse_tokens)) -> int:\n"
                "    return len(tokens)\n"
            )
        }
    )
    [route] = [r for r in collect_routes(Snapshot.load(root)).routes if r.path == "/predict"]
    assert not route.protected


def _service(name: str, prefix: str) -> dict[str, str]:
    """One service of a monorepo, run from its own folder: `app.routes` re-exports its routers."""
    return {
        f"{name}/app/__init__.py": "",
        f"{name}/app/main.py": (
            "from fastapi import FastAPI\nfrom app.routes import status_router\n\n"
            f"app = FastAPI()\napp.include_router(status_router, prefix='{prefix}')\n"
        ),
        f"{name}/app/routes/__init__.py": "from .status import router as status_router\n",
        f"{name}/app/routes/status.py": (
            "from fastapi import APIRouter\nrouter = APIRouter()\n@router.get('/')\ndef alive():\n    return {}\n"
        ),
    }


def test_routers_re_exported_by_a_package_are_followed_within_each_service(
    make_tree: Callable[..., Path],
) -> None:
    # each app mounts its own service's router: the importer's own folder wins over a namesake elsewhere
    root = make_tree({**_service("churn", "/health"), **_service("pricing", "/livez")})
    routes = collect_routes(Snapshot.load(root)).routes
    assert {(r.path, r.module) for r in routes} == {
        ("/health/", "churn/app/routes/status.py"),
        ("/livez/", "pricing/app/routes/status.py"),
    }


def test_one_pass_parses_each_module_once_and_protection_is_decided_by_names(
    make_tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, parses: list[str]
) -> None:
    """Routes and the authenticators they depend on are read in one pass over the modules, and whether
    a route is protected is decided after it, by names: a route may depend on an authenticator that a
    later module defines, directly, through a factory, or through a variable holding the dependency.
    With fewer trees cached than modules, a second pass parsed every module again."""
    import gate.snapshot

    monkeypatch.setattr(gate.snapshot, "TREE_CACHE_ENTRIES", 2)
    root = make_tree(
        {
            "a_routes.py": (
                "from fastapi import APIRouter, Depends\n"
                "router = APIRouter()\n"
                "staff_only = Depends(require_staff('ops'))\n"
                "@router.get('/direct')\ndef direct(who=Depends(check_caller)):\n    return who\n"
                "@router.get('/through', dependencies=[staff_only])\ndef through():\n    return 1\n"
                "@router.get('/open')\ndef open_route(page=Depends(paginate)):\n    return page\n"
            ),
            "b_filler.py": "VALUE = 1\n",  # neither routes nor credentials: never parsed
            **{
                f"m{n}_more.py": (
                    "from fastapi import APIRouter, Depends\n"
                    f"r{n} = APIRouter(prefix='/more{n}')\n"
                    f"@r{n}.get('/x')\ndef x{n}(who=Depends(check_caller)):\n    return who\n"
                )
                for n in range(3)
            },
            "z_security.py": (
                "from fastapi import HTTPException, Request\n"
                "def check_caller(request: Request):\n"
                "    if request.headers.get('x-api-key') != 'expected':\n"
                "        raise HTTPException(status_code=401)\n"
                "def require_staff(team):\n"
                "    def inner(who=Depends(check_caller)):\n        return who\n"
                "    return inner\n"
                "def paginate(page: int = 1):\n    return page\n"
            ),
        }
    )
    facts = collect_routes(Snapshot.load(root))
    protected = {r.path: r.protected for r in facts.routes}
    assert protected == {
        "/direct": True,
        "/through": True,
        "/open": False,
        **{f"/more{n}/x": True for n in range(3)},
    }
    read = ["a_routes.py", "m0_more.py", "m1_more.py", "m2_more.py", "z_security.py"]
    assert sorted(parses) == read, "each module the pass reads is parsed once"
