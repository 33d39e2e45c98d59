# The production image: gunicorn for web, the same image for the Celery worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 DEBUG=0
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
COPY . .

# Build-time only: static files and compiled catalogues need settings, not a real key.
RUN DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build \
    python manage.py compilemessages --ignore '.venv' -v 0 \
    && DEBUG=0 SECRET_KEY=build-only ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input -v 0

RUN useradd --system --home /app loopdesk \
    && mkdir -p /app/var /app/media && chown -R loopdesk /app/var /app/media
USER loopdesk
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
