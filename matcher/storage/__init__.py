"""Storage helpers below the services: PostgreSQL COPY for bulk writes (``copy``)."""
