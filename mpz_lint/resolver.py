"""Value flow: what an expression can hold, as far as the checked project tells.

`Resolver.resolve(expr, scope)` answers with a short list of alternatives (branches,
parameters with several callers, an environment variable with a default). A string comes
back as parts: known text, each remembering the literal it was written in (its Origin),
and holes for what cannot be known. Dicts come back as entries, so the header rules can
ask the same resolver which headers a request sends.

It follows names through scopes, module constants, imports between project modules,
class and `self.` attributes (assigned in any method, inherited), parameter defaults and
the arguments of every caller in the project, return values of project functions (with
the caller's arguments bound), f-strings, `+`, `%`, `str.format`, `urljoin`,
`posixpath.join`, environment reads (their default, else the value the project's `.env`
files give), dataclass and pydantic field defaults, dict literals, `dict()`, `**` and `|`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

import libcst as cst

from mpz_lint.pyindex import (
    Binding,
    ClassInfo,
    FunctionInfo,
    ModuleIndex,
    Mutation,
    Scope,
    dotted_name,
    literal_spelling,
    string_value,
)
from mpz_lint.urls import HOLE

if TYPE_CHECKING:
    from mpz_lint.project import Project

MAX_ALTERNATIVES = 12
# ("name", scope id, name) | ("attr", class id, attribute) | ("obj", call id, attribute)
ContainerKey = tuple[str, int, str]
MAX_DEPTH = 60

# --- values ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Origin:
    """Where a piece of known text is written: a literal in a Python file (`node`, with
    `offset` the index in the node's raw source where the value's text starts), or a span
    of a config file (`offset` its start in the file's text). `exact` is False when the raw
    source spells the text differently (escapes), so it cannot be edited in place."""

    path: str
    node: cst.CSTNode | None
    offset: int
    exact: bool
    name_hint: str | None = None


@dataclass(frozen=True)
class Text:
    text: str
    origin: Origin | None
    at: int = 0  # where `text` starts inside the origin's value

    def slice(self, start: int, end: int | None = None) -> Text:
        end = len(self.text) if end is None else end
        return Text(self.text[start:end], self.origin, self.at + start)


@dataclass(frozen=True)
class Hole:
    why: str


Part = Union[Text, Hole]


class Value:
    """Base of everything the resolver can answer."""


@dataclass(frozen=True, eq=False)
class Str(Value):
    parts: tuple[Part, ...]

    def flat(self) -> str:
        """The text with every unknown part as one HOLE character."""
        return "".join(p.text if isinstance(p, Text) else HOLE for p in self.parts)

    def known(self) -> str | None:
        """The whole text, if every part is known."""
        if all(isinstance(p, Text) for p in self.parts):
            return "".join(p.text for p in self.parts)  # type: ignore[union-attr]
        return None

    def locate(self, index: int) -> tuple[Part, int]:
        """The part holding flat index `index`, and the index inside that part."""
        for part in self.parts:
            size = len(part.text) if isinstance(part, Text) else 1
            if index < size:
                return part, index
            index -= size
        raise IndexError(index)

    def split_at(self, index: int) -> tuple[Str, Str]:
        head: list[Part] = []
        tail: list[Part] = []
        for part in self.parts:
            size = len(part.text) if isinstance(part, Text) else 1
            if index >= size:
                head.append(part)
            elif index <= 0:
                tail.append(part)
            else:
                assert isinstance(part, Text)
                head.append(part.slice(0, index))
                tail.append(part.slice(index))
            index -= size
        return Str(tuple(head)), Str(tuple(tail))

    def __add__(self, other: Str) -> Str:
        return Str(self.parts + other.parts)


def unknown_str(why: str) -> Str:
    return Str((Hole(why),))


def text_str(text: str) -> Str:
    return Str((Text(text, None),))


@dataclass(frozen=True, eq=False)
class IntValue(Value):
    """A value known to be an int (a literal, `int(...)`, or annotated `int`)."""

    node: cst.CSTNode | None = None


@dataclass(frozen=True, eq=False)
class DictEntry:
    key: Str | None  # None for an entry whose key is unknown
    key_node: cst.BaseExpression | None
    value: cst.BaseExpression | None
    scope: Scope | None
    context: CallContext | None = None
    conditional: bool = False  # set inside an if/loop/try, so not on every path


@dataclass(frozen=True, eq=False)
class DictValue(Value):
    entries: tuple[DictEntry, ...]
    unknown: tuple[str, ...] = ()  # why some entries may be missing (`**kwargs`, ...)


@dataclass(frozen=True, eq=False)
class External(Value):
    """Something from outside the project, by qualified name: `requests.get`, `os.environ`."""

    qualname: str


@dataclass(frozen=True, eq=False)
class Instance(Value):
    """An object made by calling a class: a project class, an external one, or both (a
    project class deriving from `requests.Session`)."""

    cls: ClassInfo | None
    external: str | None
    call: cst.Call | None = None
    scope: Scope | None = None
    context: CallContext | None = None


@dataclass(frozen=True, eq=False)
class FunctionValue(Value):
    function: FunctionInfo
    bound: Value | None = None  # the instance a method is bound to


@dataclass(frozen=True, eq=False)
class ClassValue(Value):
    cls: ClassInfo


@dataclass(frozen=True, eq=False)
class ModuleValue(Value):
    module: ModuleIndex


@dataclass(frozen=True, eq=False)
class Method(Value):
    """A method of an external object or of a string: `session.get`, `"...".format`."""

    receiver: Value
    name: str


@dataclass(frozen=True, eq=False)
class NoneValue(Value):
    """The value None (`headers=None`: no headers at all)."""


@dataclass(frozen=True, eq=False)
class Unknown(Value):
    why: str


@dataclass(frozen=True, eq=False)
class CallContext:
    """The arguments of one call of a project function, for resolving its parameters."""

    function: FunctionInfo
    call: cst.Call
    scope: Scope  # the caller's scope
    outer: CallContext | None
    bound: Value | None  # `self` for a method call
    depth: int = 0


# --- qualified names we give meaning to ------------------------------------------------

ENV_READERS = frozenset(
    {"os.getenv", "os.environ.get", "os.environ.setdefault", "decouple.config",
     "os.environ.__getitem__"}
)
URL_JOIN = frozenset({"urllib.parse.urljoin", "urlparse.urljoin", "requests.compat.urljoin"})
PATH_JOIN = frozenset({"posixpath.join", "os.path.join"})
FIELD_FACTORIES = frozenset(
    {"dataclasses.field", "pydantic.Field", "pydantic.fields.Field", "attr.ib", "attrs.field",
     "attr.attrib"}
)
# Objects whose attributes are the project's settings modules' constants.
SETTINGS_OBJECTS = frozenset({"django.conf.settings"})
_STR_IDENTITY_METHODS = frozenset({"strip", "lstrip", "rstrip", "lower", "casefold"})
_PRINTF = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_FORMAT_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


class Resolver:
    """Answers what expressions can hold, for one project. Built once per run."""

    def __init__(self, project: Project) -> None:
        self.project = project
        # Keyed by the context object itself, not its id(): a freed context's id is reused.
        self._memo: dict[tuple[int, int, CallContext | None], list[Value]] = {}
        self._active: set[tuple[int, int, CallContext | None]] = set()
        self._depth = 0
        # Import bindings being followed: `from . import x` in a package whose `x` is not
        # a module of the project names the package's own binding of `x` again.
        self._importing: set[int] = set()
        self._call_sites: dict[int, list[tuple[cst.Call, Scope]]] | None = None
        self._env: dict[str, list[Text]] | None = None
        self._attribute_owners: dict[str, list[ClassInfo]] | None = None
        self._mutations: dict[ContainerKey, list[Mutation]] | None = None

    # --- entry points ------------------------------------------------------------------

    def resolve(
        self, node: cst.BaseExpression, scope: Scope, context: CallContext | None = None
    ) -> list[Value]:
        key = (id(node), id(scope), context)
        cached = self._memo.get(key)
        if cached is not None:
            return cached
        if key in self._active or self._depth > MAX_DEPTH:
            return [Unknown("recursive definition")]
        self._active.add(key)
        self._depth += 1
        try:
            values = self._resolve(node, scope, context)
        finally:
            self._depth -= 1
            self._active.discard(key)
        if len(values) > 1:  # most expressions have one value: nothing to compare
            values = _dedupe(values)[:MAX_ALTERNATIVES]
        self._memo[key] = values
        return values

    def strings(
        self, node: cst.BaseExpression, scope: Scope, context: CallContext | None = None
    ) -> list[Str]:
        """The string alternatives of `node` (anything not a string becomes a hole)."""
        return [as_str(v) for v in self.resolve(node, scope, context)]

    def literal(self, node: cst.BaseExpression, module: ModuleIndex,
                name_hint: str | None = None) -> Str:
        """A string literal's own value, its expressions left as holes."""
        return self._literal(node, module.path, name_hint, None, None)

    # --- the cases ---------------------------------------------------------------------

    def _resolve(
        self, node: cst.BaseExpression, scope: Scope, context: CallContext | None
    ) -> list[Value]:
        # Looked up by the node's class: `isinstance` against libcst's classes goes
        # through ABCMeta, and this runs for every expression the rules ask about.
        case = _CASES.get(type(node))
        if case is None:
            case = _case_for(type(node))
        return case(self, node, scope, context)

    def _string_case(self, node: cst.BaseExpression, scope: Scope,
                     context: CallContext | None) -> list[Value]:
        return list(self._string_literal(node, scope, context))

    def _name_case(self, node: cst.Name, scope: Scope,
                   context: CallContext | None) -> list[Value]:
        if node.value == "None":
            return [NoneValue()]
        return self._name(node.value, scope, context)

    def _either_case(self, node: cst.IfExp | cst.BooleanOperation, scope: Scope,
                     context: CallContext | None) -> list[Value]:
        # `a if c else b`; `os.getenv("URL") or "https://..."`: either side may be the value.
        first, second = ((node.body, node.orelse) if isinstance(node, cst.IfExp)
                         else (node.left, node.right))
        return self.resolve(first, scope, context) + self.resolve(second, scope, context)

    def _string_literal(
        self, node: cst.BaseExpression, scope: Scope, context: CallContext | None
    ) -> Iterator[Str]:
        yield from self._expand(self._literal(node, scope.module.path, None, scope, context))

    def _literal(self, node: cst.BaseExpression, path: str, name_hint: str | None,
                 scope: Scope | None, context: CallContext | None) -> Str:
        """The literal's parts; with a scope, f-string expressions become markers that
        `_expand` replaces by their values."""
        if isinstance(node, cst.SimpleString):
            spelled = literal_spelling(node.value)
            if spelled is None:
                return unknown_str("bytes")
            value, opening, exact = spelled
            return Str((Text(value, Origin(path, node, opening, exact, name_hint)),))
        if isinstance(node, cst.ConcatenatedString):
            left = self._literal(node.left, path, name_hint, scope, context)
            right = self._literal(node.right, path, name_hint, scope, context)
            return left + right
        if isinstance(node, cst.FormattedString):
            parts: list[Any] = []
            for part in node.parts:
                if isinstance(part, cst.FormattedStringText):
                    text = part.value.replace("{{", "{").replace("}}", "}")
                    exact = text == part.value and "\\" not in part.value
                    parts.append(Text(text, Origin(path, part, 0, exact, name_hint)))
                elif (scope is None or not isinstance(part, cst.FormattedStringExpression)
                      or part.format_spec or part.conversion not in (None, "s")):
                    parts.append(Hole("f-string expression"))
                else:
                    parts.append(_Pending(part.expression, scope, context))
            return Str(tuple(parts))
        return unknown_str(type(node).__name__)

    def _expand(self, value: Str) -> Iterator[Str]:
        """Replace f-string expression markers by the alternatives of their values."""
        results = [Str(())]
        for part in value.parts:
            if isinstance(part, _Pending):
                options = self.strings(part.node, part.scope, part.context)
                results = [r + o for r in results for o in options][:MAX_ALTERNATIVES]
            else:
                results = [r + Str((part,)) for r in results]
        yield from results

    def _name(self, name: str, scope: Scope, context: CallContext | None) -> list[Value]:
        current: Scope | None = scope
        while current is not None:
            bindings = current.bindings.get(name)
            if bindings:
                values: list[Value] = []
                for binding in bindings:
                    values.extend(self._binding(name, binding, context))
                return self._with_mutations(values, ("name", id(current), name), context)
            current = current.parent
        if name in _BUILTINS:
            return [External(name)]
        return [Unknown(f"name {name!r} is not defined here")]

    def _binding(self, name: str, binding: Binding, context: CallContext | None) -> list[Value]:
        kind = binding.kind
        own_context = context if (context is not None and binding.scope.function is not None
                                  and context.function is binding.scope.function) else None
        if kind in ("assign", "with"):
            if binding.value is None:
                return [Unknown(f"{name!r} has no value")]
            values = self.resolve(binding.value, binding.scope, own_context)
            if binding.annotation is not None and _is_int_annotation(binding.annotation):
                values = [*values, IntValue(None)]
            return values
        if kind == "param":
            assert binding.param is not None and binding.function is not None
            return self._parameter(binding.param, binding.function, binding.annotation, context)
        if kind == "import":
            return self._import(binding)
        if kind == "def":
            assert binding.function is not None
            return [FunctionValue(binding.function)]
        if kind == "class":
            assert binding.cls is not None
            return [ClassValue(binding.cls)]
        return [Unknown(binding.why or f"{name!r} cannot be followed")]

    def _import(self, binding: Binding) -> list[Value]:
        if id(binding) in self._importing:
            return [Unknown("import cycle")]
        self._importing.add(id(binding))
        try:
            return self._follow_import(binding)
        finally:
            self._importing.discard(id(binding))

    def _follow_import(self, binding: Binding) -> list[Value]:
        module_name = binding.module or ""
        importer = binding.scope.module.path
        if binding.name is None:
            path = self.project.resolve_module(importer, module_name)
            module = self.project.module(path) if path else None
            return [ModuleValue(module)] if module else [External(module_name)]
        # `from pkg import name`: a submodule first, then an attribute of the package.
        sub = f"{module_name}.{binding.name}" if module_name.strip(".") else module_name + binding.name
        path = self.project.resolve_module(importer, sub)
        if path is not None:
            module = self.project.module(path)
            if module is not None:
                return [ModuleValue(module)]
        path = self.project.resolve_module(importer, module_name)
        if path is not None:
            module = self.project.module(path)
            if module is not None:
                return self._name(binding.name, module.scope, None)
            return [Unknown(f"{path} does not parse")]
        return [External(f"{module_name.lstrip('.')}.{binding.name}")]

    def _parameter(self, param: cst.Param, function: FunctionInfo,
                   annotation: cst.BaseExpression | None,
                   context: CallContext | None) -> list[Value]:
        name = param.name.value
        params = function.params
        is_self = (function.cls is not None and not function.is_static and params
                   and params[0] is param)
        if is_self:
            if context is not None and context.function is function and context.bound:
                return [context.bound]
            assert function.cls is not None
            if function.is_classmethod:
                return [ClassValue(function.cls)]
            return [Instance(function.cls, self.external_base(function.cls))]
        if context is not None and context.function is function:
            argument = _argument_for(function, param, context.call, context.bound is not None)
            if argument is not None:
                return self.resolve(argument, context.scope, context.outer)
            if param.default is not None:
                return self.resolve(param.default, function.scope.parent or function.scope)
            return [Unknown(f"parameter {name!r}")]
        values: list[Value] = []
        if annotation is not None:
            typed = self._annotation_value(annotation, function.scope)
            if typed is not None:
                values.append(typed)
        if param.default is not None:
            values.extend(self.resolve(param.default, function.scope.parent or function.scope))
        for call, caller_scope in self.call_sites(function):
            argument = _argument_for(function, param, call, _is_bound_call(call, function))
            if argument is not None:
                values.extend(self.resolve(argument, caller_scope))
            if len(values) >= MAX_ALTERNATIVES:
                break
        if not values:
            return [Unknown(f"parameter {name!r} of {function.name}() with no caller in the project")]
        return values

    def _annotation_value(self, annotation: cst.BaseExpression, scope: Scope) -> Value | None:
        if _is_int_annotation(annotation):
            return IntValue(None)
        if isinstance(annotation, cst.Name) and annotation.value == "str":
            return unknown_str("a str parameter")
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            for value in self.resolve(annotation, scope):
                if isinstance(value, External):
                    return Instance(None, value.qualname)
                if isinstance(value, ClassValue):
                    return Instance(value.cls, self.external_base(value.cls))
        if isinstance(annotation, cst.SimpleString):  # "httpx.Client" as a forward reference
            text = string_value(annotation)
            if isinstance(text, str):
                try:
                    return self._annotation_value(cst.parse_expression(text), scope)
                except cst.ParserSyntaxError:
                    return None
        return None

    def _attribute(self, node: cst.Attribute, scope: Scope,
                   context: CallContext | None) -> list[Value]:
        name = node.attr.value
        values: list[Value] = []
        for owner in self.resolve(node.value, scope, context):
            values.extend(self.attribute_of(owner, name, node))
        return values

    def attribute_of(self, owner: Value, name: str, node: cst.CSTNode | None = None) -> list[Value]:
        if isinstance(owner, ModuleValue):
            return self._name(name, owner.module.scope, None)
        if isinstance(owner, External):
            if owner.qualname in SETTINGS_OBJECTS:
                found = self._project_setting(name)
                if found:
                    return found
            return [External(f"{owner.qualname}.{name}")]
        if isinstance(owner, (Instance, ClassValue)):
            cls = owner.cls
            if cls is not None:
                assigned = self.class_attribute(cls, name, owner)
                if assigned is not None:
                    return assigned
            if isinstance(owner, Instance) and owner.external is not None:
                return [Method(owner, name)]
            if cls is not None:
                return [Unknown(f"{cls.name}.{name} is not assigned in the project")]
        if isinstance(owner, (Str, DictValue)):
            return [Method(owner, name)]
        if isinstance(owner, Unknown):
            # An object we could not follow: if exactly one project class has this
            # attribute, that is where the value comes from (settings objects, configs).
            owners = self._classes_with_attribute(name)
            if len(owners) == 1:
                unique = self.class_attribute(owners[0], name, None)
                if unique is not None:
                    return unique
            return [Unknown(f"{owner.why}, attribute {name!r}")]
        return [Unknown(f"attribute {name!r}")]

    def _project_setting(self, name: str) -> list[Value]:
        """`django.conf.settings.NAME`: the NAME of the project's settings modules."""
        values: list[Value] = []
        for module in self.project.modules():
            stem = module.path.replace("\\", "/")
            if stem.endswith("settings.py") or "/settings/" in stem:
                if name in module.scope.bindings:
                    values.extend(self._name(name, module.scope, None))
        return values

    def class_attribute(self, cls: ClassInfo, name: str, owner: Value | None,
                        seen: frozenset[int] = frozenset()) -> list[Value] | None:
        """The values of `cls.name` (class body, `self.name = ...`, methods), with bases."""
        if id(cls) in seen:
            return None
        method = cls.methods.get(name)
        if method is not None:
            bound = owner if isinstance(owner, Instance) else None
            if bound is not None and any(d.rsplit(".", 1)[-1] in ("property", "cached_property")
                                         for d in method.decorators):
                # A property reads as the value its getter returns.
                got: list[Value] = []
                context = CallContext(method, cst.Call(cst.Name(name)), method.scope, None,
                                      bound, 1)
                for returned in method.returns:
                    got.extend(self.resolve(returned, method.scope, context))
                return got or [Unknown(f"property {name} returns nothing we can follow")]
            return [FunctionValue(method, bound)]
        bindings = cls.attributes.get(name)
        if bindings:
            values: list[Value] = []
            for binding in bindings:
                if binding.value is None:
                    if binding.annotation is not None and _is_int_annotation(binding.annotation):
                        values.append(IntValue(None))
                    continue
                values.extend(self._field_default(binding))
                if binding.annotation is not None and _is_int_annotation(binding.annotation):
                    values.append(IntValue(None))
            if self._is_settings_class(cls):
                values.extend(Str((t,)) for t in self.env_values(name))
            values = self._with_mutations(values, ("attr", id(cls), name))
            return values or [Unknown(f"{cls.name}.{name} has no value")]
        for base in cls.bases:
            for value in self.resolve(base, cls.scope.parent or cls.scope):
                if isinstance(value, ClassValue):
                    found = self.class_attribute(value.cls, name, owner, seen | {id(cls)})
                    if found is not None:
                        return found
        return None

    def _field_default(self, binding: Binding) -> list[Value]:
        assert binding.value is not None
        value = binding.value
        if isinstance(value, cst.Call):
            for callee in self.resolve(value.func, binding.scope):
                if isinstance(callee, External) and callee.qualname in FIELD_FACTORIES:
                    for arg in value.args:
                        if arg.keyword is not None and arg.keyword.value == "default":
                            return self.resolve(arg.value, binding.scope)
                    if callee.qualname.endswith("Field") and value.args and value.args[0].keyword is None:
                        return self.resolve(value.args[0].value, binding.scope)
                    return [Unknown("field without a default")]
        return self.resolve(value, binding.scope)

    def _is_settings_class(self, cls: ClassInfo) -> bool:
        external = self.external_base(cls)
        return external is not None and external.endswith("BaseSettings")

    def external_base(self, cls: ClassInfo, seen: frozenset[int] = frozenset()) -> str | None:
        """The qualified name of the first external class `cls` derives from, if any."""
        if id(cls) in seen:
            return None
        for base in cls.bases:
            for value in self.resolve(base, cls.scope.parent or cls.scope):
                if isinstance(value, External):
                    return value.qualname
                if isinstance(value, ClassValue):
                    found = self.external_base(value.cls, seen | {id(cls)})
                    if found:
                        return found
        return None

    def _classes_with_attribute(self, name: str) -> list[ClassInfo]:
        if self._attribute_owners is None:
            owners: dict[str, list[ClassInfo]] = {}
            for module in self.project.modules():
                for cls in module.classes:
                    for attribute in cls.attributes:
                        owners.setdefault(attribute, []).append(cls)
            self._attribute_owners = owners
        return self._attribute_owners.get(name, [])

    def _binary(self, node: cst.BinaryOperation, scope: Scope,
                context: CallContext | None) -> list[Value]:
        left = self.resolve(node.left, scope, context)
        if isinstance(node.operator, cst.Add):
            right = self.resolve(node.right, scope, context)
            joined: list[Value] = [as_str(a) + as_str(b) for a in left for b in right
                                   if not isinstance(a, DictValue)]
            return joined[:MAX_ALTERNATIVES]
        if isinstance(node.operator, cst.Modulo):
            if not any(isinstance(v, Str) for v in left):
                return [Unknown("%")]
            right_node = node.right
            if isinstance(right_node, cst.Tuple):
                args = [self.strings(e.value, scope, context) for e in right_node.elements]
                named: dict[str, list[Str]] = {}
            elif isinstance(right_node, cst.Dict):
                args = []
                named = {}
                for element in right_node.elements:
                    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                        key = string_value(element.key)
                        if isinstance(key, str):
                            named[key] = self.strings(element.value, scope, context)
            else:
                args = [self.strings(right_node, scope, context)]
                named = {}
            return [self._printf(v, args, named) for v in left if isinstance(v, Str)]
        if isinstance(node.operator, cst.BitOr):
            right = self.resolve(node.right, scope, context)
            return [_merge_dicts(a, b) for a in left for b in right
                    if isinstance(a, DictValue) and isinstance(b, DictValue)] or [Unknown("|")]
        return [Unknown("operator")]

    def _printf(self, template: Str, args: Sequence[list[Str]],
                named: dict[str, list[Str]]) -> Str:
        parts: list[Part] = []
        position = 0
        for part in template.parts:
            if not isinstance(part, Text):
                parts.append(part)
                continue
            cursor = 0
            for match in _PRINTF.finditer(part.text):
                parts.append(part.slice(cursor, match.start()))
                cursor = match.end()
                if match.group(0) == "%%":
                    parts.append(Text("%", None))
                    continue
                options = named.get(match.group(1) or "") if match.group(1) else (
                    args[position] if position < len(args) else None)
                if not match.group(1):
                    position += 1
                parts.extend(options[0].parts if options else (Hole("%-argument"),))
            parts.append(part.slice(cursor))
        return Str(tuple(p for p in parts if not (isinstance(p, Text) and not p.text)))

    def _format(self, template: Str, call: cst.Call, scope: Scope,
                context: CallContext | None) -> Str:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        parts: list[Part] = []
        auto = 0
        for part in template.parts:
            if not isinstance(part, Text):
                parts.append(part)
                continue
            cursor = 0
            for match in _FORMAT_FIELD.finditer(part.text):
                parts.append(part.slice(cursor, match.start()))
                cursor = match.end()
                if match.group(1) is None:  # an escaped brace
                    parts.append(Text(match.group(0)[0], None))
                    continue
                field_name = match.group(1).split("!", 1)[0].split(":", 1)[0]
                argument: cst.Arg | None = None
                if field_name == "":
                    argument = positional[auto] if auto < len(positional) else None
                    auto += 1
                elif field_name.isdigit():
                    index = int(field_name)
                    argument = positional[index] if index < len(positional) else None
                else:
                    argument = keywords.get(field_name)
                if argument is None or ":" in match.group(1):
                    parts.append(Hole("format field"))
                else:
                    parts.extend(self.strings(argument.value, scope, context)[0].parts)
            parts.append(part.slice(cursor))
        return Str(tuple(p for p in parts if not (isinstance(p, Text) and not p.text)))

    def _call(self, node: cst.Call, scope: Scope, context: CallContext | None) -> list[Value]:
        if isinstance(node.func, cst.Name) and node.func.value == "super":
            return self._super(scope, context)
        values: list[Value] = []
        for callee in self.resolve(node.func, scope, context):
            values.extend(self.call_result(callee, node, scope, context))
        return values

    def _super(self, scope: Scope, context: CallContext | None) -> list[Value]:
        """`super()` in a method: the object seen from the first base class."""
        function = scope.function
        if function is None or function.cls is None:
            return [Unknown("super() outside a method")]
        for base in function.cls.bases:
            for value in self.resolve(base, function.cls.scope.parent or function.cls.scope):
                if isinstance(value, ClassValue):
                    return [Instance(value.cls, self.external_base(value.cls))]
                if isinstance(value, External):
                    return [Instance(None, value.qualname)]
        return [Unknown("super() of a class without a base we know")]

    def call_result(self, callee: Value, node: cst.Call, scope: Scope,
                    context: CallContext | None) -> list[Value]:
        """What calling `callee` with the arguments of `node` gives."""
        if isinstance(callee, FunctionValue):
            depth = context.depth + 1 if context is not None else 1
            if depth > 4:
                return [Unknown(f"{callee.function.name}() called too deep to follow")]
            inner = CallContext(callee.function, node, scope, context, callee.bound, depth)
            values: list[Value] = []
            for returned in callee.function.returns:
                values.extend(self.resolve(returned, callee.function.scope, inner))
            return values or [Unknown(f"{callee.function.name}() returns nothing we can follow")]
        if isinstance(callee, ClassValue):
            return [Instance(callee.cls, self.external_base(callee.cls), node, scope, context)]
        if isinstance(callee, Method):
            return self._method_call(callee, node, scope, context)
        if isinstance(callee, External):
            return self._external_call(callee.qualname, node, scope, context)
        return [Unknown("call of something we cannot follow")]

    def _method_call(self, method: Method, node: cst.Call, scope: Scope,
                     context: CallContext | None) -> list[Value]:
        receiver = method.receiver
        args = node.args
        if isinstance(receiver, Str):
            if method.name == "format":
                return [self._format(receiver, node, scope, context)]
            if method.name in _STR_IDENTITY_METHODS:
                if method.name in ("rstrip", "strip") and args:
                    return [_rstrip_known(receiver, args[0].value)]
                return [receiver]
            if method.name == "join" and args:
                return [unknown_str("str.join")]
            return [unknown_str(f"str.{method.name}()")]
        if isinstance(receiver, DictValue):
            if method.name == "copy":
                return [receiver]
            if method.name == "get" and args:
                return self._dict_lookup(receiver, args[0].value, scope, context,
                                         args[1].value if len(args) > 1 else None)
            return [Unknown(f"dict.{method.name}()")]
        if isinstance(receiver, Instance) and receiver.external is not None:
            return [Unknown(f"{receiver.external}.{method.name}()")]
        return [Unknown(f".{method.name}()")]

    def _external_call(self, qualname: str, node: cst.Call, scope: Scope,
                       context: CallContext | None) -> list[Value]:
        args = node.args
        positional = [a.value for a in args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a.value for a in args if a.keyword is not None}
        if qualname in ENV_READERS:
            return self._environment(positional, keywords, scope, context)
        if qualname in URL_JOIN and len(positional) >= 2:
            joined: list[Value] = [urljoin(a, b) for a in self.strings(positional[0], scope, context)
                                   for b in self.strings(positional[1], scope, context)]
            return joined[:MAX_ALTERNATIVES]
        if qualname in PATH_JOIN and positional:
            results = self.strings(positional[0], scope, context)
            for piece in positional[1:]:
                results = [path_join(a, b) for a in results
                           for b in self.strings(piece, scope, context)][:MAX_ALTERNATIVES]
            return list(results)
        if qualname == "str":
            if not positional:
                return [text_str("")]
            return [v if isinstance(v, Str) else unknown_str("str()")
                    for v in self.resolve(positional[0], scope, context)]
        if qualname == "int":
            return [IntValue(node)]
        if qualname == "dict":
            return [self._dict_call(node, scope, context)]
        if qualname in FIELD_FACTORIES:
            if "default" in keywords:
                return self.resolve(keywords["default"], scope, context)
            return [Unknown("field without a default")]
        # An external class (requests.Session, httpx.Client, ...) makes an instance.
        last = qualname.rsplit(".", 1)[-1]
        if last[:1].isupper():
            return [Instance(None, qualname, node, scope, context)]
        return [Unknown(f"{qualname}()")]

    def _environment(self, positional: list[cst.BaseExpression],
                     keywords: dict[str, cst.BaseExpression], scope: Scope,
                     context: CallContext | None) -> list[Value]:
        values: list[Value] = []
        default = keywords.get("default") or (positional[1] if len(positional) > 1 else None)
        if default is not None:
            values.extend(self.resolve(default, scope, context))
        names: list[str] = []
        if positional:
            for key in self.strings(positional[0], scope, context):
                known = key.known()
                if known:
                    names.append(known)
        for name in names:
            values.extend(Str((t,)) for t in self.env_values(name))
        if not values:
            label = names[0] if names else "?"
            return [unknown_str(f"environment variable {label}")]
        return values

    def env_values(self, name: str) -> list[Text]:
        """The values the project's .env files give `name` (case-insensitive)."""
        if self._env is None:
            from mpz_lint.project import is_env_file

            env: dict[str, list[Text]] = {}
            for source in self.project.config_files():
                if not is_env_file(source.path):
                    continue
                from mpz_lint.config_values import env_assignments

                for key, item in env_assignments(source.text).items():
                    origin = Origin(source.path, None, item.start, item.exact, key)
                    env.setdefault(key.upper(), []).append(Text(item.value, origin))
            self._env = env
        return self._env.get(name.upper(), [])

    def _subscript(self, node: cst.Subscript, scope: Scope,
                   context: CallContext | None) -> list[Value]:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return [Unknown("subscript")]
        key = node.slice[0].slice.value
        values: list[Value] = []
        for container in self.resolve(node.value, scope, context):
            if isinstance(container, External) and container.qualname == "os.environ":
                values.extend(self._environment([key], {}, scope, context))
            elif isinstance(container, DictValue):
                values.extend(self._dict_lookup(container, key, scope, context, None))
            else:
                values.append(Unknown("subscript"))
        return values

    def _dict_lookup(self, value: DictValue, key_node: cst.BaseExpression, scope: Scope,
                     context: CallContext | None,
                     default: cst.BaseExpression | None) -> list[Value]:
        keys = [k.known() for k in self.strings(key_node, scope, context)]
        found: list[Value] = []
        for entry in value.entries:
            if entry.key is not None and entry.key.known() in keys and entry.value is not None \
                    and entry.scope is not None:
                found.extend(self.resolve(entry.value, entry.scope, entry.context))
        if default is not None:
            found.extend(self.resolve(default, scope, context))
        return found or [Unknown("key not found")]

    def _dict(self, node: cst.Dict, scope: Scope, context: CallContext | None) -> DictValue:
        entries: list[DictEntry] = []
        unknown: list[str] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                keys = self.strings(element.key, scope, context)
                key = keys[0] if len(keys) == 1 else None
                entries.append(DictEntry(key, element.key, element.value, scope, context))
            else:
                spread = self.resolve(element.value, scope, context)
                dicts = [v for v in spread if isinstance(v, DictValue)]
                for inner in dicts[:1]:
                    entries.extend(inner.entries)
                    unknown.extend(inner.unknown)
                if not dicts:
                    unknown.append("**" + (dotted_name(element.value) or "..."))
        return DictValue(tuple(entries), tuple(unknown))

    def _dict_call(self, node: cst.Call, scope: Scope, context: CallContext | None) -> DictValue:
        entries: list[DictEntry] = []
        unknown: list[str] = []
        for arg in node.args:
            if arg.keyword is not None:
                entries.append(DictEntry(text_str(arg.keyword.value), arg.keyword, arg.value,
                                         scope, context))
            else:
                dicts = [v for v in self.resolve(arg.value, scope, context)
                         if isinstance(v, DictValue)]
                for inner in dicts[:1]:
                    entries.extend(inner.entries)
                    unknown.extend(inner.unknown)
                if not dicts:
                    unknown.append(dotted_name(arg.value) or "dict(...)")
        return DictValue(tuple(entries), tuple(unknown))

    # --- changes made to containers after they were built -------------------------------

    def container_keys(self, node: cst.BaseExpression, scope: Scope) -> list[ContainerKey]:
        """Keys under which changes to the container `node` are filed: a variable (by
        the scope that binds it), a `self.` attribute (by class), or an attribute of an
        object (by the call that made the object: its allocation site)."""
        if isinstance(node, cst.Name):
            current: Scope | None = scope
            while current is not None:
                if node.value in current.bindings:
                    return [("name", id(current), node.value)]
                current = current.parent
            return []
        if isinstance(node, cst.Attribute):
            function = scope.function
            if (isinstance(node.value, cst.Name) and function is not None
                    and function.cls is not None and function.params
                    and function.params[0].name.value == node.value.value):
                return [("attr", id(function.cls), node.attr.value)]
            keys: list[ContainerKey] = []
            for owner in self.resolve(node.value, scope):
                if isinstance(owner, Instance) and owner.call is not None:
                    keys.append(("obj", id(owner.call), node.attr.value))
                if isinstance(owner, Instance) and owner.cls is not None:
                    keys.append(("attr", id(owner.cls), node.attr.value))
            return keys
        return []

    def mutations(self, key: ContainerKey) -> list[Mutation]:
        if self._mutations is None:
            index: dict[ContainerKey, list[Mutation]] = {}
            self._mutations = index
            for module in self.project.modules():
                for mutation in module.mutations:
                    for container in self.container_keys(mutation.container, mutation.scope):
                        index.setdefault(container, []).append(mutation)
            # Values resolved while the index was being filled saw only part of it.
            self._memo.clear()
        return self._mutations.get(key, [])

    def mutation_entries(self, key: ContainerKey,
                         context: CallContext | None = None) -> list[DictEntry]:
        """The entries changes add to the container filed under `key`; a change made in the
        function `context` calls is read with that call's arguments."""
        entries: list[DictEntry] = []
        for mutation in self.mutations(key):
            own = context if (context is not None
                              and mutation.scope.function is context.function) else None
            if mutation.kind == "assign":
                if mutation.value is not None:
                    for value in self.resolve(mutation.value, mutation.scope, own):
                        if isinstance(value, DictValue):
                            entries.extend(
                                DictEntry(e.key, e.key_node, e.value, e.scope, e.context,
                                          e.conditional or mutation.conditional)
                                for e in value.entries)
                            break
                continue
            if mutation.argument is None:
                keys = self.strings(mutation.key, mutation.scope, own) if mutation.key else []
                entries.append(DictEntry(keys[0] if len(keys) == 1 else None, mutation.key,
                                         mutation.value, mutation.scope, own,
                                         mutation.conditional))
                continue
            arg = mutation.argument
            if arg.keyword is not None:
                entries.append(DictEntry(text_str(arg.keyword.value), arg.keyword, arg.value,
                                         mutation.scope, own, mutation.conditional))
                continue
            for value in self.resolve(arg.value, mutation.scope, own):
                if isinstance(value, DictValue):
                    entries.extend(
                        DictEntry(e.key, e.key_node, e.value, e.scope, e.context,
                                  e.conditional or mutation.conditional)
                        for e in value.entries)
                    break
        return entries

    def _with_mutations(self, values: list[Value], key: ContainerKey,
                        context: CallContext | None = None) -> list[Value]:
        if not any(isinstance(v, DictValue) for v in values):
            return values
        extra = tuple(self.mutation_entries(key, context))
        if not extra:
            return values
        return [DictValue(v.entries + extra, v.unknown) if isinstance(v, DictValue) else v
                for v in values]

    # --- callers ---------------------------------------------------------------------

    def call_sites(self, function: FunctionInfo) -> list[tuple[cst.Call, Scope]]:
        """Every call of `function` in the project (found once per run for all)."""
        if self._call_sites is None:
            sites: dict[int, list[tuple[cst.Call, Scope]]] = {}
            self._call_sites = sites
            for module in self.project.modules():
                for site in module.calls:
                    call = site.node
                    assert isinstance(call, cst.Call)
                    if not isinstance(call.func, (cst.Name, cst.Attribute)):
                        continue
                    for callee in self.resolve(call.func, site.scope):
                        target: FunctionInfo | None = None
                        if isinstance(callee, FunctionValue):
                            target = callee.function
                        elif isinstance(callee, ClassValue):
                            target = self._constructor(callee.cls)
                        if target is not None:
                            sites.setdefault(id(target.node), []).append((call, site.scope))
        return self._call_sites.get(id(function.node), [])

    def _constructor(self, cls: ClassInfo) -> FunctionInfo | None:
        found = self.class_attribute(cls, "__init__", None)
        if found and isinstance(found[0], FunctionValue):
            return found[0].function
        return None


_Case = Callable[[Resolver, Any, Scope, Union[CallContext, None]], list[Value]]

# How each kind of expression is resolved (Resolver._resolve); other kinds are unknown.
_CASES: dict[type, _Case] = {
    cst.SimpleString: Resolver._string_case,
    cst.ConcatenatedString: Resolver._string_case,
    cst.FormattedString: Resolver._string_case,
    cst.Integer: lambda self, node, scope, context: [IntValue(node)],
    cst.Name: Resolver._name_case,
    cst.Attribute: Resolver._attribute,
    cst.BinaryOperation: Resolver._binary,
    cst.Call: Resolver._call,
    cst.Dict: lambda self, node, scope, context: [self._dict(node, scope, context)],
    cst.Subscript: Resolver._subscript,
    cst.IfExp: Resolver._either_case,
    cst.BooleanOperation: Resolver._either_case,
    cst.Await: lambda self, node, scope, context: self.resolve(node.expression, scope, context),
    cst.NamedExpr: lambda self, node, scope, context: self.resolve(node.value, scope, context),
}


def _unknown_case(self: Resolver, node: cst.BaseExpression, scope: Scope,
                  context: CallContext | None) -> list[Value]:
    return [Unknown(type(node).__name__)]


def _case_for(kind: type) -> _Case:
    """The case of a class not in the table: that of its nearest listed base (a subclass
    of a libcst node made by hand), else unknown."""
    case = next((_CASES[base] for base in kind.__mro__ if base in _CASES), _unknown_case)
    _CASES[kind] = case
    return case


@dataclass(frozen=True)
class _Pending:
    """An f-string expression not resolved yet (see Resolver._expand)."""

    node: cst.BaseExpression
    scope: Scope
    context: CallContext | None


_BUILTINS = frozenset({"str", "int", "dict", "print", "len", "list", "tuple", "bool", "float"})


def as_str(value: Value) -> Str:
    if isinstance(value, Str):
        return value
    if isinstance(value, IntValue):
        return unknown_str("int")
    if isinstance(value, Unknown):
        return unknown_str(value.why)
    return unknown_str(type(value).__name__)


def _dedupe(values: Iterable[Value]) -> list[Value]:
    seen: set[tuple[object, ...]] = set()
    out: list[Value] = []
    for value in values:
        if isinstance(value, Str):
            key: tuple[object, ...] = ("str",) + tuple(
                (p.text, id(p.origin), p.at) if isinstance(p, Text) else ("hole", p.why)
                for p in value.parts)
        elif isinstance(value, Unknown):
            key = ("unknown", value.why)
        else:
            key = ("id", id(value))
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _merge_dicts(a: DictValue, b: DictValue) -> DictValue:
    return DictValue(a.entries + b.entries, a.unknown + b.unknown)


def _is_int_annotation(annotation: cst.BaseExpression) -> bool:
    return isinstance(annotation, cst.Name) and annotation.value == "int"


def _is_bound_call(call: cst.Call, function: FunctionInfo) -> bool:
    """Whether `call` passes `self` implicitly (`obj.method(...)`, `Class(...)`)."""
    if function.cls is None or function.is_static:
        return False
    return isinstance(call.func, cst.Attribute) or function.name == "__init__"


def _argument_for(function: FunctionInfo, param: cst.Param, call: cst.Call,
                  bound: bool) -> cst.BaseExpression | None:
    """The argument expression `call` passes for `param`, if it can be told."""
    name = param.name.value
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    positional_params = [*function.node.params.posonly_params, *function.node.params.params]
    if bound and function.cls is not None and positional_params:
        positional_params = positional_params[1:]
    positional = []
    for arg in call.args:
        if arg.keyword is not None:
            continue
        if arg.star:
            return None
        positional.append(arg.value)
    for index, candidate in enumerate(positional_params):
        if candidate is param:
            return positional[index] if index < len(positional) else None
    return None


def _rstrip_known(value: Str, chars_node: cst.BaseExpression) -> Str:
    if not isinstance(chars_node, cst.SimpleString) or not value.parts:
        return value
    chars = string_value(chars_node)
    last = value.parts[-1]
    if not isinstance(chars, str) or not isinstance(last, Text):
        return value
    stripped = last.text.rstrip(chars)
    return Str(value.parts[:-1] + (last.slice(0, len(stripped)),))


# `https://host`, or a scheme-relative `//host`.
_AUTHORITY = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:)?//[^/?#\x00]*")


def urljoin(base: Str, url: Str) -> Str:
    """`urllib.parse.urljoin` over partly known strings."""
    flat_url = url.flat()
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", flat_url) or flat_url.startswith("//"):
        return url
    if flat_url.startswith(HOLE) or not flat_url:
        return base + url if flat_url else base
    flat_base = base.flat()
    if flat_url.startswith("/"):
        authority = _AUTHORITY.match(flat_base)
        if authority is None:
            return unknown_str("urljoin base") + url
        return base.split_at(authority.end())[0] + url
    # A relative reference replaces the last segment of the base path.
    cut = flat_base.rfind("/")
    authority = _AUTHORITY.match(flat_base)
    if authority is not None and cut < authority.end():
        return base + text_str("/") + url
    return base.split_at(cut + 1)[0] + url


def path_join(a: Str, b: Str) -> Str:
    """`posixpath.join(a, b)` over partly known strings."""
    flat_b = b.flat()
    if flat_b.startswith("/"):
        return b
    flat_a = a.flat()
    if not flat_a or flat_a.endswith("/"):
        return a + b
    return a + text_str("/") + b
