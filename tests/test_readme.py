"""The README's examples run and print what the README says they print."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _blocks() -> list[tuple[str, str]]:
    """Every fenced block of the README as (language, code), in order."""
    text = README.read_text(encoding="utf-8")
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)


def test_the_ten_line_example_prints_what_the_readme_shows() -> None:
    blocks = _blocks()
    index = next(i for i, (lang, code) in enumerate(blocks)
                 if lang == "python" and "loss.backward()" in code)
    code, (_, shown) = blocks[index][1], blocks[index + 1]
    assert len(code.strip().splitlines()) <= 12
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "README.md", "exec"), {})
    assert out.getvalue().strip() == shown.strip()


def test_every_python_block_runs_in_order() -> None:
    namespace: dict[str, object] = {}
    ran = 0
    for lang, code in _blocks():
        if lang != "python":
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "README.md", "exec"), namespace)
        ran += 1
    assert ran >= 2


def test_the_methods_the_readme_lists_are_the_word_rows_of_the_table() -> None:
    # The README names Value's methods by hand; the table is the one source: a row added
    # or renamed must show here too.
    from engine import ops

    text = README.read_text(encoding="utf-8")
    listed = re.search(r"unary `-`, `abs\(\)`, `([a-z_ \n]+)`", text)
    assert listed is not None, "the README's list of Value methods is gone"
    words = {row.name for row in ops.OPS if row.args in ("x", "x, c")
             and row.name.isidentifier()} - {"neg", "abs"}
    assert set(listed.group(1).split()) == words
