#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Each target imports exactly what Package.swift declares for it.

Usage: imports.py PACKAGE_JSON (the output of `swift package dump-package`).
Run from the package root. Fails (exit 1) listing every
  - module a target imports but does not declare (it builds only because a
    sibling put the module in the shared build directory, or through a
    dependency of a dependency);
  - dependency a target declares but never imports;
  - Foundation, Dispatch or libc in a pure target (README: "DeviceTree,
    PlatformModel and PlatformViews are pure Swift"), libc outside
    PlatformSys, `@_exported import` anywhere;
  - raw memory (`Unsafe…Pointer`, `withUnsafe…`, `unsafeBitCast`, `Unmanaged`)
    in a target other than the ones README names.
"""
import json
import pathlib
import re
import sys

# The Swift toolchain's own modules: allowed wherever the rules below allow them.
STANDARD = {"Swift", "Synchronization", "_Concurrency", "_StringProcessing", "RegexBuilder", "Observation"}
FOUNDATION = {"Foundation", "FoundationEssentials", "FoundationInternationalization", "FoundationNetworking", "Dispatch"}
LIBC = {"Glibc", "Musl", "Darwin", "SwiftGlibc"}
TESTING = {"Testing", "XCTest"}

# README, "Layering".
PURE = {"DeviceTree", "PlatformModel", "PlatformViews"}
LIBC_ALLOWED = {"PlatformSys"}
# Raw memory: PlatformSys and PlatformFUSE own it; PlatformViews and VDrivers
# pass FUSE's request buffers to the rings without a copy (README, "Raw memory").
RAW_MEMORY_ALLOWED = {"PlatformSys", "PlatformFUSE", "PlatformViews", "VDrivers"}

IMPORT = re.compile(
    r"^\s*(?P<attributes>(@[\w]+(\([^)]*\))?\s+)*)"
    r"(?:(?:public|package|internal|fileprivate|private)\s+)?"
    r"import\s+(?:(?:struct|class|enum|protocol|typealias|func|let|var)\s+)?"
    r"(?P<module>[A-Za-z_][A-Za-z0-9_]*)"
)
# The one re-export: `SyscallError.errno` is an `Errno`, and callers match its
# named cases, so importing PlatformSys brings SystemPackage along.
EXPORTED = {("PlatformSys", "SystemPackage")}
RAW_MEMORY = re.compile(r"\bUnsafe(Mutable)?(Raw)?(Buffer)?Pointer\b|\bwithUnsafe\w*|\bunsafeBitCast\b|\bUnmanaged\b|\bOpaquePointer\b")


def strip(line):
    """The line without one-line string literals and comments."""
    line = line.replace('\\"', "")
    if '"""' in line:
        return line.split("//")[0]
    return re.sub(r'"[^"]*"', '""', line).split("//")[0]


def declared(target, products):
    """The module names a target declares, in-package targets and products alike."""
    names = set()
    for dependency in target["dependencies"]:
        for kind in ("byName", "target"):
            if kind in dependency:
                names.add(dependency[kind][0])
        if "product" in dependency:
            names.add(products.get(dependency["product"][0], dependency["product"][0]))
    return names


def sources(target):
    default = "Tests" if target["type"] == "test" else "Sources"
    root = pathlib.Path(target.get("path") or f"{default}/{target['name']}")
    return sorted(root.rglob("*.swift"))


def main(package_json):
    package = json.loads(pathlib.Path(package_json).read_text())
    # The products used here export one module of the same name.
    products = {}
    local = {t["name"] for t in package["targets"]}
    problems = []
    for target in package["targets"]:
        if target["type"] not in ("regular", "executable", "test"):
            continue
        name = target["name"]
        files = sources(target)
        if not files:
            continue  # a C target
        imports = {}
        for path in files:
            in_string = False  # inside a multi-line string literal (embedded scripts)
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if strip(line).count('"""') % 2:
                    in_string = not in_string
                    continue
                if in_string:
                    continue
                match = IMPORT.match(line)
                if match:
                    module = match["module"]
                    imports.setdefault(module, f"{path}:{number}")
                    if "@_exported" in match["attributes"] and (name, module) not in EXPORTED:
                        problems.append(f"{path}:{number}: error: @_exported import {module}: import it where it is used")
                if (target["type"] != "test" and name not in RAW_MEMORY_ALLOWED
                        and RAW_MEMORY.search(strip(line))):
                    problems.append(f"{path}:{number}: error: raw memory in {name}: only "
                                    f"{', '.join(sorted(RAW_MEMORY_ALLOWED))} touch it (README, Raw memory)")
        dependencies = declared(target, products)
        for module, place in sorted(imports.items(), key=lambda item: item[1]):
            if module in STANDARD:
                continue
            if module in FOUNDATION and name in PURE:
                problems.append(f"{place}: error: {name} is pure: no {module} (README, Layering)")
            elif module in LIBC and name in PURE | (local - LIBC_ALLOWED) and target["type"] != "test":
                problems.append(f"{place}: error: {name} imports {module}: only PlatformSys calls libc (README, Layering)")
            elif module in TESTING and target["type"] != "test":
                problems.append(f"{place}: error: {name} is not a test target: no {module}")
            elif module in FOUNDATION | LIBC | TESTING:
                continue
            elif module not in dependencies:
                problems.append(f"{place}: error: {name} imports {module} but does not declare it in Package.swift")
        for module in sorted(dependencies - set(imports)):
            problems.append(f"Package.swift: error: {name} declares {module} but never imports it")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"check-layers: {len(problems)} layering error(s)", file=sys.stderr)
        return 1
    print("check-layers: every target imports exactly what it declares")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
