# The production image: the Django app under gunicorn; the same image runs the worker and beat.

FROM node:20-bookworm-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production \
    PORT=8000
WORKDIR /app
RUN useradd --create-home --uid 10001 app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY --from=frontend /app/node_modules ./node_modules
COPY . .
# collectstatic needs settings that load; these throwaway values are used for this step only.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://unused@localhost/unused \
    python manage.py collectstatic --no-input \
    && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["sh", "-c", "gunicorn attachment_app.wsgi --bind 0.0.0.0:${PORT} --workers 3 --timeout 30 --access-logformat '%(h)s %(t)s \"%(m)s %(U)s %(H)s\" %(s)s %(b)s %(M)sms' --access-logfile -"]
