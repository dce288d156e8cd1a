# Production image: the same ASGI app `make run` serves, under gunicorn with uvicorn workers.
# Configure it with the environment variables in README.md ("Configuration").
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DEBUG=false \
    PORT=8000 \
    WEB_CONCURRENCY=4

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .

# Static files are collected at build time and served by WhiteNoise. collectstatic
# needs settings, not secrets: a throwaway key is used for this one command.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput

RUN useradd --system --uid 10001 app && chown -R app /app
USER app

EXPOSE 8000

# Migrations run as a release step (see README, "Deployment"), not on every start.
# gunicorn starts WEB_CONCURRENCY uvicorn workers, each listening on a socket of its own
# (fractionax_support/gunicorn_conf.py), and logs each request to stdout;
# `exec`, so that gunicorn is PID 1 and gets the SIGTERM that stops the container.
CMD ["sh", "-c", "exec gunicorn --config python:fractionax_support.gunicorn_conf --bind 0.0.0.0:${PORT} --access-logfile -"]
