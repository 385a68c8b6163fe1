"""The re-matching fixtures (``tests.rematch_fixtures``) for every test here."""

from tests.rematch_fixtures import pinned_settings, seeded

__all__ = ["pinned_settings", "seeded"]
