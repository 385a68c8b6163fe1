"""Weight profiles: what callers do with them (``service``: list, read, new version, preview)
over the versioned rows of ``store``."""
