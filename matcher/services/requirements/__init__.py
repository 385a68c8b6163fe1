"""Requirement specs, authorized per ``Principal`` (``service``), and why a shortlist is thin
(``diagnosis``)."""
