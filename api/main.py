"""The ASGI app built from the configured settings (``uvicorn api.main:app``)."""

from api.app import create_app
from matcher.observability import logs
from matcher.settings import get_settings

logs.configure(json_logs=get_settings().log_format == "json")
app = create_app()
