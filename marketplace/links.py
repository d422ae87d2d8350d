"""Absolute links that services put in mails, named by what they open.

Services may not import the web layer (docs/architecture.md, "Layering rules"), so they do not
know blueprint endpoints: they ask for a link by name here, and create_app registers the web
layer's builder that maps each name to its endpoint (`marketplace/blueprints/links.py`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

LinkBuilder = Callable[..., str]


def init_app(app: Flask, builder: LinkBuilder) -> None:
    """Register the function that turns a link's name and values into an absolute URL."""
    app.extensions["links"] = builder


def url(name: str, **values: Any) -> str:
    """The absolute URL of the page called `name` (e.g. "confirm_email", token=...)."""
    return current_app.extensions["links"](name, **values)
