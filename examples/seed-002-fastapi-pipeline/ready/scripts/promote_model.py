"""Record a model version in the registry and make it the production one (or roll back to an older one).

Run: python scripts/promote_model.py --model-name random_forest --version-id 2026.11.1
"""

import argparse
import json
from pathlib import Path

REGISTRY = Path(__file__).resolve().parent.parent / "registry" / "registry.json"


def main() -> None:
    """Point production at the requested version; refuse versions the registry does not know."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-name", required=True)
    parser.add_argument("--version-id", required=True)
    args = parser.parse_args()
    registry = json.loads(REGISTRY.read_text())
    versions = registry["models"][args.model_name]["versions"]
    if args.version_id not in versions:
        raise SystemExit(f"unknown version {args.version_id}; known: {', '.join(versions)}")
    registry["models"][args.model_name]["production"] = args.version_id
    REGISTRY.write_text(json.dumps(registry, indent=2) + "\n")


if __name__ == "__main__":
    main()
