"""Who may do what is asked of ``attachment_app.permissions``, and answered right.

Two halves. The scans fail if code or a template outside the permissions module looks at a
role itself (ADR 0009): a role compared, filtered on or tested through the ``User.is_*``
shortcuts. The matrix checks each named permission for every kind of person, against answers
written out here by hand.
"""

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from attachment_app import permissions
from attachment_app.accounts.models import User
from referrals import selectors as referral_selectors
from referrals import services as referral_services
from referrals import workflow
from tests.factories import (
    AdminFactory,
    FamilyFactory,
    HealthVisitorFactory,
    TeamFactory,
    TeamLeadFactory,
    UserFactory,
)
from tests.factories_referrals import ReferralFactory

ROOT = Path(__file__).resolve().parent.parent
APPS = ("attachment_app", "conversations", "screening", "referrals")

# --- The scans ----------------------------------------------------------------------------------

#: Where roles are defined, named or given to demo users: not scanned.
NOT_SCANNED = (
    "attachment_app/permissions.py",  # the one place that asks
    "attachment_app/accounts/models.py",  # where Role and the User.is_* shortcuts are defined
    "*/migrations/*",
    "*/management/commands/seed_demo*.py",  # demo users are given their roles
)
#: Code that shows or gives a role and decides nobody's rights by it: (path, the line).
SHOWN_OR_GIVEN = {
    # A request for the role and team the person already has would give them nothing: refused
    # as a mistake, not as a matter of who may do what.
    (
        "attachment_app/accounts/services.py",
        "if person.role == role and person.team_id == (team.pk if team else None):",
    ),
}
#: Template lines that show a role: (path, the line).
TEMPLATE_SHOWN: set[tuple[str, str]] = set()
ROLE_VALUES = {"health_visitor", "team_lead", "admin"}
ROLE_SHORTCUTS = {"is_team_lead", "is_clinical", "is_directory_admin"}
FILTERS = {"filter", "exclude", "get", "Q"}
ROLE_LOOKUP = re.compile(r"(^|__)role($|__)")
TEMPLATE_ROLE = re.compile(
    r"\buser\.role\b|\bis_team_lead\b|\bis_clinical\b|\bis_directory_admin\b|\.role\s*[!=]="
)


def _is_role(node: ast.AST) -> bool:
    """A role, or a role's value: ``x.role``, ``role``, ``"team_lead"``, ``Role.ADMIN``."""
    if isinstance(node, ast.Attribute):
        if node.attr == "role":
            return True
        return isinstance(node.value, ast.Name) and node.value.id == "Role"
    if isinstance(node, ast.Name):
        return node.id == "role" or node.id.endswith("_ROLES")
    if isinstance(node, ast.Constant):
        return node.value in ROLE_VALUES
    if isinstance(node, ast.Set | ast.Tuple | ast.List):
        return any(_is_role(element) for element in node.elts)
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


class _RoleReader(ast.NodeVisitor):
    """Every place a module decides something by a role: (line, function, offence)."""

    def __init__(self):
        self.found: list[tuple[int, str, str]] = []
        self._function = ""

    def visit_FunctionDef(self, node):
        outer, self._function = self._function, node.name
        self.generic_visit(node)
        self._function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Compare(self, node):
        if any(_is_role(side) for side in (node.left, *node.comparators)):
            self.found.append((node.lineno, self._function, "a role compared"))
        self.generic_visit(node)

    def visit_Call(self, node):
        if _call_name(node) in FILTERS:
            for keyword in node.keywords:
                if keyword.arg and ROLE_LOOKUP.search(keyword.arg):
                    self.found.append((node.lineno, self._function, "role= in a filter"))
        self.generic_visit(node)

    def visit_Attribute(self, node):
        asked_of_permissions = isinstance(node.value, ast.Name) and node.value.id == "permissions"
        if node.attr in ROLE_SHORTCUTS and not asked_of_permissions:
            self.found.append((node.lineno, self._function, f".{node.attr}"))
        self.generic_visit(node)


def _scanned_modules() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not any(path.relative_to(ROOT).match(pattern) for pattern in NOT_SCANNED)
    )


def role_offences() -> list[str]:
    offences = []
    allowed_seen = set()
    for path in _scanned_modules():
        relative = path.relative_to(ROOT).as_posix()
        source = path.read_text()
        reader = _RoleReader()
        reader.visit(ast.parse(source, filename=relative))
        lines = source.splitlines()
        for line, _function, offence in reader.found:
            text = lines[line - 1].strip()
            if (relative, text) in SHOWN_OR_GIVEN:
                allowed_seen.add((relative, text))
                continue
            offences.append(f"{relative}:{line}: {offence}: {text}")
    stale = SHOWN_OR_GIVEN - allowed_seen
    offences.extend(f"allowed but no longer found: {entry}" for entry in sorted(stale))
    return offences


def template_offences() -> list[str]:
    offences = []
    allowed_seen = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if not TEMPLATE_ROLE.search(line):
                continue
            if (relative, line.strip()) in TEMPLATE_SHOWN:
                allowed_seen.add((relative, line.strip()))
                continue
            offences.append(f"{relative}:{number}: {line.strip()}")
    stale = TEMPLATE_SHOWN - allowed_seen
    offences.extend(f"allowed but no longer found: {entry}" for entry in sorted(stale))
    return offences


def test_no_code_outside_the_permissions_module_decides_by_a_role():
    offences = role_offences()
    print("\n".join(offences))
    assert offences == [], (
        f"{len(offences)} role checks outside attachment_app.permissions:\n" + "\n".join(offences)
    )


def test_no_template_decides_by_a_role():
    offences = template_offences()
    print("\n".join(offences))
    assert offences == [], "templates ask `may` (PersonPermissions), not the role:\n" + "\n".join(
        offences
    )


@pytest.mark.parametrize(
    "source",
    [
        "if user.role == 'team_lead': pass",
        "if request.user.role in {Role.HEALTH_VISITOR, Role.TEAM_LEAD}: pass",
        "ok = role != 'admin'",
        "ok = 'team_lead' == kind",
        "ok = person.role in CLINICAL_ROLES",
        "User.objects.filter(role=Role.TEAM_LEAD)",
        "User.objects.exclude(role__in=['admin'])",
        "Q(created_by__role='team_lead')",
        "ok = request.user.is_team_lead",
        "ok = user.is_clinical",
        "ok = user.is_directory_admin",
    ],
)
def test_the_scan_finds_a_role_check(source):
    reader = _RoleReader()
    reader.visit(ast.parse(source))
    assert reader.found


@pytest.mark.parametrize(
    "source",
    [
        "ok = permissions.is_team_lead(user)",
        "label = person.get_role_display()",
        "User.objects.filter(team_id=1, is_active=True)",
        "ok = status == 'sent'",
    ],
)
def test_the_scan_passes_what_asks_the_permissions_module(source):
    reader = _RoleReader()
    reader.visit(ast.parse(source))
    assert reader.found == []


def test_the_template_scan_finds_a_role_check():
    for line in (
        "{% if user.role == 'team_lead' %}",
        "{% if request.user.is_team_lead %}",
        "{% if person.role != 'admin' %}",
        "{% if user.is_clinical %}",
    ):
        assert TEMPLATE_ROLE.search(line), line
    assert not TEMPLATE_ROLE.search("{{ person.get_role_display }} {% if may.review_referrals %}")


# --- The matrix ---------------------------------------------------------------------------------

#: The people every permission is asked about. Team A is the family's team.
PEOPLE = (
    "hv",
    "lead",
    "admin",
    "no_role",
    "inactive_lead",
    "inactive_admin",
    "signed_out",
    "lead_b",
)


@pytest.fixture
def people(db):
    team_a, team_b = TeamFactory(name="Team A"), TeamFactory(name="Team B")
    return SimpleNamespace(
        team_a=team_a,
        team_b=team_b,
        hv=HealthVisitorFactory(team=team_a, username="hv"),
        lead=TeamLeadFactory(team=team_a, username="lead"),
        admin=AdminFactory(username="admin"),
        no_role=UserFactory(role="", team=team_a, username="no-role"),
        inactive_lead=TeamLeadFactory(team=team_a, username="gone", is_active=False),
        inactive_admin=AdminFactory(username="gone-admin", is_active=False),
        signed_out=AnonymousUser(),
        lead_b=TeamLeadFactory(team=team_b, username="lead-b"),
        family=FamilyFactory(team=team_a),
    )


def _row(*answers: bool) -> dict[str, bool]:
    assert len(answers) == len(PEOPLE)
    return dict(zip(PEOPLE, answers, strict=True))


T, F = True, False
#: Permission about the person alone -> the answer for each person, in PEOPLE's order:
#: hv, lead, admin, no role, inactive lead, inactive admin, signed out, another team's lead.
ABOUT_THE_PERSON = {
    "is_clinician": _row(T, T, F, F, F, F, F, T),
    "is_team_lead": _row(F, T, F, F, F, F, F, T),
    "is_health_visitor": _row(T, F, F, F, F, F, F, F),
    "is_admin": _row(F, F, T, F, F, F, F, F),
    "may_add_family": _row(T, T, F, F, F, F, F, T),
    "named_hv_by_default": _row(T, F, F, F, F, F, F, F),
    "caseload_opens_on_own_families": _row(T, F, F, F, F, F, F, F),
    "may_review_referrals": _row(F, T, F, F, F, F, F, T),
    "sees_team_figures": _row(F, T, F, F, F, F, F, T),
    "may_export_referral_list": _row(F, T, F, F, F, F, F, T),
    "may_bulk_export": _row(F, T, F, F, F, F, F, T),
    "may_manage_directory": _row(F, F, T, F, F, F, F, F),
    "may_manage_instruments": _row(F, F, T, F, F, F, F, F),
    "may_manage_people": _row(F, T, T, F, F, F, F, T),
    "may_change_accounts": _row(F, F, T, F, F, F, F, F),
    "sees_every_account": _row(F, F, T, F, F, F, F, F),
    "may_manage_reference_lists": _row(F, F, T, F, F, F, F, F),
}
#: Permission about the person and team A's family.
ABOUT_THE_FAMILY = {
    "may_record_for": _row(T, T, F, F, F, F, F, F),
    "may_see_access_log": _row(F, T, F, F, F, F, F, F),
    "may_mark_entered_in_error": _row(T, T, F, F, F, F, F, F),
    "may_export_record": _row(T, T, F, F, F, F, F, F),
}
#: ``may`` in templates: property -> the permission it answers.
TEMPLATE_NAMES = {
    "add_family": "may_add_family",
    "review_referrals": "may_review_referrals",
    "see_team_figures": "sees_team_figures",
    "export_referral_list": "may_export_referral_list",
    "bulk_export": "may_bulk_export",
    "manage_people": "may_manage_people",
    "manage_directory": "may_manage_directory",
    "manage_instruments": "may_manage_instruments",
    "work_with_families": "is_clinician",
    "change_accounts": "may_change_accounts",
    "see_every_account": "sees_every_account",
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", sorted(ABOUT_THE_PERSON))
def test_what_a_person_may_do(people, name, who):
    assert getattr(permissions, name)(getattr(people, who)) is ABOUT_THE_PERSON[name][who]


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("name", sorted(ABOUT_THE_FAMILY))
def test_what_a_person_may_do_for_a_family(people, name, who):
    answer = getattr(permissions, name)(getattr(people, who), people.family)
    assert answer is ABOUT_THE_FAMILY[name][who]


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_be_a_familys_named_hv(people, who):
    person = getattr(people, who)
    in_team_a = _row(T, T, F, F, F, F, F, F)
    in_team_b = _row(F, F, F, F, F, F, F, T)
    assert permissions.may_be_named_hv(person, people.team_a.pk) is in_team_a[who]
    assert permissions.may_be_named_hv(person, people.team_b.pk) is in_team_b[who]
    assert permissions.may_be_named_hv(person, None) is False


@pytest.mark.parametrize("who", PEOPLE)
def test_the_template_permissions_answer_as_the_functions(people, who):
    may = permissions.PersonPermissions(getattr(people, who))
    for name, permission in TEMPLATE_NAMES.items():
        assert getattr(may, name) is ABOUT_THE_PERSON[permission][who], name


def test_the_template_permissions_are_the_ones_listed_here():
    public = {name for name in vars(permissions.PersonPermissions) if not name.startswith("_")}
    assert public == set(TEMPLATE_NAMES)


def test_the_template_permissions_are_asked_when_read(people):
    may = permissions.PersonPermissions(people.hv)
    assert may.add_family is True
    people.hv.is_active = False
    assert may.add_family is False


def test_roles_as_chosen_on_a_form():
    assert [permissions.role_is_clinical(r) for r in ("health_visitor", "team_lead")] == [T, T]
    assert [permissions.role_is_clinical(r) for r in ("admin", "", "nurse")] == [F, F, F]
    assert permissions.role_is_admin("admin") is True
    assert [permissions.role_is_admin(r) for r in ("team_lead", "health_visitor", "")] == [F, F, F]


def test_the_team_queries_name_only_active_people_of_the_team(people):
    other_hv = HealthVisitorFactory(team=people.team_a, username="hv2")
    HealthVisitorFactory(team=people.team_a, username="hv-gone", is_active=False)
    HealthVisitorFactory(team=people.team_b, username="hv-b")
    assert set(permissions.team_leads(people.team_a.pk)) == {people.lead}
    assert set(permissions.health_visitors(people.team_a.pk)) == {people.hv, other_hv}
    assert set(permissions.clinicians(people.team_a.pk)) == {people.hv, other_hv, people.lead}
    assert set(permissions.team_leads(people.team_b.pk)) == {people.lead_b}
    assert set(permissions.teams_with_a_lead().values_list("team_id", flat=True)) == {
        people.team_a.pk,
        people.team_b.pk,
    }
    assert set(permissions.admins()) == {people.admin}
    people.lead_b.is_active = False
    people.lead_b.save()
    assert set(permissions.teams_with_a_lead().values_list("team_id", flat=True)) == {
        people.team_a.pk
    }


# --- The referral workflow ----------------------------------------------------------------------


def _move(action: str, source: str) -> workflow.Transition:
    found = workflow.find(action, source)
    assert found is not None
    return found


#: (action, from) -> who may make it (is_author=False, then True), written out by hand.
MOVES = {
    # Any clinician of the team, author or not.
    ("submit", "draft"): (_row(T, T, F, F, F, F, F, T), _row(T, T, F, F, F, F, F, T)),
    ("send-urgently", "draft"): (_row(T, T, F, F, F, F, F, T), _row(T, T, F, F, F, F, F, T)),
    ("withdraw", "submitted"): (_row(T, T, F, F, F, F, F, T), _row(T, T, F, F, F, F, F, T)),
    # A team lead's, and never the author's (ADR 0007); the team is checked apart.
    ("approve", "submitted"): (_row(F, T, F, F, F, F, F, T), _row(F, F, F, F, F, F, F, F)),
    ("return", "submitted"): (_row(F, T, F, F, F, F, F, T), _row(F, F, F, F, F, F, F, F)),
}


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("move", sorted(MOVES))
def test_who_may_make_a_move(people, move, who):
    not_author, author = MOVES[move]
    transition = _move(*move)
    person = getattr(people, who)
    assert permissions.may_make_transition(person, transition, is_author=False) is not_author[who]
    assert permissions.may_make_transition(person, transition, is_author=True) is author[who]


@pytest.mark.parametrize(
    ("who", "status", "urgent", "is_author", "actions"),
    [
        ("hv", "draft", False, True, ["submit", "withdraw"]),
        ("hv", "draft", True, True, ["submit", "send-urgently", "withdraw"]),
        ("lead", "draft", True, False, ["submit", "send-urgently", "withdraw"]),
        ("hv", "submitted", False, True, ["withdraw"]),
        ("lead", "submitted", False, False, ["approve", "return", "withdraw"]),
        ("lead", "submitted", True, False, ["approve", "return", "withdraw"]),
        ("lead", "submitted", False, True, ["withdraw"]),
        ("hv", "sent", False, True, ["acknowledge", "accept", "decline", "withdraw"]),
        ("lead", "completed", False, False, []),
        ("admin", "submitted", False, False, []),
        ("no_role", "draft", False, False, []),
        ("inactive_lead", "submitted", False, False, []),
        ("signed_out", "draft", True, False, []),
    ],
)
def test_the_moves_a_person_is_offered(people, who, status, urgent, is_author, actions):
    offered = permissions.transitions_for(
        getattr(people, who), workflow.moves_from(status, urgent=urgent), is_author=is_author
    )
    assert [transition.action for transition in offered] == actions


@pytest.mark.parametrize("who", PEOPLE)
def test_who_reviews_an_urgent_referral_after_sending(people, who):
    not_author = _row(F, T, F, F, F, F, F, T)
    person = getattr(people, who)
    assert permissions.may_review_after_sending(person, is_author=False) is not_author[who]
    assert permissions.may_review_after_sending(person, is_author=True) is False


def may_review(person, referral) -> bool:
    """Asked as the pages ask it: with whether the person is the referral's author."""
    is_author = person.is_authenticated and referral_selectors.is_author(referral, person)
    return permissions.may_review_referral(person, referral, is_author=is_author)


@pytest.mark.parametrize("who", PEOPLE)
def test_who_may_review_a_referral(people, who):
    by_the_hv = ReferralFactory(family=people.family, created_by=people.hv)
    by_the_lead = ReferralFactory(family=people.family, created_by=people.lead)
    person = getattr(people, who)
    assert may_review(person, by_the_hv) is _row(F, T, F, F, F, F, F, F)[who]
    assert may_review(person, by_the_lead) is False


def test_a_lead_who_submitted_a_colleagues_draft_does_not_review_it(people):
    referral = ReferralFactory(family=people.family, created_by=people.hv)
    second_lead = TeamLeadFactory(team=people.team_a, username="lead2")
    referral_services.referral_transition(
        actor=people.lead, referral=referral, action="submit", expected_version=referral.version
    )
    referral.refresh_from_db()
    assert may_review(people.lead, referral) is False
    assert may_review(second_lead, referral) is True


def test_every_permission_is_in_the_matrix():
    """A permission added to the module is added here too, with its answers."""
    tested = {
        *ABOUT_THE_PERSON,
        *ABOUT_THE_FAMILY,
        "may_be_named_hv",
        "role_is_clinical",
        "clinical_role_filter",
        "role_is_admin",
        "team_leads",
        "health_visitors",
        "clinicians",
        "teams_with_a_lead",
        "admins",
        "may_make_transition",
        "transitions_for",
        "may_review_after_sending",
        "may_review_referral",
    }
    public = {
        name
        for name, value in vars(permissions).items()
        if callable(value)
        and not name.startswith("_")
        and getattr(value, "__module__", "") == permissions.__name__
        and not isinstance(value, type)
    }
    assert public - tested == set()


@pytest.mark.django_db
def test_the_clinical_role_filter_picks_health_visitors_and_team_leads(people):
    chosen = set(
        User.objects.filter(permissions.clinical_role_filter()).values_list("pk", flat=True)
    )
    expected = {people.hv.pk, people.lead.pk, people.inactive_lead.pk, people.lead_b.pk}
    assert chosen == expected
    by_field = permissions.clinical_role_filter("user__role")
    assert by_field == Q(user__role__in=["health_visitor", "team_lead"])


# --- Whatever is asked about: something that is not a full account ------------------------------

FULL = {"is_authenticated": True, "is_active": True, "team_id": 1}


@pytest.mark.parametrize(
    ("attributes", "clinician", "admin"),
    [
        (FULL | {"role": "team_lead"}, True, False),
        (FULL | {"role": "admin"}, False, True),
        # Each missing attribute counts against the person, never for them.
        ({"is_active": True, "team_id": 1, "role": "team_lead"}, False, False),
        ({"is_active": True, "role": "admin"}, False, False),
        ({"is_authenticated": True, "team_id": 1, "role": "team_lead"}, False, False),
        ({"is_authenticated": True, "is_active": True, "team_id": 1}, False, False),
        ({"is_authenticated": True, "is_active": True, "role": "health_visitor"}, False, False),
        ({"is_authenticated": True, "is_active": True, "role": "admin"}, False, True),
    ],
)
def test_a_missing_attribute_never_grants_anything(attributes, clinician, admin):
    person = SimpleNamespace(**attributes)
    assert permissions.is_clinician(person) is clinician
    assert permissions.is_team_lead(person) is clinician
    assert permissions.is_admin(person) is admin
