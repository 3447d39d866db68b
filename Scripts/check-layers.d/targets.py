#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Target lists from `swift package dump-package` output, for check-layers.

  targets.py ordered PACKAGE_JSON   Swift targets, every one after its dependencies
  targets.py strict PACKAGE_JSON    source directories of the strictMemorySafety targets
"""
import json
import pathlib
import sys


def directory(target):
    default = "Tests" if target["type"] == "test" else "Sources"
    return target.get("path") or f"{default}/{target['name']}"


def ordered(targets):
    by_name = {t["name"]: t for t in targets}
    done, result = set(), []

    def visit(name):
        if name in done or name not in by_name:
            return
        done.add(name)
        for dependency in by_name[name]["dependencies"]:
            for kind in ("byName", "target"):
                if kind in dependency:
                    visit(dependency[kind][0])
        result.append(name)

    for target in targets:
        visit(target["name"])
    return [n for n in result if by_name[n]["type"] in ("regular", "executable", "test")]


def main(command, package_json):
    targets = json.loads(pathlib.Path(package_json).read_text())["targets"]
    if command == "ordered":
        print("\n".join(ordered(targets)))
    elif command == "strict":
        strict = [t for t in targets
                  if any("strictMemorySafety" in s["kind"] for s in t.get("settings", []))]
        print("\n".join(directory(t) for t in strict))
    else:
        sys.exit(f"targets.py: unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
