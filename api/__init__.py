"""The HTTP API (FastAPI): thin routers over ``matcher.services``. Build it with
``api.app.create_app``; ``talentmatch serve`` runs it."""
