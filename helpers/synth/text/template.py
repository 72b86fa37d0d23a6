"""The template mini-language of the feedback grammar, parsed once and expanded with the dice.

``(a|b|c)`` choose one · ``[x]`` or ``[a|b]`` optional (p = 0.5) · ``{slot}`` a slot function (``slots.SLOTS``).
A template is parsed into a small tree of ("L" literal, "C" choice, "O" optional, "S" slot) nodes and cached.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = ["compiled", "expand"]


def parse(s: str) -> list:
    """The node tree of one template (raises ValueError on unbalanced brackets)."""
    pos = 0

    def seq(stop: str) -> list:
        nonlocal pos
        out: list = []
        lit: list[str] = []

        def flush() -> None:
            if lit:
                out.append(("L", "".join(lit)))
                lit.clear()

        while pos < len(s):
            c = s[pos]
            if c in stop:
                break
            if c == "(":
                flush()
                pos += 1
                alts = [seq("|)")]
                while pos < len(s) and s[pos] == "|":
                    pos += 1
                    alts.append(seq("|)"))
                if pos >= len(s) or s[pos] != ")":
                    raise ValueError(f"unclosed ( in template {s!r}")
                pos += 1
                out.append(("C", alts))
            elif c == "[":
                flush()
                pos += 1
                alts = [seq("|]")]
                while pos < len(s) and s[pos] == "|":
                    pos += 1
                    alts.append(seq("|]"))
                if pos >= len(s) or s[pos] != "]":
                    raise ValueError(f"unclosed [ in template {s!r}")
                pos += 1
                out.append(("O", alts[0]) if len(alts) == 1 else ("O", [("C", alts)]))
            elif c == "{":
                flush()
                end = s.index("}", pos)
                out.append(("S", s[pos + 1:end]))
                pos = end + 1
            elif c in ")]|}":
                raise ValueError(f"unbalanced {c!r} in template {s!r}")
            else:
                lit.append(c)
                pos += 1
        flush()
        return out

    tree = seq("")
    if pos != len(s):
        raise ValueError(f"unbalanced template {s!r}")
    return tree


CACHE: dict[str, list] = {}


def compiled(template: str) -> list:
    """The parsed tree of ``template``, cached."""
    tree = CACHE.get(template)
    if tree is None:
        tree = CACHE[template] = parse(template)
    return tree


# ---------------------------------------------------------------------------------------------------------------


def expand(tree: list, d, c, out: list[str], slots: Mapping[str, Callable]) -> None:
    """Append the words of one random expansion of ``tree`` to ``out`` (dice ``d``, context ``c``)."""
    for node in tree:
        kind = node[0]
        if kind == "L":
            out.append(node[1])
        elif kind == "S":
            out.append(slots[node[1]](d, c))
        elif kind == "C":
            expand(d.pick(node[1]), d, c, out, slots)
        elif d.u() < 0.5:  # "O"
            expand(node[1], d, c, out, slots)
