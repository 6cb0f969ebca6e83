"""Create the demo teams and staff accounts. Running it again changes nothing."""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from attachment_app.accounts.models import Role, Team, User

#: Shared by every demo account, printed by this command and written in the README.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 - demo data, refused in production
#: The authenticator app secret of every demo account (base32), also in the README: add it to
#: any authenticator app, or run ``pyotp.TOTP(secret).now()``, to get the sign-in code.
DEMO_TOTP_SECRET = "SRDEMOAUTHENTICATORSECRETSTWENTY"  # noqa: S105 - demo data, as above

TEAMS = [
    # Made-up contact details: the phone numbers are from Ofcom's range for drama.
    {
        "name": "Riverside Health Visiting Team",
        "area": "Riverside",
        "phone": "0113 496 0000",
        "email": "riverside-hv@rhch-trust.example.org",
    },
    {
        "name": "Hillcrest Health Visiting Team",
        "area": "Hillcrest",
        "phone": "0113 496 0001",
        "email": "hillcrest-hv@rhch-trust.example.org",
    },
]

USERS = [
    ("hv.amara", "Amara", "Okafor", Role.HEALTH_VISITOR, "Riverside Health Visiting Team"),
    ("hv.ben", "Ben", "Hughes", Role.HEALTH_VISITOR, "Riverside Health Visiting Team"),
    ("hv.carys", "Carys", "Evans", Role.HEALTH_VISITOR, "Hillcrest Health Visiting Team"),
    ("lead.riverside", "Deepa", "Shah", Role.TEAM_LEAD, "Riverside Health Visiting Team"),
    ("lead.hillcrest", "Euan", "Fraser", Role.TEAM_LEAD, "Hillcrest Health Visiting Team"),
    ("admin", "Fatima", "Ali", Role.ADMIN, None),
]


class Command(BaseCommand):
    help = "Create demo teams and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Then add N invented families with their records to the first demo team, in "
            "bulk, for performance checks (each run adds N more).",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production.")
        teams = {}
        for spec in TEAMS:
            team, _ = Team.objects.update_or_create(name=spec["name"], defaults=spec)
            teams[team.name] = team
        lines = []
        for username, first, last, role, team_name in USERS:
            user, _ = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.invalid",
                    "role": role,
                    "team": teams.get(team_name),
                    # The admin role opens the reference lists by itself: no flags, no
                    # permissions (see attachment_app/admin_site.py).
                    "is_staff": False,
                    "is_superuser": False,
                    "is_active": True,
                },
            )
            if not user.check_password(DEMO_PASSWORD):
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            user.user_permissions.clear()
            user.groups.clear()
            Authenticator.objects.update_or_create(
                user=user,
                type=Authenticator.Type.TOTP,
                defaults={"data": {"secret": DEMO_TOTP_SECRET}},
            )
            lines.append(f"  {username:<16} {Role(role).label:<15} {team_name or '—'}")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        self.stdout.write(f"Demo authenticator secret (all accounts): {DEMO_TOTP_SECRET}")
        self.stdout.write("\n".join(lines))
        # The families are step 1's records, so their command lives in the conversations app;
        # called by name, accounts imports nothing from it.
        call_command("seed_demo_families", stdout=self.stdout)
        # Then the service directory, and concerns and referrals on a few of those families.
        call_command("seed_demo_directory", stdout=self.stdout)
        call_command("seed_demo_referrals", stdout=self.stdout)
        if options["scale"]:
            call_command("seed_demo_scale", options["scale"], stdout=self.stdout)
