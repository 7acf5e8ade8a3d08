"""Meta-tests: every hook is documented in docs/plugin_hooks.md, has a docstring and a test."""
from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from chargehub.plugins import hookspecs

pytestmark = pytest.mark.smoke

ROOT = Path(__file__).resolve().parents[1]
HOOKS = sorted(name for name, obj in vars(hookspecs).items()
               if inspect.isfunction(obj) and hasattr(obj, "chargehub_spec"))


def test_hook_list_is_not_empty_and_partitioned():
    assert set(HOOKS) == set(hookspecs.REGISTRATION_HOOKS) | set(hookspecs.LISTENER_HOOKS) | set(hookspecs.DECISION_HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook):
    doc = (ROOT / "docs" / "plugin_hooks.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `{hook}\(", doc, re.M), f"docs/plugin_hooks.md has no section for {hook}"


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_docstring_saying_where_it_runs(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "Runs in:" in doc and len(doc.splitlines()) >= 3


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    pattern = re.compile(rf"def test_hook_\w*{hook}\w*\(|def test_hook_{hook}\w*\(")
    test_files = list((ROOT / "tests").rglob("test_*.py")) + list((ROOT / "plugins").rglob("tests/test_*.py"))
    assert any(pattern.search(path.read_text(encoding="utf-8")) for path in test_files), \
        f"no test named test_hook_...{hook}... exists"
