"""Unit tests of the pure domain rules (marketplace.domain); no Flask app, no database."""
