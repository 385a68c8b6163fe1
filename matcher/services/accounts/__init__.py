"""Accounts: API keys, the ``Principal`` behind a request (``service``), and the web UI's
server-side sessions (``ui_sessions``)."""
