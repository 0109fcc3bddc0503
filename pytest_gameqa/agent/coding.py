"""Coding puzzles (CSS and code teaching games): what a tester types into their code field, read from
the code their instructions show (`<code>` elements, `PageView.codes`). Pure: no browser.
"""

from __future__ import annotations

import re

#: a code example that is a whole statement: a declaration ("justify-content: flex-end;"), a call
#: ("move(3)"), an assignment ("x = 5"); one word alone is a name or a value, not a statement
_CODE_STATEMENT = re.compile(r"^[\w.$#-]+\s*(:|=|\()\s*\S.*$")
#: a property the page names in code ("justify-content"): a hyphenated identifier, values follow it
_CODE_PROPERTY = re.compile(r"^[a-z]+(-[a-z]+)+$")
_CODE_VALUE = re.compile(r"^[a-z][a-z-]*$")
#: answers typed into a code field, at most: the page's own example first, then a property with its values
CODE_ANSWERS = 4


def code_answers(codes: list[str]) -> list[str]:
    """What a tester types into a coding puzzle's field: the whole statements its instructions show, then
    the property they name with each value they list ("justify-content: center;"). No code, no answers."""
    statements = [c if c.endswith((";", ")")) or "=" in c else c + ";" for c in codes if _CODE_STATEMENT.match(c)]
    prop = next((c for c in codes if _CODE_PROPERTY.match(c)), None)  # named first, its values listed after
    values = codes[codes.index(prop) + 1 :] if prop is not None else []
    combos = [f"{prop}: {v};" for v in values if _CODE_VALUE.match(v) and v != prop]
    answers: list[str] = []
    for answer in [*statements, *combos]:
        if answer not in answers:
            answers.append(answer)
    return answers[:CODE_ANSWERS]
