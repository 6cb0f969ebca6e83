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


def test_the_app_connects_as_the_app_role_and_only_migrate_as_the_owner():
    services = compose()["services"]
    app_user = compose()["x-app"]["environment"]["DATABASE_URL"].split("//")[1].split(":")[0]
    owner = services["migrate"]["environment"]["DATABASE_URL"].split("//")[1].split(":")[0]
    assert app_user == "starting_relationships_app"
    assert owner == services["db"]["environment"]["POSTGRES_USER"] != app_user
    migrate = services["migrate"]["command"][-1]
    assert "grant_app_role starting_relationships_app --create" in migrate
    for name in ("web", "worker", "beat"):
        assert "environment" not in services[name] or (
            "starting_relationships_app" in services[name]["environment"]["DATABASE_URL"]
        ), name


def test_make_run_serves_as_the_app_role_on_the_embedded_server():
    from attachment_app import devservices

    owner = "postgres://postgres@%2Ftmp%2Fpg:5439/starting_relationships"
    env = devservices.app_role_env({"DATABASE_URL": owner}, embedded=True)
    assert env["DATABASE_URL"] == (
        "postgres://starting_relationships_app@%2Ftmp%2Fpg:5439/starting_relationships"
    )
    given = {"DATABASE_URL": owner, "APP_DATABASE_URL": "postgres://app:pw@db/x"}
    assert (
        devservices.app_role_env(given, embedded=False)["DATABASE_URL"] == given["APP_DATABASE_URL"]
    )
