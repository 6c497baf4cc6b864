"""The import map of the project, read from the sources: the rules of README's « Layout ».

- The apps are layered, lowest first: participants < sessions_app < insights < privacy <
  communities < intervision (the project: settings, URLs, ASGI, the commands that seed every app). A
  module imports from its own app or from a lower one, never from a higher one — not even
  inside a function.
- No circle between the project's modules (a circle hidden in a function-level import
  counts too).
- No module over 400 lines, but ``flow`` (the ritual's rules, one machine) and the models
  (up to 800: row logic lives on the model) and migrations.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("participants", "sessions_app", "insights", "privacy", "communities", "intervision")
CHECKED = (*LAYERS, "bench", "scripts")
LONG_ALLOWED = {"sessions_app/flow.py": 2000}
MODELS_MAX = 800
MODULE_MAX = 400


def sources(packages=CHECKED):
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imports(path: Path) -> set[str]:
    """The project's modules ``path`` imports, anywhere in the file, relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # ``from package import module`` imports the module.
            targets = [
                f"{origin}.{alias.name}" if is_module(f"{origin}.{alias.name}") else origin
                for alias in node.names
            ]
        else:
            continue
        found.update(t for t in targets if t.split(".")[0] in CHECKED and is_module(t))
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(path): imports(path) - {module_name(path)} for path in sources()}


def test_no_app_imports_a_higher_one():
    upward = []
    for module, targets in graph().items():
        app = module.split(".")[0]
        if app not in LAYERS:
            continue
        for target in targets:
            other = target.split(".")[0]
            if other in LAYERS and LAYERS.index(other) > LAYERS.index(app):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_the_rule_reads_relative_imports_and_imports_inside_functions(tmp_path, monkeypatch):
    # The reader itself: a function-level ``from insights import figures`` and a relative
    # ``from . import flow`` are found (else the two tests above could not fail).
    path = ROOT / "sessions_app" / "live.py"
    source = "from . import flow\n\ndef f():\n    from insights import figures\n"
    monkeypatch.setattr(Path, "read_text", lambda self: source)
    assert {"sessions_app.flow", "insights.figures"} <= imports(path)


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_circle_between_modules():
    assert circles(graph()) == []


def test_a_circle_is_found():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_over_400_lines_but_flow_and_the_models():
    long = defaultdict(int)
    for path in sources():
        relative = path.relative_to(ROOT).as_posix()
        limit = LONG_ALLOWED.get(relative, MODELS_MAX if path.name == "models.py" else MODULE_MAX)
        lines = len(path.read_text().splitlines())
        if lines > limit:
            long[relative] = lines
    for path in ROOT.joinpath("tests").rglob("*.py"):
        # The tests' own machinery (fixtures, harnesses) too; a test module mirrors its subject.
        if not path.name.startswith("test_"):
            lines = len(path.read_text().splitlines())
            if lines > MODULE_MAX:
                long[path.relative_to(ROOT).as_posix()] = lines
    assert dict(long) == {}


def test_every_view_of_the_project_is_annotated():
    """Typed edges: each view of our URLs says what request it takes and what it returns."""
    import inspect

    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                yield pattern.callback

    bare = set()
    for view in views(get_resolver().url_patterns):
        view = inspect.unwrap(getattr(view, "view_class", view))
        if view.__module__.split(".")[0] not in LAYERS:
            continue  # Django's admin, its i18n view
        annotations = getattr(view, "__annotations__", {})
        if "return" not in annotations or "request" not in annotations:
            bare.add(f"{view.__module__}.{view.__qualname__}")
    assert sorted(bare) == []
