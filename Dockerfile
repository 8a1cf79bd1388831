# The Schakel dashboard and command line, for docker-compose.yml.
FROM python:3.11-slim

ENV UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/schakel \
    PATH=/opt/schakel/bin:$PATH \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

# PyICU (under FollowTheMoney) builds against ICU; the case reports' PDF is set in DejaVu Sans
RUN apt-get update && apt-get install -y --no-install-recommends g++ pkg-config libicu-dev \
        fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY graph ./graph
COPY ingest ./ingest
COPY dashboard ./dashboard
COPY schakel ./schakel
COPY i18n ./i18n
COPY scenarios ./scenarios
RUN uv sync --frozen --no-dev

RUN useradd --system --home /var/lib/schakel schakel && mkdir -p /var/lib/schakel \
    && chown schakel /var/lib/schakel
USER schakel
EXPOSE 8501
ENTRYPOINT ["schakel"]
CMD ["dashboard", "--port", "8501", "--address", "0.0.0.0"]
