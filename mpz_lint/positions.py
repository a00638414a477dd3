"""Where each node of a parsed module stands in its text, at the cost of one code pass.

libcst's `PositionProvider` gives the same ranges, but through `MetadataWrapper`, which
walks the whole tree once more before generating code, and it counts lines and columns
token by token. Here code generation only notes how many tokens were out when a node
began and ended; offsets come afterwards from one running sum of token lengths, and a
row and column only for the nodes somebody asks about. Over a tree of Procore client
code this is several times cheaper, and it is the one cost every reporting module pays.

The ranges are libcst's syntactic ones (`record_syntactic_position`), so a node's range
leaves out the whitespace it owns, exactly as `PositionProvider` does.

`ModuleOffsets` goes further: it generates only the node asked about, at the indentation
of the statement that holds it (its `Home`, from the tree walk), and finds that text in
the module's text. Where the text is found exactly once, that is where the node stands;
where it is not (a short name, a literal repeated), the statement that holds it is tried,
then the statement around that one, and at the top the whole module. A reporting module
usually needs a few of its calls and literals, most of them written only once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from libcst._nodes.base import CSTCodegenError
from libcst._nodes.internal import CodegenState

if TYPE_CHECKING:
    import libcst as cst

    from mpz_lint.treewalk import Home


@dataclass(frozen=False)
class _TokenCountingState(CodegenState):
    """Code generation that records, per node, the token counts at its start and end."""

    spans: dict[int, tuple[int, int]] = field(default_factory=dict)
    _starts: list[int] = field(default_factory=list)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._starts.append(len(self.tokens))

    def after_codegen(self, node: cst.CSTNode) -> None:
        start = self._starts.pop()
        # A syntactic range recorded inside the node's own code generation wins.
        self.spans.setdefault(id(node), (start, len(self.tokens)))

    def record_syntactic_position(  # type: ignore[override]
        self, node: cst.CSTNode, *, start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticSpan:
        # A plain object, not a @contextmanager: this runs for most nodes, and a
        # generator-based context manager cost a third of the whole pass.
        return _SyntacticSpan(self, node, start_node, end_node)


class _SyntacticSpan:
    __slots__ = ("state", "node", "start_node", "end_node", "start")

    def __init__(self, state: _TokenCountingState, node: cst.CSTNode,
                 start_node: cst.CSTNode | None, end_node: cst.CSTNode | None) -> None:
        self.state, self.node = state, node
        self.start_node, self.end_node = start_node, end_node
        self.start = 0

    def __enter__(self) -> None:
        self.start = len(self.state.tokens)

    def __exit__(self, *exc_info: object) -> None:
        spans = self.state.spans
        start, end = self.start, len(self.state.tokens)
        if self.start_node is not None:
            start = spans[id(self.start_node)][0]
        if self.end_node is not None:
            end = spans[id(self.end_node)][1]
        spans[id(self.node)] = (start, end)


class NodeOffsets:
    """Character offsets of every node of `tree` in the text `tree` generates."""

    def __init__(self, tree: cst.Module) -> None:
        state = _TokenCountingState(default_indent=tree.default_indent,
                                    default_newline=tree.default_newline)
        tree._codegen(state)
        self._spans = state.spans
        self._offsets = [0, *accumulate(map(len, state.tokens))]
        self._tokens = state.tokens
        self._tree = tree  # the ids in `_spans` are only valid while the nodes live

    @property
    def code(self) -> str:
        """The module's text as libcst generates it (`tree.code`, without a second pass)."""
        return "".join(self._tokens)

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        """(start, end) offsets of `node`; KeyError if it is not part of the tree."""
        start, end = self._spans[id(node)]
        return self._offsets[start], self._offsets[end]


class ModuleOffsets:
    """Character offsets of nodes of `tree` in `text` (the module's source, which libcst
    generates from `tree`), computed node by node as nodes are asked about.

    Every offset handed out comes from a node or statement whose generated text was found
    at that place in `text`, so an edit made there changes the bytes it means to.
    """

    def __init__(self, tree: cst.Module, text: str, homes: dict[int, Home | None]) -> None:
        self._tree = tree  # the ids below are only valid while the nodes live
        self._text = text
        self._homes = homes
        self._spans: dict[int, tuple[int, int]] = {}
        self._placed: set[int] = set()  # ids of the statements already generated
        self._whole: NodeOffsets | None = None

    def span(self, node: cst.CSTNode) -> tuple[int, int]:
        """(start, end) offsets of `node`; KeyError if it is not part of the tree."""
        found = self._spans.get(id(node))
        if found is not None:
            return found
        if self._whole is None:
            home = self._homes.get(id(node))
            if home is not None and self._place(node, home.indents):
                return self._spans[id(node)]
            while home is not None and not self._place_statement(home):
                home = home.outer
            found = self._spans.get(id(node))
            if found is not None:
                return found
            self._whole = NodeOffsets(self._tree)
        return self._whole.span(node)

    def matches_text(self) -> bool:
        """Whether every offset handed out is known to be right: each came from a node or
        statement found in the text, or the whole module generates the text byte for byte."""
        return self._whole is None or self._whole.code == self._text

    def _place_statement(self, home: Home) -> bool:
        statement = home.statement
        if id(statement) in self._placed:
            return True
        if not self._place(statement, home.indents):
            return False
        self._placed.add(id(statement))
        return True

    def _place(self, node: cst.CSTNode, indents: tuple[str | None, ...]) -> bool:
        """Generate `node` alone, written at `indents` (what a node's code depends on
        besides the node: libcst writes a block's indentation, not the node), and note
        the spans of it and everything in it if its text is in the module exactly once:
        the one place a text found once can be is where the node is."""
        tree = self._tree
        state = _TokenCountingState(default_indent=tree.default_indent,
                                    default_newline=tree.default_newline)
        state.indent_tokens = [tree.default_indent if indent is None else indent
                               for indent in indents]
        try:
            node._codegen(state)
        except CSTCodegenError:
            return False  # its code needs what only the node around it passes down
        code = "".join(state.tokens)
        start = self._text.find(code)
        if not code or start < 0 or self._text.find(code, start + 1) >= 0:
            return False  # not there as generated, or more than once: cannot tell where
        offsets = list(accumulate(map(len, state.tokens), initial=start))
        spans = self._spans
        for key, (first, last) in state.spans.items():
            spans[key] = (offsets[first], offsets[last])
        return True
