"""Where each node of a parsed module stands in its text, at the cost of one code pass.

libcst's `PositionProvider` gives the same ranges, but through `MetadataWrapper`, which
walks the whole tree once more before generating code, and it counts lines and columns
token by token. Here code generation only notes how many tokens were out when a node
began and ended; offsets come afterwards from one running sum of token lengths, and a
row and column only for the nodes somebody asks about. Over a tree of Procore client
code this is several times cheaper, and it is the one cost every reporting module pays.

The ranges are libcst's syntactic ones (`record_syntactic_position`), so a node's range
leaves out the whitespace it owns, exactly as `PositionProvider` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING

from libcst._nodes.internal import CodegenState

if TYPE_CHECKING:
    import libcst as cst


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
