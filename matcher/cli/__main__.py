"""``python -m matcher.cli``: the same as the ``talentmatch`` command."""

from matcher.cli import main

main()
