"""Adding `Procore-Company-Id` to a request, with the company id the code already has.

RULES.md section 3: the header goes where it changes the fewest lines and no other
caller's behaviour: into the dict literal at the call, as a new `headers=` argument, or
merged over a shared headers value (`{**headers, "Procore-Company-Id": ...}`). The company
id comes from the code: the `company_id` in the URL or `params=`, a `company_id`
parameter, local or attribute in scope, or the expression the project configures. With
none of those there is no fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from mpz_lint import knowledge
from mpz_lint.fixer import LineIndex
from mpz_lint.model import Applicability, Edit, Fix, Location
from mpz_lint.pyindex import Binding, ModuleIndex, Scope, string_value
from mpz_lint.resolver import IntValue, Resolver, Str
from mpz_lint.settings import parse_company_id_expr

# company_id, companyId, procore_company_id, COMPANY_ID; not vendor_company_id.
_COMPANY_NAME = re.compile(r"^_*(?:procore_?)?company_?id$", re.IGNORECASE)
_URL_MARKERS = ("/companies/", "company_id=")


@dataclass(frozen=True)
class HeaderFixTarget:
    """The call a header fix edits and the argument that carries its headers there."""

    module: ModuleIndex
    call: cst.Call
    scope: Scope
    keyword: str  # "headers", or a wrapper's own parameter name
    position: int | None  # its position, when it may be passed positionally
    url: cst.BaseExpression | None
    # The call drops a client's default headers once it passes its own (urllib3).
    replaces_defaults: bool = False


@dataclass(frozen=True)
class CompanyId:
    code: str
    is_str: bool
    import_from: str | None = None  # the module the expression's first name comes from

    def as_header_value(self) -> str:
        return self.code if self.is_str else f"str({self.code})"


def company_id_in_scope(resolver: Resolver, target: HeaderFixTarget,
                        configured: str | None) -> CompanyId | None:
    """The company id the code at `target` has, in RULES.md's order of preference."""
    module = target.module
    for node in _company_id_nodes(target):
        return CompanyId(module.tree.code_for_node(node).strip(),
                         _known_str(resolver, node, target.scope))
    if configured:
        module_name, expression = parse_company_id_expr(configured)
        return CompanyId(expression, False, module_name)
    return None


def _company_id_nodes(target: HeaderFixTarget) -> Iterator[cst.BaseExpression]:
    # 1. In the URL: f"/companies/{cid}/projects", f"...?company_id={cid}".
    if target.url is not None:
        for text, expression in _url_pieces(target.url, target.scope):
            if text.lower().endswith(_URL_MARKERS):
                yield expression
                return
    # 2. In params={"company_id": ...} at the call.
    for arg in target.call.args:
        if arg.keyword is not None and arg.keyword.value == "params" and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if (isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString)
                        and string_value(element.key) == "company_id"):
                    yield element.value
                    return
    # 3. A parameter, a local bound before the call, or a module constant named company_id.
    call_row = 0  # looked up only if a name fits: positions cost a code pass
    current: Scope | None = target.scope
    while current is not None:
        for name, bindings in current.bindings.items():
            if not _COMPANY_NAME.search(name):
                continue
            call_row = call_row or target.module.start_of(target.call).row
            if all(_bound_before(target.module, b, call_row, current) for b in bindings):
                yield cst.Name(name)
                return
        current = current.parent
    # 4. An attribute of self: self.company_id.
    function = target.scope.function
    if function is not None and function.cls is not None and function.params \
            and not function.is_static:
        self_name = function.params[0].name.value
        for attribute in function.cls.attributes:
            if _COMPANY_NAME.search(attribute):
                yield cst.Attribute(cst.Name(self_name), cst.Name(attribute))
                return


def _bound_before(module: ModuleIndex, binding: Binding, row: int, scope: Scope) -> bool:
    """Whether `binding` holds its value when the call on `row` runs."""
    if binding.kind in ("param", "import"):
        return True
    if binding.kind == "assign" and binding.value is not None:
        if scope.kind == "module" and binding.scope.module is not module:
            return True
        return scope.kind == "module" or module.start_of(binding.value).row < row
    return False  # loop variables, `with` targets, unknowns: maybe not bound yet


def _url_pieces(node: cst.BaseExpression, scope: Scope,
                depth: int = 0) -> Iterator[tuple[str, cst.BaseExpression]]:
    """(text before, expression) for each expression spliced into a URL literal."""
    if depth > 3:
        return
    if isinstance(node, cst.Name):
        for binding in scope.bindings.get(node.value, []):
            if binding.value is not None:
                yield from _url_pieces(binding.value, scope, depth + 1)
        return
    if isinstance(node, cst.FormattedString):
        text = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text += part.value
            elif isinstance(part, cst.FormattedStringExpression):
                yield text, part.expression
                text = ""
        return
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left = node.left
        right = node.right
        yield from _url_pieces(left, scope, depth + 1)
        if isinstance(left, (cst.SimpleString, cst.BinaryOperation)):
            tail = _trailing_text(left)
            if tail is not None and not isinstance(right, (cst.SimpleString, cst.FormattedString)):
                yield tail, _unwrap_str(right)
        yield from _url_pieces(right, scope, depth + 1)


def _trailing_text(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return value if isinstance(value, str) else None
    if isinstance(node, cst.BinaryOperation):
        return _trailing_text(node.right)
    return None


def _unwrap_str(node: cst.BaseExpression) -> cst.BaseExpression:
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "str"
            and len(node.args) == 1):
        return node.args[0].value
    return node


def _known_str(resolver: Resolver, node: cst.BaseExpression, scope: Scope) -> bool:
    if isinstance(node, (cst.SimpleString, cst.FormattedString)):
        return True
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "str":
        return True
    values = resolver.resolve(node, scope)
    return bool(values) and all(isinstance(v, Str) for v in values) and not any(
        isinstance(v, IntValue) for v in values)


# --- edits ---------------------------------------------------------------------------------


NO_COMPANY_ID = "no company id in scope to add (set `--company-id-expr`)"


def header_fix(resolver: Resolver, target: HeaderFixTarget,
               configured: str | None) -> Fix | str:
    """The fix, or why there is none."""
    if not target.keyword:
        return "this call cannot take headers: build a Request with the header"
    company = company_id_in_scope(resolver, target, configured)
    if company is None:
        return NO_COMPANY_ID
    entry = f'"{knowledge.COMPANY_HEADER}": {company.as_header_value()}'
    module = target.module
    lines = module.lines
    argument = _headers_argument(target)
    if argument is None:
        if target.replaces_defaults:
            return "a new `headers=` argument would drop the client's default headers"
        if any(a.star for a in target.call.args):
            return "headers may come through `*args` or `**kwargs` here"
        edits = _new_argument(module, lines, target.call, f"{target.keyword}={{{entry}}}")
        how = f"a `{target.keyword}=` argument"
    elif isinstance(argument, cst.Dict):
        edits = _into_dict(module, lines, argument, entry)
        how = "the headers"
    elif (isinstance(argument, cst.BinaryOperation) and isinstance(argument.operator, cst.BitOr)
          and isinstance(argument.right, cst.Dict)):
        # `BASE | {...}`: into the dict literal already at the call.
        edits = _into_dict(module, lines, argument.right, entry)
        how = "the headers"
    elif isinstance(argument, cst.Name) and argument.value == "None":
        edits = (Edit(module.start_of(argument), module.end_of(argument), f"{{{entry}}}"),)
        how = "the headers"
    else:
        # A shared headers value: merge at this call so no other caller changes. Around
        # its parentheses, if it has any; in new ones if `**` would bind tighter than it.
        start, end = _outer_start(module, argument), _outer_end(module, argument)
        wrap = not argument.lpar and _looser_than_bitwise_or(argument)
        edits = (Edit.insertion(start, "{**(" if wrap else "{**"),
                 Edit.insertion(end, f"{')' if wrap else ''}, {entry}}}"))
        how = "the headers, merged over the shared value"
    if company.import_from is not None:
        edits = (*edits, *_import_edits(module, company.import_from,
                                        re.split(r"\W", company.code, maxsplit=1)[0]))
    return Fix(edits, Applicability.SAFE,
               f"Add `{knowledge.COMPANY_HEADER}: {company.as_header_value()}` to {how}")


def _import_edits(module: ModuleIndex, from_module: str, name: str) -> tuple[Edit, ...]:
    """The lines libcst's AddImportsVisitor adds for `from from_module import name`, as
    insertions (nothing else in the file is rewritten)."""
    if name in module.scope.bindings:
        return ()
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor

    context = CodemodContext()
    AddImportsVisitor.add_needed_import(context, from_module, name)
    before = module.tree.code
    after = AddImportsVisitor(context).transform_module(module.tree).code
    if after == before:
        return ()
    # The visitor only adds lines: find where they go.
    old_lines = before.splitlines(keepends=True)
    new_lines = after.splitlines(keepends=True)
    row = 0
    while row < len(old_lines) and old_lines[row] == new_lines[row]:
        row += 1
    added = len(new_lines) - len(old_lines)
    return (Edit.insertion(Location(row + 1, 1), "".join(new_lines[row:row + added])),)


def _headers_argument(target: HeaderFixTarget) -> cst.BaseExpression | None:
    positional = 0
    for arg in target.call.args:
        if arg.keyword is not None:
            if arg.keyword.value == target.keyword:
                return arg.value
        elif not arg.star:
            if target.position is not None and positional == target.position:
                return arg.value
            positional += 1
    return None


def _new_argument(module: ModuleIndex, lines: LineIndex, call: cst.Call,
                  argument: str) -> tuple[Edit, ...]:
    if not call.args:
        end = module.end_of(call)
        return (Edit.insertion(Location(end.row, end.column - 1), argument),)
    last = call.args[-1]
    return _after_last(module, lines, last, last.comma, module.start_of(call).row,
                       module.end_of(call).row, argument)


def _into_dict(module: ModuleIndex, lines: LineIndex, node: cst.Dict,
               entry: str) -> tuple[Edit, ...]:
    if not node.elements:
        return (Edit(module.start_of(node), module.end_of(node), f"{{{entry}}}"),)
    last = node.elements[-1]
    return _after_last(module, lines, last, last.comma, module.start_of(node).row,
                       module.end_of(node).row, entry)


def _after_last(module: ModuleIndex, lines: LineIndex,
                element: cst.Arg | cst.BaseDictElement, comma: cst.Comma | cst.MaybeSentinel,
                first_row: int, last_row: int, item: str) -> tuple[Edit, ...]:
    """Insert `item` after the last element of a call's arguments or a dict's entries,
    one per line when they are laid out so.

    The element's own range (an `Arg`, a `DictElement`) runs from its keyword, key or
    `**` to the last closing parenthesis of its value: the range of the value itself
    leaves its parentheses out, and `f((url))` must not become `f((url, headers=...))`.
    """
    element_start = module.start_of(element)
    multi_line = element_start.row != first_row and last_row > element_start.row
    if isinstance(comma, cst.Comma):
        comma_end = module.end_of(comma)
        if multi_line:
            # After the comma's line, comments included, one element per line.
            line_end = Location(comma_end.row, len(lines.line(comma_end.row)) + 1)
            indent = lines.indent(element_start)
            return (Edit.insertion(line_end, f"{_newline(lines)}{indent}{item},"),)
        return (Edit.insertion(comma_end, f" {item},"),)
    element_end = module.end_of(element)
    if multi_line:
        indent = lines.indent(element_start)
        line = lines.line(element_end.row)
        rest = line[element_end.column - 1:].strip()
        if rest.startswith("#"):
            # A comment after the element stays on its line: the comma goes before it
            # and the new element on a line of its own.
            line_end = Location(element_end.row, len(line) + 1)
            return (Edit.insertion(element_end, ","),
                    Edit.insertion(line_end, f"{_newline(lines)}{indent}{item}"))
        return (Edit.insertion(element_end, f",{_newline(lines)}{indent}{item}"),)
    return (Edit.insertion(element_end, f", {item}"),)


def _outer_start(module: ModuleIndex, node: cst.BaseExpression) -> Location:
    """Where `node` starts, its opening parentheses included (its own range leaves them
    out)."""
    return module.start_of(node.lpar[0]) if node.lpar else module.start_of(node)


def _outer_end(module: ModuleIndex, node: cst.BaseExpression) -> Location:
    """Where `node` ends, its closing parentheses included."""
    return module.end_of(node.rpar[-1]) if node.rpar else module.end_of(node)


def _looser_than_bitwise_or(node: cst.BaseExpression) -> bool:
    """Whether `node`, unparenthesised, binds more loosely than `**` takes in a dict
    display (`{**a or b}` does not parse)."""
    if isinstance(node, cst.UnaryOperation):
        return isinstance(node.operator, cst.Not)
    return isinstance(node, (cst.BooleanOperation, cst.Comparison, cst.IfExp, cst.Lambda,
                             cst.NamedExpr, cst.Yield))


def _newline(lines: LineIndex) -> str:
    return "\r\n" if "\r\n" in lines.text else "\n"
