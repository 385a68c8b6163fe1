"""The API's routers, one per resource. Each route is one service call: authorization is a
dependency (``api.deps``) or done by the service, never written out in a route."""
