"""One pass over a parsed module: its scopes, bindings, classes, functions and the sites
the rules care about (string literals that name Procore, string-building expressions,
calls). The resolver answers questions from this index, never by walking the tree again.

We keep our own light scopes instead of libcst's ScopeProvider: the scale issue measured
that provider at 3.6x a bare parse, and name lookup over these tables is all we need.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Union

import libcst as cst

from mpz_lint import knowledge
from mpz_lint.fixer import LineIndex
from mpz_lint.knowledge import role_from_name
from mpz_lint.model import Location
from mpz_lint.positions import ModuleOffsets
from mpz_lint.treewalk import TreeWalker

if TYPE_CHECKING:
    from mpz_lint.project import Project
    from mpz_lint.sources import SourceFile

ScopeKind = Literal["module", "class", "function"]
BindingKind = Literal["assign", "param", "import", "def", "class", "with", "unknown"]
StringNode = Union[cst.SimpleString, cst.FormattedString, cst.ConcatenatedString]

# Methods of str whose arguments are patterns to look for, not URLs to call.
_STR_PATTERN_METHODS = frozenset(
    {"startswith", "endswith", "replace", "find", "rfind", "index", "rindex", "count",
     "split", "rsplit", "removeprefix", "removesuffix", "partition", "rpartition",
     "strip", "lstrip", "rstrip", "search", "match", "fullmatch", "sub", "compile"}
)


@dataclass(eq=False)
class Binding:
    """One way a name gets a value in a scope (flow-insensitive: all of them count)."""

    kind: BindingKind
    scope: Scope  # the scope `value` is evaluated in
    value: cst.BaseExpression | None = None  # assign / with
    annotation: cst.BaseExpression | None = None
    param: cst.Param | None = None
    function: FunctionInfo | None = None  # param / def
    cls: ClassInfo | None = None
    module: str | None = None  # import: "a.b" (relative imports keep their dots)
    name: str | None = None  # import: the imported attribute, None for `import a.b`
    why: str = ""


@dataclass(eq=False)
class Scope:
    kind: ScopeKind
    module: ModuleIndex
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    globals_: set[str] = field(default_factory=set)
    function: FunctionInfo | None = None
    cls: ClassInfo | None = None

    def bind(self, name: str, binding: Binding) -> None:
        target = self.module.scope if name in self.globals_ else self
        target.bindings.setdefault(name, []).append(binding)


@dataclass(eq=False)
class FunctionInfo:
    name: str
    node: cst.FunctionDef
    scope: Scope  # the function's own scope
    cls: ClassInfo | None  # the class it is a method of
    returns: list[cst.BaseExpression] = field(default_factory=list)
    decorators: tuple[str, ...] = ()

    @property
    def params(self) -> list[cst.Param]:
        p = self.node.params
        return [*p.posonly_params, *p.params, *p.kwonly_params]

    @property
    def is_static(self) -> bool:
        return "staticmethod" in self.decorators

    @property
    def is_classmethod(self) -> bool:
        return "classmethod" in self.decorators


@dataclass(eq=False)
class ClassInfo:
    name: str
    node: cst.ClassDef
    scope: Scope  # the class body's scope
    module: ModuleIndex
    bases: list[cst.BaseExpression] = field(default_factory=list)
    methods: dict[str, FunctionInfo] = field(default_factory=dict)
    # Class-level assignments and `self.x = ...` in any method, each with its scope.
    attributes: dict[str, list[Binding]] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class StringSite:
    """A string literal that names Procore, with what its surroundings say about it."""

    node: StringNode
    scope: Scope
    name_hint: str | None  # the name it is bound to: variable, keyword, dict key, parameter
    inert: bool  # a docstring, a comparison operand, a pattern: never a request
    bound_to: str | None = None  # the variable whose assignment contains it, at any depth
    # The statement `NAME = "<this literal>"`, when the literal is its whole value.
    statement: cst.SimpleStatementLine | None = None


@dataclass(frozen=True, eq=False)
class ExprSite:
    node: cst.BaseExpression
    scope: Scope


MUTATING_METHODS = frozenset({"update", "setdefault", "add_header", "putheader"})


@dataclass(frozen=True, eq=False)
class Mutation:
    """A change to a container: `container[key] = value` or `container.update(...)`."""

    container: cst.BaseExpression
    scope: Scope
    key: cst.BaseExpression | None  # None: `update(...)` with `argument`, or a whole assignment
    value: cst.BaseExpression | None
    argument: cst.Arg | None = None
    conditional: bool = False  # inside an if/loop/try: not on every path
    # "item": container[key] = value; "update": container.update(argument);
    # "assign": `obj.attr = value` replaces the attribute (`session.headers = {...}`).
    kind: Literal["item", "update", "assign"] = "item"


class ModuleIndex:
    """The index of one parsed module."""

    def __init__(self, project: Project, source: SourceFile, tree: cst.Module) -> None:
        self.project = project
        self.source = source
        self.path = source.path
        self.tree = tree
        self.scope = Scope("module", self, None)
        self.classes: list[ClassInfo] = []
        self.functions: list[FunctionInfo] = []
        self.strings: list[StringSite] = []
        self.composites: list[ExprSite] = []  # f-strings with parts, +, %, .format, joins
        self.calls: list[ExprSite] = []
        # `x[k] = v`, `x.update(...)`, `x.setdefault(k, v)`, `x.add_header(k, v)`: changes to
        # a container after it was made (headers dicts, session defaults, requests).
        self.mutations: list[Mutation] = []
        # A token request with the client credentials grant is written here (a dict entry
        # `"grant_type": "client_credentials"` or a form body naming it).
        self.client_credentials = False
        # `target = <value>` statements, by id of the value: where to add a line after it.
        self.assignments: dict[int, tuple[cst.SimpleStatementLine, cst.BaseExpression]] = {}
        self._offsets: ModuleOffsets | None = None
        self._lines: LineIndex | None = None
        collector = _Collector(self)
        collector.walk(tree)
        self._homes = collector.homes
        # Names whose every use is a pattern (`url.startswith(LEGACY)`, `x == LEGACY`):
        # the URLs they hold are things to look for, not places to call.
        self.pattern_names: frozenset[str] = frozenset(
            name for name, inert in collector.inert_uses.items()
            if inert >= collector.uses.get(name, 0)
        )

    def close(self) -> None:
        """Break the cycles between this module's scopes, bindings, functions and classes
        (see Project.close); the index cannot be used afterwards."""
        scopes = [self.scope, *(f.scope for f in self.functions),
                  *(c.scope for c in self.classes)]
        for scope in scopes:
            scope.bindings.clear()
            scope.function = scope.cls = None
        for cls in self.classes:
            cls.methods.clear()
            cls.attributes.clear()
        self.__dict__.clear()

    # Positions cost code generation (see mpz_lint.positions): done only for the
    # statements that hold a node somebody asks about.
    def span_of(self, node: cst.CSTNode) -> tuple[int, int]:
        """Character offsets of `node` in the module's text (syntactic: no whitespace)."""
        if self._offsets is None:
            self._offsets = ModuleOffsets(self.tree, self.source.text, self._homes)
        return self._offsets.span(node)

    def round_trips(self) -> bool:
        """Whether the positions handed out match the text byte for byte, so that fixes
        keep every other byte (libcst does give back what it parsed, but we check)."""
        return self._offsets is None or self._offsets.matches_text()

    def start_of(self, node: cst.CSTNode) -> Location:
        return self.lines.location(self.span_of(node)[0])

    def end_of(self, node: cst.CSTNode) -> Location:
        return self.lines.location(self.span_of(node)[1])

    @property
    def lines(self) -> LineIndex:
        """Rows and columns of the module's text (made once, for the modules that report)."""
        if self._lines is None:
            self._lines = LineIndex(self.source.text)
        return self._lines


def dotted_name(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def string_value(node: cst.SimpleString) -> str | bytes:
    """The value of a string literal (libcst's `evaluated_value`), evaluated once per
    spelling: a client codebase repeats the same few URLs and header names everywhere."""
    return _literal_value(node.value)


@lru_cache(maxsize=16384)
def _literal_value(spelling: str) -> str | bytes:
    value: str | bytes = ast.literal_eval(spelling)
    return value


@lru_cache(maxsize=16384)
def literal_spelling(raw: str) -> tuple[str, int, bool] | None:
    """For a string literal spelled `raw`: its value, where the value's text starts in
    `raw`, and whether `raw` spells the value as it is (no escapes, so offsets map one to
    one); None for bytes. Once per spelling, as `string_value`."""
    value = _literal_value(raw)
    if not isinstance(value, str):
        return None
    prefix_length = min(i for i in (raw.find('"'), raw.find("'")) if i >= 0)
    quote = raw[prefix_length:prefix_length + 3]
    if quote not in ('"""', "'''"):
        quote = quote[0]
    opening = prefix_length + len(quote)
    return value, opening, raw[opening:len(raw) - len(quote)] == value


def raw_text_has_procore(node: StringNode) -> bool:
    if isinstance(node, cst.SimpleString):
        return "procore" in node.value.lower()
    if isinstance(node, cst.FormattedString):
        return any(
            isinstance(p, cst.FormattedStringText) and "procore" in p.value.lower()
            for p in node.parts
        )
    parts = (node.left, node.right)
    return any(isinstance(p, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))
               and raw_text_has_procore(p) for p in parts)


class _Collector(TreeWalker):
    """Fills a ModuleIndex in one walk."""

    def __init__(self, index: ModuleIndex) -> None:
        super().__init__()
        self.index = index
        self.scopes: list[Scope] = [index.scope]
        self.functions: list[FunctionInfo | None] = [None]
        self.name_hints: dict[int, str] = {}
        self.inert: set[int] = set()
        self.inside_string = 0
        self.conditional = 0
        self.assigned: list[str] = []  # targets of the assignments being visited
        self.lines: list[cst.SimpleStatementLine] = []
        # `for key, value in extra.items():` being visited: key name -> (value name, extra)
        self.loop_items: dict[str, tuple[str, cst.BaseExpression]] = {}
        self.assignment_lines: dict[int, cst.SimpleStatementLine] = {}
        self.uses: dict[str, int] = {}  # loads of each name
        self.inert_uses: dict[str, int] = {}  # loads of each name as a pattern

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    # --- scopes ------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        outer = self.scope
        body = Scope("class", self.index, outer)
        info = ClassInfo(node.name.value, node, body, self.index,
                         bases=[arg.value for arg in node.bases if arg.keyword is None])
        body.cls = info
        outer.bind(node.name.value, Binding("class", outer, cls=info))
        self.index.classes.append(info)
        self.scopes.append(body)
        self.functions.append(None)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()
        self.functions.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        outer = self.scope
        owner = outer.cls if outer.kind == "class" else None
        # Functions see enclosing functions and the module, never a class body.
        parent = outer
        while parent.kind == "class" and parent.parent is not None:
            parent = parent.parent
        own = Scope("function", self.index, parent)
        decorators = tuple(filter(None, (dotted_name(d.decorator) for d in node.decorators)))
        info = FunctionInfo(node.name.value, node, own, owner, decorators=decorators)
        own.function = info
        own.cls = owner
        outer.bind(node.name.value, Binding("def", outer, function=info))
        if owner is not None:
            owner.methods[node.name.value] = info
        self.index.functions.append(info)
        for param in info.params:
            own.bind(param.name.value, Binding("param", own, param=param, function=info,
                                               annotation=_annotation(param.annotation)))
            if param.default is not None:
                self.name_hints[id(param.default)] = param.name.value
        for star in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(star, cst.Param):
                own.bind(star.name.value, Binding("unknown", own, why=f"*{star.name.value}"))
        self.scopes.append(own)
        self.functions.append(info)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()
        self.functions.pop()

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.scope.globals_.add(item.name.value)

    # --- bindings ----------------------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind_target(target.target, node.value)
        first = node.targets[0].target if node.targets else None
        self.assigned.append(first.value if isinstance(first, cst.Name) else "")
        if isinstance(first, cst.Name) and len(node.targets) == 1 and self.lines:
            self.assignment_lines[id(node.value)] = self.lines[-1]
        if first is not None and len(node.targets) == 1 and self.lines:
            self.index.assignments[id(node.value)] = (self.lines[-1], first)
        # Only the value is a use of names; the targets are stores.
        self.walk(node.value)
        self.assigned.pop()
        return False  # type: ignore[return-value]

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        self.lines.append(node)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine) -> None:
        self.lines.pop()

    def visit_Name(self, node: cst.Name) -> None:
        self.uses[node.value] = self.uses.get(node.value, 0) + 1
        if id(node) in self.inert:
            self.inert_uses[node.value] = self.inert_uses.get(node.value, 0) + 1

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        self.walk(node.value)  # `obj.attr`: the attribute's name is not a use of a name
        return False

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if isinstance(node.target, cst.Name):
            self.scope.bind(node.target.value, Binding(
                "assign" if node.value is not None else "unknown", self.scope,
                value=node.value, annotation=node.annotation.annotation,
                why="annotated without a value"))
            if node.value is not None:
                self.name_hints[id(node.value)] = node.target.value
        else:
            self._bind_target(node.target, node.value, node.annotation.annotation)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and isinstance(node.operator, cst.AddAssign):
            # `url += "/rest/v1.0"`: the name may hold old + new; keep it an unknown part.
            self.scope.bind(node.target.value, Binding("unknown", self.scope, why="+="))

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_target(node.target, node.value)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression | None,
                     annotation: cst.BaseExpression | None = None) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding("assign", self.scope, value=value,
                                                  annotation=annotation))
            if value is not None:
                self.name_hints.setdefault(id(value), target.value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            values = value.elements if isinstance(value, (cst.Tuple, cst.List)) else None
            for i, element in enumerate(target.elements):
                if isinstance(element, cst.StarredElement):
                    continue
                item = values[i].value if values is not None and i < len(values) else None
                if item is None:
                    if isinstance(element.value, cst.Name):
                        self.scope.bind(element.value.value,
                                        Binding("unknown", self.scope, why="unpacking"))
                else:
                    self._bind_target(element.value, item)
        elif isinstance(target, cst.Attribute) and value is not None:
            if not self._bind_attribute(target, value, annotation):
                self.index.mutations.append(Mutation(
                    target, self.scope, None, value, conditional=self.conditional > 0,
                    kind="assign"))
        elif isinstance(target, cst.Subscript) and value is not None:
            if len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index):
                key = target.slice[0].slice.value
                copied = self.loop_items.get(key.value) if isinstance(key, cst.Name) else None
                if copied is not None and isinstance(value, cst.Name) and value.value == copied[0]:
                    # `for k, v in extra.items(): headers[k] = v` is headers.update(extra).
                    self.index.mutations.append(Mutation(
                        target.value, self.scope, None, None, cst.Arg(copied[1]),
                        self.conditional > 1, kind="update"))
                    return
                self.index.mutations.append(Mutation(
                    target.value, self.scope, key, value, conditional=self.conditional > 0))

    def _bind_attribute(self, target: cst.Attribute, value: cst.BaseExpression,
                        annotation: cst.BaseExpression | None) -> bool:
        """`self.x = v` in a method: an attribute of the method's class (True if so)."""
        function = self.functions[-1]
        if function is None or function.cls is None or not isinstance(target.value, cst.Name):
            return False
        params = function.params
        if not params or function.is_static or params[0].name.value != target.value.value:
            return False
        function.cls.attributes.setdefault(target.attr.value, []).append(
            Binding("assign", self.scope, value=value, annotation=annotation))
        self.name_hints.setdefault(id(value), target.attr.value)
        return True

    def leave_Assign(self, original_node: cst.Assign) -> None:
        self._class_attribute(original_node.targets[0].target if original_node.targets else None)

    def leave_AnnAssign(self, original_node: cst.AnnAssign) -> None:
        self._class_attribute(original_node.target)

    def _class_attribute(self, target: cst.BaseExpression | None) -> None:
        scope = self.scope
        if scope.kind == "class" and scope.cls is not None and isinstance(target, cst.Name):
            for binding in scope.bindings.get(target.value, [])[-1:]:
                scope.cls.attributes.setdefault(target.value, []).append(binding)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.scope.bind(alias.asname.name.value,
                                Binding("import", self.scope, module=full))
            else:
                # `import a.b` binds `a`, the top-level package.
                top = full.split(".", 1)[0]
                self.scope.bind(top, Binding("import", self.scope, module=top))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        base = "." * len(node.relative) + (dotted_name(node.module) or "" if node.module else "")
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = dotted_name(alias.name) or ""
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.scope.bind(local, Binding("import", self.scope, module=base, name=name))

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if item.asname is not None:
                # Sessions and clients return themselves from __enter__.
                self._bind_with(item.asname.name, item.item)

    def _bind_with(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding("with", self.scope, value=value))

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_unknown(node.target, "loop variable")

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None:
            self._bind_unknown(node.name.name, "exception")

    def _bind_unknown(self, target: cst.BaseExpression, why: str) -> None:
        if isinstance(target, cst.Name):
            self.scope.bind(target.value, Binding("unknown", self.scope, why=why))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_unknown(element.value, why)

    def visit_Return(self, node: cst.Return) -> None:
        function = self.functions[-1]
        if function is not None and node.value is not None:
            function.returns.append(node.value)

    # --- context of string literals ----------------------------------------------------

    def visit_Expr(self, node: cst.Expr) -> None:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString,
                                   cst.FormattedString)):
            self.inert.add(id(node.value))  # a docstring or a bare string statement

    def visit_Comparison(self, node: cst.Comparison) -> None:
        self.inert.add(id(node.left))
        for target in node.comparisons:
            self.inert.add(id(target.comparator))
            # `x in ("app.procore.com", ...)`: the container's elements too
            if isinstance(target.comparator, (cst.Tuple, cst.List, cst.Set)):
                for element in target.comparator.elements:
                    self.inert.add(id(element.value))

    # Statements whose body may not run: a header set there is not set on every path.
    def visit_If(self, node: cst.If) -> None:
        self.conditional += 1

    def leave_If(self, original_node: cst.If) -> None:
        self.conditional -= 1

    def visit_For(self, node: cst.For) -> None:
        self._bind_unknown(node.target, "loop variable")
        self.conditional += 1
        target, source = node.target, node.iter
        if (isinstance(target, cst.Tuple) and len(target.elements) == 2
                and all(isinstance(e.value, cst.Name) for e in target.elements)
                and isinstance(source, cst.Call) and not source.args
                and isinstance(source.func, cst.Attribute) and source.func.attr.value == "items"):
            key, value = (e.value for e in target.elements)
            assert isinstance(key, cst.Name) and isinstance(value, cst.Name)
            self.loop_items[key.value] = (value.value, source.func.value)

    def leave_For(self, original_node: cst.For) -> None:
        self.conditional -= 1
        target = original_node.target
        if isinstance(target, cst.Tuple) and target.elements:
            first = target.elements[0].value
            if isinstance(first, cst.Name):
                self.loop_items.pop(first.value, None)

    def visit_While(self, node: cst.While) -> None:
        self.conditional += 1

    def leave_While(self, original_node: cst.While) -> None:
        self.conditional -= 1

    def visit_Try(self, node: cst.Try) -> None:
        self.conditional += 1

    def leave_Try(self, original_node: cst.Try) -> None:
        self.conditional -= 1

    def visit_Call(self, node: cst.Call) -> None:
        self.index.calls.append(ExprSite(node, self.scope))
        func = node.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            if method in MUTATING_METHODS and node.args:
                positional = [a for a in node.args if a.keyword is None and not a.star]
                if method == "update":
                    for arg in node.args:
                        self.index.mutations.append(Mutation(
                            func.value, self.scope, None, None, arg, self.conditional > 0,
                            kind="update"))
                elif len(positional) >= 2:
                    self.index.mutations.append(Mutation(
                        func.value, self.scope, positional[0].value, positional[1].value,
                        conditional=self.conditional > 0))
            if method in _STR_PATTERN_METHODS:
                for arg in node.args:
                    self.inert.add(id(arg.value))
                    if isinstance(arg.value, (cst.Tuple, cst.List)):
                        for element in arg.value.elements:
                            self.inert.add(id(element.value))
            if method in ("format", "join"):
                self.index.composites.append(ExprSite(node, self.scope))
        if isinstance(func, (cst.Name, cst.Attribute)):
            name = func.value if isinstance(func, cst.Name) else func.attr.value
            if name in ("urljoin", "join"):
                self.index.composites.append(ExprSite(node, self.scope))
        for arg in node.args:
            if arg.keyword is not None:
                self.name_hints.setdefault(id(arg.value), arg.keyword.value)

    def visit_DictElement(self, node: cst.DictElement) -> None:
        if isinstance(node.key, cst.SimpleString):
            key = string_value(node.key)
            if isinstance(key, str):
                self.name_hints.setdefault(id(node.value), key)
                if (key == "grant_type" and isinstance(node.value, cst.SimpleString)
                        and string_value(node.value) == knowledge.SERVICE_ACCOUNT_GRANT):
                    self.index.client_credentials = True

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if isinstance(node.operator, (cst.Add, cst.Modulo)):
            self.index.composites.append(ExprSite(node, self.scope))

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        if any(isinstance(p, cst.FormattedStringExpression) for p in node.parts):
            self.index.composites.append(ExprSite(node, self.scope))
        if self.inside_string == 0:
            self._string(node)
        return True

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        if self.inside_string == 0:
            self._string(node)
        self.inside_string += 1
        return True

    def leave_ConcatenatedString(self, original_node: cst.ConcatenatedString) -> None:
        self.inside_string -= 1

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if self.inside_string == 0:
            self._string(node)
        if ("grant_type=client_credentials" in node.value and id(node) not in self.inert):
            self.index.client_credentials = True  # a form-encoded token request body

    def _string(self, node: StringNode) -> None:
        if raw_text_has_procore(node):
            bound_to = self.assigned[-1] if self.assigned and self.assigned[-1] else None
            hint = self.name_hints.get(id(node))
            if hint is None or (bound_to and role_from_name(hint) is None):
                # `URL = os.getenv("X", default="...")`: "default" says nothing, URL may.
                hint = bound_to or hint
            self.index.strings.append(StringSite(
                node, self.scope, hint, id(node) in self.inert, bound_to,
                self.assignment_lines.get(id(node))))


def _annotation(annotation: cst.Annotation | None) -> cst.BaseExpression | None:
    return annotation.annotation if annotation is not None else None
