"""A lean walk over a libcst tree, with libcst's `visit_X` / `leave_X` conventions.

`cst.CSTVisitor` pays for generality we do not use: it rebuilds every node's children
through `_visit_and_replace_children`, calls `on_visit_attribute`/`on_leave_attribute`
around every field, and walks every whitespace, comma and parenthesis node. Indexing a
module that way cost about as much as parsing it. This walk reads the fields of each node
type once, leaves out the ones that only hold layout (whitespace, brackets, separators,
operators), and dispatches through a per-type table, so it visits the nodes that carry
meaning and nothing else.

Semantics kept from libcst: `visit_X(node)` runs before the node's children and returning
False skips them; `leave_X(node)` runs after them (also when they were skipped). Children
are walked in field order, which is source order except that decorators come after the
function or class they decorate; nothing here depends on that order.

On the way, the walk notes each node's `Home`: the innermost statement of a block (a
module's or an indented block's body) that holds it, and the indentation it is written
at. That is what mpz_lint.positions needs to place a node by generating the code of that
statement alone.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Callable, NamedTuple, Optional

import libcst as cst

# Fields that hold only layout: no name, string, call or statement lives below them.
_LAYOUT_FIELDS = frozenset({
    "lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer",
    "comma", "semicolon", "colon", "equal", "dot", "operator", "star", "asynchronous",
    "newline", "trailing_whitespace", "indent", "lbrace", "rbrace", "lbracket", "rbracket",
    "first_colon", "second_colon", "trailing_comma", "comment", "empty_lines", "encoding",
    "default_indent", "default_newline", "has_trailing_newline", "relative", "posonly_ind",
    "separator", "conversion", "start", "end", "leading_whitespace", "whitespace_between",
})

# Deeper trees are refused: the resolver and libcst's own code generation recurse a few
# frames per level, so a module this deep would overflow the stack later, in the middle
# of another module's analysis. libcst's visitor failed at about this depth too.
MAX_DEPTH = 250

_Handler = Optional[Callable[[Any, Any], Any]]  # visit_X / leave_X, called with (walker, node)


class Home(NamedTuple):
    """A statement of a block body, the indentation of every block it is in (None: the
    module's default indent), and the Home of the statement around it."""

    statement: cst.BaseStatement
    indents: tuple[str | None, ...]
    outer: Home | None


def _child_fields(node_type: type) -> tuple[str, ...]:
    return tuple(
        f.name for f in dataclasses.fields(node_type)
        if f.name not in _LAYOUT_FIELDS and not f.name.startswith("whitespace")
        and _may_hold_nodes(f.type)
    )


def _may_hold_nodes(annotation: object) -> bool:
    """Whether a field declared `annotation` can hold a node: not `Name.value: str`, nor
    `Param.star: Union[str, MaybeSentinel]` (a walk asks every field of every node)."""
    if isinstance(annotation, type):
        return issubclass(annotation, cst.CSTNode)
    arguments = typing.get_args(annotation)
    if arguments:
        return any(_may_hold_nodes(argument) for argument in arguments)
    return True  # a forward reference or anything else unknown: look


_FIELDS: dict[type, tuple[str, ...]] = {}
_TABLES: dict[type, dict[type, tuple[_Handler, _Handler, tuple[str, ...]]]] = {}


def _node_types() -> frozenset[type]:
    """Every libcst node class: a child's type is looked up here (isinstance against the
    CSTNode ABC is slow, and the walk asks for every child)."""
    found: set[type] = set()
    pending: list[type] = [cst.CSTNode]
    while pending:
        subclasses: list[type] = pending.pop().__subclasses__()
        for subclass in subclasses:
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return frozenset(found)


_NODE_TYPES = _node_types()


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of `node` that the walk visits, in field order: libcst's own
    `node.children` rebuilds the node through a visitor to find them, and also lists
    every whitespace, bracket and comma, none of which holds a name or a string.
    (`TreeWalker.walk` runs the same loop inline: it runs for every node of a tree.)"""
    kind = type(node)
    fields = _FIELDS.get(kind)
    if fields is None:
        fields = _FIELDS[kind] = _child_fields(kind)
    found: list[cst.CSTNode] = []
    nodes = _NODE_TYPES
    for name in fields:
        child = getattr(node, name)
        kind = type(child)
        if kind in nodes:
            found.append(child)
        elif kind is tuple or kind is list:
            found.extend(item for item in child if type(item) in nodes)
    return found


class TreeWalker:
    """Subclass and define `visit_<NodeType>` / `leave_<NodeType>`; call `walk(tree)`."""

    def __init__(self) -> None:
        # One dispatch table per walker class, shared by its instances (one per module).
        self._table = _TABLES.setdefault(type(self), {})
        self._depth = 0
        self._home: Home | None = None
        # id of each walked node -> its Home (None: not inside any block statement)
        self.homes: dict[int, Home | None] = {}

    def walk(self, node: cst.CSTNode) -> None:
        self.homes[id(node)] = self._home
        kind = type(node)
        entry = self._table.get(kind)
        if entry is None:
            entry = self._entry(kind)
        visit, leave, fields = entry
        descend = visit is None or visit(self, node) is not False
        if descend and fields:  # a leaf (a name, a string, a number) has no fields to walk
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise RecursionError("too deeply nested")
            if kind is cst.Module or kind is cst.IndentedBlock:
                self._walk_block(node)  # type: ignore[arg-type]
                fields = ()
            nodes = _NODE_TYPES
            for name in fields:
                child = getattr(node, name)
                kind = type(child)
                if kind in nodes:
                    self.walk(child)
                elif kind is tuple or kind is list:
                    for item in child:
                        if type(item) in nodes:
                            self.walk(item)
            self._depth -= 1
        if leave is not None:
            leave(self, node)

    def _walk_block(self, block: cst.Module | cst.IndentedBlock) -> None:
        outer = self._home
        indents = outer.indents if outer is not None else ()
        if isinstance(block, cst.IndentedBlock):
            indents = (*indents, block.indent)
        for statement in block.body:
            self._home = Home(statement, indents, outer)
            self.walk(statement)
        self._home = outer

    def _entry(self, node_type: type) -> tuple[_Handler, _Handler, tuple[str, ...]]:
        name = node_type.__name__
        fields = _FIELDS.get(node_type)
        if fields is None:
            fields = _FIELDS[node_type] = _child_fields(node_type)
        walker = type(self)
        entry = (getattr(walker, f"visit_{name}", None), getattr(walker, f"leave_{name}", None),
                 fields)
        self._table[node_type] = entry
        return entry
