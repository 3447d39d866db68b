#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Self-test of check-layers' checks on small made-up packages: each rule
fails on the mistake it exists for. Run: python3 Scripts/check-layers.d/test_checks.py"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

HERE = pathlib.Path(__file__).resolve().parent


def target(name, dependencies=(), kind="regular", strict=False):
    return {
        "name": name, "type": kind,
        "dependencies": [{"byName": [d, None]} for d in dependencies],
        "settings": [{"kind": {"strictMemorySafety": {}}, "tool": "swift"}] if strict else [],
    }


class Package:
    def __init__(self, targets, files):
        self.directory = tempfile.TemporaryDirectory()
        root = pathlib.Path(self.directory.name)
        (root / "package.json").write_text(json.dumps({"targets": targets}))
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        self.root = root

    def run(self, script, *arguments):
        result = subprocess.run([sys.executable, str(HERE / script), *arguments],
                                cwd=self.root, capture_output=True, text=True)
        self.directory.cleanup()
        return result.returncode, result.stdout + result.stderr


def imports(targets, files):
    return Package(targets, files).run("imports.py", "package.json")


class ImportTests(unittest.TestCase):
    def test_exact_imports_pass(self):
        code, out = imports([target("DeviceTree"), target("PlatformModel", ["DeviceTree"])],
                            {"Sources/DeviceTree/A.swift": "import Synchronization\n",
                             "Sources/PlatformModel/B.swift": "public import DeviceTree\n"})
        self.assertEqual(code, 0, out)

    def test_used_but_undeclared(self):
        code, out = imports([target("DeviceTree"), target("PlatformModel")],
                            {"Sources/DeviceTree/A.swift": "let a = 1\n",
                             "Sources/PlatformModel/B.swift": "internal import DeviceTree\n"})
        self.assertEqual(code, 1)
        self.assertIn("PlatformModel imports DeviceTree but does not declare it", out)

    def test_declared_but_unused(self):
        code, out = imports([target("DeviceTree"), target("PlatformModel", ["DeviceTree"])],
                            {"Sources/DeviceTree/A.swift": "let a = 1\n",
                             "Sources/PlatformModel/B.swift": "let b = 1\n"})
        self.assertEqual(code, 1)
        self.assertIn("PlatformModel declares DeviceTree but never imports it", out)

    def test_testable_import_counts(self):
        code, out = imports([target("Lib"), target("LibTests", ["Lib"], kind="test")],
                            {"Sources/Lib/A.swift": "let a = 1\n",
                             "Tests/LibTests/T.swift": "@testable import Lib\nimport Testing\n"})
        self.assertEqual(code, 0, out)

    def test_pure_target_without_foundation(self):
        code, out = imports([target("PlatformViews")],
                            {"Sources/PlatformViews/A.swift": "import Foundation\n"})
        self.assertEqual(code, 1)
        self.assertIn("PlatformViews is pure: no Foundation", out)

    def test_libc_only_in_platform_sys(self):
        code, out = imports([target("Platform")], {"Sources/Platform/A.swift": "import Glibc\n"})
        self.assertEqual(code, 1)
        self.assertIn("only PlatformSys calls libc", out)
        code, out = imports([target("PlatformSys")], {"Sources/PlatformSys/A.swift": "import Glibc\n"})
        self.assertEqual(code, 0, out)

    def test_raw_memory_outside_the_named_targets(self):
        code, out = imports([target("Platform")],
                            {"Sources/Platform/A.swift": "func f(_ p: UnsafeRawPointer) {}\n"})
        self.assertEqual(code, 1)
        self.assertIn("raw memory in Platform", out)

    def test_imports_inside_multiline_strings_are_text(self):
        code, out = imports([target("LibTests", kind="test")],
                            {"Tests/LibTests/T.swift": 'let script = """\nimport os\n"""\n'})
        self.assertEqual(code, 0, out)

    def test_exported_import(self):
        code, out = imports([target("A"), target("B", ["A"])],
                            {"Sources/A/A.swift": "let a = 1\n",
                             "Sources/B/B.swift": "@_exported public import A\n"})
        self.assertEqual(code, 1)
        self.assertIn("@_exported import A", out)


class SafetyTests(unittest.TestCase):
    def safety(self, text):
        return Package([], {"Sources/S/A.swift": text}).run("safety.py", "Sources/S")

    def test_missing_comment(self):
        code, out = self.safety("func f() {\n    let a = 1\n\n    _ = unsafe g()\n}\n")
        self.assertEqual(code, 1)
        self.assertIn("A.swift:4:", out)

    def test_comment_covers_its_statement_and_nested_lines(self):
        code, out = self.safety(
            "func f() {\n    let a = 1\n\n    // SAFETY: why.\n    unsafe g { x in\n        unsafe h(x)\n    }\n}\n")
        self.assertEqual(code, 0, out)

    def test_comment_does_not_cover_the_next_paragraph(self):
        code, out = self.safety(
            "func f() {\n    let a = 1\n    // SAFETY: why.\n    unsafe g()\n\n    unsafe h()\n}\n")
        self.assertEqual(code, 1)
        self.assertIn("A.swift:6:", out)

    def test_comment_opening_a_function_covers_it(self):
        code, out = self.safety(
            "func f() {\n    // SAFETY: every call gets a live pointer.\n    let a = 1\n\n    unsafe h()\n}\n")
        self.assertEqual(code, 0, out)

    def test_comment_opening_a_type_does_not_cover_it(self):
        code, out = self.safety(
            "struct S {\n    // SAFETY: everything is fine.\n    let a = 1\n\n    let b = unsafe h()\n}\n")
        self.assertEqual(code, 1)
        self.assertIn("A.swift:5:", out)

    def test_unsafe_attribute_is_not_an_expression(self):
        code, out = self.safety("@unsafe func f() {}\n")
        self.assertEqual(code, 0, out)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    unittest.main()
