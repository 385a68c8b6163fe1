# One image for api, worker and beat; compose.yaml picks the command.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY matcher ./matcher
COPY api ./api
COPY tasks ./tasks
COPY fixtures ./fixtures
RUN uv sync --frozen --no-dev
ENV PATH="/app/.venv/bin:$PATH"
RUN useradd --create-home talentmatch && mkdir -p /app/var /var/lib/talentmatch/index \
    && chown talentmatch /app/var /var/lib/talentmatch/index
USER talentmatch
EXPOSE 8000
CMD ["talentmatch", "serve", "--host", "0.0.0.0"]
