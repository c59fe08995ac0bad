"""Which Kafka topics a part of Witaj reads and writes, found in its code.

Starting from a composition root (`witaj.content.main`, `witaj.stats.processor`), every `witaj.*` module
it imports, directly or not, is read, and each use of a topic constant of `witaj.shared.topics` is sorted:

- read: inside a consumer's subscription (`….consume([TOPIC, …], …)`, a service's `handlers.py`
  `Subscription(group, [TOPIC, …], …)`) or the processor's `SOURCE_TOPICS`;
- neither: inside a list of topics to create (`Runtime(topics=…)`, `ensure_topics(…)`, a value bound to a
  name `topics`) or given to the topic namer (`kafka.topics(TOPIC)`), which only spells a name;
- written: every other use (an outbox entry, a publication, a fire-and-forget usage event).

So a new publication or subscription shows up here without anyone listing it, and the deployment's
ACLs (deploy/kafka/access.yaml) are checked against what the code does.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

from witaj.shared import topics as topic_module

TOPIC_CONSTANTS = {
    name: value
    for name, value in vars(topic_module).items()
    if isinstance(value, str) and value in topic_module.ALL
}
READ_CALLS = {"consume": 0, "Subscription": 1}
"""Calls that subscribe a consumer, with the position of the topics it reads."""
READ_ASSIGNMENTS = {"SOURCE_TOPICS"}
CREATE_CALLS = {"ensure_topics", "Runtime"}
NAMING_CALLS = {"topics"}


@dataclass
class TopicUse:
    reads: set[str] = field(default_factory=set)
    writes: set[str] = field(default_factory=set)
    modules: set[str] = field(default_factory=set)


def module_path(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # `from witaj.x.module import Class`: Class is no module
        return None
    return Path(spec.origin) if spec and spec.origin and spec.origin.endswith(".py") else None


def imported_modules(module: str, tree: ast.Module) -> set[str]:
    """The witaj.* modules a module imports (`from pkg import mod` counts mod when it is a module)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("witaj.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("witaj."):
            found.add(node.module)
            for alias in node.names:
                if module_path(f"{node.module}.{alias.name}") is not None:
                    found.add(f"{node.module}.{alias.name}")
    return {m for m in found if m != module and module_path(m) is not None}


def closure(entry: str) -> dict[str, ast.Module]:
    trees: dict[str, ast.Module] = {}
    pending = [entry]
    while pending:
        module = pending.pop()
        if module in trees:
            continue
        path = module_path(module)
        assert path is not None, f"{module} is not importable"
        trees[module] = tree = ast.parse(path.read_text(), filename=str(path))
        pending += sorted(imported_modules(module, tree) - set(trees))
    return trees


def _local_topic_names(tree: ast.Module) -> dict[str, str]:
    """Names bound to topic constants by `from witaj.shared.topics import X [as Y]`."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "witaj.shared.topics":
            for alias in node.names:
                if alias.name in TOPIC_CONSTANTS:
                    names[alias.asname or alias.name] = TOPIC_CONSTANTS[alias.name]
    return names


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def _called(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", None)


def _bound_names(node: ast.AST) -> set[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    names = set()
    for target in targets:
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def classify(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> str:
    """'read', 'none' or 'write' for one use of a topic constant (see the module's docstring)."""
    child, parent = node, parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Call) and child is not parent.func:
            called = _called(parent)
            position = READ_CALLS.get(called or "")
            if position is not None and len(parent.args) > position and child is parent.args[position]:
                return "read"
            if called in CREATE_CALLS or called in NAMING_CALLS:
                return "none"
        if isinstance(parent, ast.keyword) and parent.arg == "topics":
            call = parents.get(parent)
            return "read" if isinstance(call, ast.Call) and _called(call) in READ_CALLS else "none"
        if isinstance(parent, ast.Assign | ast.AnnAssign):
            bound = _bound_names(parent)
            if bound & READ_ASSIGNMENTS:
                return "read"
            if "topics" in bound:
                return "none"
        if isinstance(parent, ast.stmt):
            return "write"
        child, parent = parent, parents.get(parent)
    return "write"


def topic_use(entry: str) -> TopicUse:
    use = TopicUse()
    for module, tree in closure(entry).items():
        if module == topic_module.__name__:
            continue
        use.modules.add(module)
        names = _local_topic_names(tree)
        parents = _parents(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load):
                kind = classify(node, parents)
                if kind == "read":
                    use.reads.add(names[node.id])
                elif kind == "write":
                    use.writes.add(names[node.id])
    return use
