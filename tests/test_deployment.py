"""The production shape in docker-compose.yml agrees with the settings."""

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = Path(settings.BASE_DIR, "docker-compose.yml")


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert "gunicorn" in Path(settings.BASE_DIR, "Dockerfile").read_text()
    assert services["worker"]["command"][:4] == ["celery", "-A", "attachment_app", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "attachment_app", "beat"]


def test_redis_keeps_its_queue_on_disk_and_never_evicts():
    command = compose()["services"]["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--maxmemory-policy") + 1] == "noeviction"


def test_exactly_one_scheduler():
    assert compose()["services"]["beat"]["deploy"]["replicas"] == 1


def test_app_services_run_in_production_mode_with_the_variables_settings_read():
    environment = compose()["x-app"]["environment"]
    assert environment["DJANGO_ENV"] == "production"
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL"):
        assert variable in environment
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["REDIS_URL"].startswith("redis://")


def test_models_and_migrations_agree(db):
    from django.core.management import call_command

    # Exits non-zero when a model change has no migration (or a migration would flap).
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
