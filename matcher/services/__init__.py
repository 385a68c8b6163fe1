"""Services: the imperative shell. They load data, call the pure core and persist the result.
The CLI, the API and the Celery tasks are thin doors onto these functions."""
