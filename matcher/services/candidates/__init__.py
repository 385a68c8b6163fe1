"""Candidates for staff: create, import, list, read, replace, patch and erase (``service``)."""
