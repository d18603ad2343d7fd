"""The simulator's modules form layers: no import circle, and every import at the top of its module.

The import graph is read from the source with `ast` (nothing is imported), so a circle kept alive by an
import inside a function counts as much as one at the top of a file.
"""

import ast
from pathlib import Path

PACKAGE = "astra_simulator"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE
SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def module_name(path):
    parts = (PACKAGE,) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources():
    """{dotted module name: source text} of every file of the package, sub-packages included."""
    return {module_name(path): path.read_text() for path in sorted(ROOT.rglob("*.py"))}


def imported_modules(module, tree, known, is_package):
    """The package's own modules that `module` imports, at any depth: `from . import x`, `from .x import y`,
    `from .routes import ...`, `from .. import x`, `import astra_simulator.x`."""
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name and name not in known:     # `import a.b.c` names a module, or an attribute of one
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _level in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = "%s.%s" % (base, node.module) if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = "%s.%s" % (base, alias.name)
                if submodule in known:
                    found.add(submodule)
                elif base in known:
                    found.add(base)
    found.discard(module)
    return found


def import_graph():
    texts = sources()
    known = set(texts)
    packages = {module_name(path) for path in ROOT.rglob("__init__.py")}
    return {module: imported_modules(module, ast.parse(text), known, module in packages)
            for module, text in texts.items()}


def find_cycle(graph):
    """One import circle as a list of modules (first == last), or None."""
    done, path = set(), []

    def visit(module):
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        path.append(module)
        for target in sorted(graph.get(module, ())):
            cycle = visit(target)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def nested_imports(tree):
    """(line, enclosing function or class) of every import statement inside a function or class body."""
    found = []

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)) and scope:
                found.append((child.lineno, scope))
            visit(child, child.name if isinstance(child, SCOPES) else scope)

    visit(tree, None)
    return found


def test_the_graph_reader_understands_every_import_form():
    known = {PACKAGE, PACKAGE + ".apps", PACKAGE + ".world", PACKAGE + ".routing", PACKAGE + ".routes",
             PACKAGE + ".routes.apps", PACKAGE + ".routes.topology"}
    source = "\n".join([
        "import json",
        "import astra_simulator.world",
        "from astra_simulator.routing import Router",
        "from .. import apps",
        "from . import topology",
        "def later():",
        "    from .. import routes",
    ])
    found = imported_modules(PACKAGE + ".routes.apps", ast.parse(source), known, is_package=False)
    assert found == {PACKAGE + ".world", PACKAGE + ".routing", PACKAGE + ".apps", PACKAGE + ".routes.topology",
                     PACKAGE + ".routes"}
    in_package = imported_modules(PACKAGE + ".routes", ast.parse("from . import apps\nfrom ..routing import Router"),
                                  known, is_package=True)
    assert in_package == {PACKAGE + ".routes.apps", PACKAGE + ".routing"}
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) is None
    assert nested_imports(ast.parse(source)) == [(7, "later")]


def test_the_graph_covers_the_package():
    graph = import_graph()
    assert PACKAGE + ".routes.apps" in graph[PACKAGE + ".routes"]
    assert PACKAGE + ".routes" in graph[PACKAGE + ".app"]
    assert PACKAGE + ".world" in graph[PACKAGE + ".routes.topology"]
    assert PACKAGE + ".problems" in graph[PACKAGE + ".apps"]


def test_no_import_circle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_every_import_is_at_module_level():
    nested = ["%s:%d (in %s)" % (module, line, scope)
              for module, text in sources().items() for line, scope in nested_imports(ast.parse(text))]
    assert not nested, "imports inside a function or class body: " + ", ".join(nested)
