# Production image: gunicorn (web), celery worker and celery beat all run from it (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries and the Chinese fonts the PDFs are set in.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --uid 1000 app

WORKDIR /app
COPY . /app
RUN pip install . \
    && mkdir -p /app/var/staticfiles /data/media \
    && chown -R app:app /app/var /data

# Run from the source tree so BASE_DIR is /app (templates/, static/ and manage.py live there).
# Production values come from the environment (docker-compose.yml); these are only the image's defaults.
ENV PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=safety_office.settings \
    DEBUG=false \
    STATIC_ROOT=/app/var/staticfiles \
    MEDIA_ROOT=/data/media

USER app
EXPOSE 8000
CMD ["gunicorn", "safety_office.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
