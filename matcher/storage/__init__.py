"""Storage helpers below the services: set-based writes for PostgreSQL and SQLite (``bulk``),
through PostgreSQL COPY where the database is PostgreSQL (``copy``)."""
