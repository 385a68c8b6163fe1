"""Imports every command module so that each registers its commands on the app.

Add one import line per command module; keep them sorted.
"""

from matcher.cli import cv  # noqa: F401
from matcher.cli import database  # noqa: F401
from matcher.cli import decisions  # noqa: F401
from matcher.cli import demo  # noqa: F401
from matcher.cli import drafting  # noqa: F401
from matcher.cli import generate  # noqa: F401
from matcher.cli import keys  # noqa: F401
from matcher.cli import matching  # noqa: F401
from matcher.cli import placements  # noqa: F401
from matcher.cli import rank  # noqa: F401
from matcher.cli import seeding  # noqa: F401
from matcher.cli import serve  # noqa: F401
from matcher.cli import skills  # noqa: F401
from matcher.cli import transfer  # noqa: F401
from matcher.cli import version  # noqa: F401
