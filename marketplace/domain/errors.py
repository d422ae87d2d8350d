"""The one shape of a domain refusal, so every caller words it the same way.

The domain never writes sentences (docs/architecture.md "Layering rules"): a refusal carries a
stable `code`, the input `field` it concerns and `params`; `marketplace/labels.py:
error_message` turns code and params into a sentence in the reader's language.
"""

from __future__ import annotations

from typing import Any


class InputError(ValueError):
    """Input the rules cannot compute with: `code`, `field` and `params` for the message."""

    def __init__(self, code: str, field: str, **params: Any) -> None:
        self.code = code
        self.field = field
        self.params = params
        super().__init__(f"{code}: {field} {params}" if params else f"{code}: {field}")
