# The Schakel dashboard and command line, for docker-compose.yml.
FROM python:3.11-slim

ENV UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/schakel \
    PATH=/opt/schakel/bin:$PATH \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY graph ./graph
COPY ingest ./ingest
COPY dashboard ./dashboard
COPY schakel ./schakel
RUN uv sync --frozen --no-dev

RUN useradd --system --home /var/lib/schakel schakel && mkdir -p /var/lib/schakel \
    && chown schakel /var/lib/schakel
USER schakel
EXPOSE 8501
ENTRYPOINT ["schakel"]
CMD ["dashboard", "--port", "8501", "--address", "0.0.0.0"]
