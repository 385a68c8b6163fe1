"""The UI's static files (one stylesheet, one script), served by a plain route.

A route rather than a ``StaticFiles`` mount: only the files shipped in ``api/static`` can be
named (no path from the URL touches the file system), and the app's route listing stays made
of routes only.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from api.ui.context import STATIC_DIR
from matcher.errors import NotFound

router = APIRouter(include_in_schema=False)
FILES = {path.name: path for path in STATIC_DIR.iterdir() if path.suffix in (".css", ".js")}
MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    path = FILES.get(name)
    if path is None:
        raise NotFound(f"no static file {name!r}")
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
