"""Celery: the app (``tasks.app``), the tasks (``tasks.matching``), and what a worker process
sets up (``tasks.worker``). Tasks are thin: they take ids, open their own session, call a
service of ``matcher.services`` and commit. ``celery -A tasks ...`` finds the app here."""

from tasks.app import app

__all__ = ["app"]
