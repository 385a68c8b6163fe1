"""``talentmatch serve``: run the HTTP API with uvicorn."""

from __future__ import annotations

import typer

from matcher.cli.app import app, fail, settings


@app.command()
def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Bind address (default: settings api_host)."),
    port: int | None = typer.Option(None, "--port", help="Port (default: settings api_port)."),
    reload: bool = typer.Option(False, "--reload", help="Restart on code changes (development)."),
    workers: int = typer.Option(1, "--workers", min=1, help="Worker processes."),
) -> None:
    """Serve the API (OpenAPI at /docs and /openapi.json) on the configured database."""
    import uvicorn

    from matcher.settings import InsecureSettings, check_servable

    configured = settings(ctx)
    try:
        check_servable(configured)
    except InsecureSettings as exc:
        raise fail(str(exc)) from None
    uvicorn.run(
        "api.main:app",
        host=host or configured.api_host,
        port=port or configured.api_port,
        reload=reload,
        workers=None if reload else workers,
        proxy_headers=False,
    )
