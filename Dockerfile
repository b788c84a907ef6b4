# Production image: slim Debian, WeasyPrint's libraries, Noto fonts for every ASEAN script, gunicorn as a
# non-root user. Build:  docker build -t asean-scorecard .     Run: see docs/deploy.md.
# With the S3-compatible storage backend for reports (django-storages, boto3):
#        docker build --build-arg LOCK=requirements-s3.lock -t asean-scorecard .

FROM python:3.11-slim-bookworm AS build
# PyICU compiles against ICU; gettext compiles the translation catalogues. Neither goes into the final image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ pkg-config libicu-dev gettext \
 && rm -rf /var/lib/apt/lists/*
# The runtime packages exactly as locked, every file checked against its hash. The application itself is not
# installed as a package: it runs from /app, beside its templates, static files and content.
ARG LOCK=requirements.lock
COPY requirements.lock requirements-s3.lock /tmp/
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir --require-hashes -r "/tmp/$LOCK"
# The translation catalogues (locale/<lang>/LC_MESSAGES/django.po) compiled to the .mo files Django reads; the .mo
# files are not in the repository (locale/README.md).
COPY locale /tmp/catalogues/locale
RUN cd /tmp/catalogues && /opt/venv/bin/django-admin compilemessages

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH="/opt/venv/bin:$PATH" \
    DJANGO_SETTINGS_MODULE=scorecard.settings PORT=8000
# Pango/HarfBuzz for WeasyPrint; ICU at run time; Noto fonts (Latin and Vietnamese, Thai, Khmer, Lao,
# Myanmar) so reports render in every ASEAN script without fetching anything.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libicu72 \
      fonts-noto-core fontconfig \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin scorecard
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=scorecard:scorecard . /app
COPY --from=build --chown=scorecard:scorecard /tmp/catalogues/locale /app/locale
# Static files are collected at build time (whitenoise serves them, hashed and compressed).
RUN DEBUG=0 SECRET_KEY=collectstatic-only DATABASE_URL=sqlite:////tmp/build.sqlite3 \
      python manage.py collectstatic --noinput \
 && rm -rf /app/.venv /app/db.sqlite3* /app/tests /app/bench /app/build /app/*.egg-info /tmp/build.sqlite3 \
 && mkdir -p /app/media/reports \
 && chown -R scorecard:scorecard /app/staticfiles /app/media
# /app/media (MEDIA_ROOT) holds the "reports" storage when it is the file system: cached PDFs and bulk-export zips.
# Mount one volume there for the web and worker containers alike (docs/deploy.md); a new named volume takes
# this folder's owner, so the non-root user can write to it.
USER scorecard
EXPOSE 8000
# The health check sends the first allowed host name: Django refuses requests for hosts not in ALLOWED_HOSTS.
# A worker container serves no HTTP: it counts as healthy while its process runs.
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import os, sys, urllib.request as r; \
args = open('/proc/1/cmdline', 'rb').read().split(b'\0'); \
sys.exit(0) if b'worker' in args or b'db_worker' in args else None; \
host = os.environ.get('ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); \
host = 'localhost' if host in ('', '*') else host; \
r.urlopen(r.Request('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', headers={'Host': host}), timeout=4)"
ENTRYPOINT ["python", "manage.py", "container"]
CMD ["web"]
