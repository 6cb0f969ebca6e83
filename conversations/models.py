"""Step 1: families, babies, caregivers, contacts, consent and the three questions.

Every record here belongs to a family, and a family to a team: each queryset's
``visible_to(user)`` goes through the one scoping rule in ``accounts.scoping``.
"""

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Subquery
from django.db.models.functions import Upper
from django.utils.functional import cached_property

from attachment_app.accounts.models import Team
from attachment_app.accounts.scoping import TeamScopedQuerySet
from attachment_app.formatting import format_date, format_datetime

# Limits for free text: long enough for what a parent says, short enough to stay a note.
NAME_LENGTH = 120
WORD_LENGTH = 80
ANSWER_LENGTH = 2000
NOTE_LENGTH = 4000


class FamilyQuerySet(TeamScopedQuerySet):
    team_field = "team"


@pghistory.track()
class Family(models.Model):
    """A household on a team's caseload, with its named health visitor."""

    #: Set by the caseload's query (a prefetch), not a column.
    unfinished_conversations: list["Conversation"]

    name = models.CharField(
        "Family name",
        max_length=NAME_LENGTH,
        help_text="How the team refers to the household, for example the family's surname.",
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="families")
    named_hv = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="Named health visitor",
        on_delete=models.PROTECT,
        related_name="named_families",
        null=True,
        blank=True,
    )
    address_line_1 = models.CharField("Address line 1", max_length=NAME_LENGTH)
    address_line_2 = models.CharField("Address line 2", max_length=NAME_LENGTH, blank=True)
    town = models.CharField("Town or city", max_length=NAME_LENGTH, blank=True)
    postcode = models.CharField(max_length=8)
    area = models.CharField(max_length=NAME_LENGTH, blank=True)
    # The next mandated contact across the family's babies, kept by the services that change
    # babies and contacts (conversations.services.family_refresh_schedule) so that the caseload
    # can filter and sort on it in SQL.
    next_contact_type = models.CharField(max_length=30, blank=True)
    next_contact_opens = models.DateField(null=True, blank=True)
    next_contact_closes = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FamilyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "families"
        ordering = ["name", "pk"]
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="family_name_trgm"),
            models.Index(fields=["team", "named_hv", "name"], name="family_team_hv"),
            models.Index(fields=["team", "postcode"], name="family_team_postcode"),
            models.Index(fields=["team", "next_contact_opens"], name="family_team_next_contact"),
        ]

    def __str__(self) -> str:
        return self.name


class FamilyOwnedQuerySet(TeamScopedQuerySet):
    """Records that belong to a family, and so to the family's team."""

    team_field = "family__team"


# --- Entered in error -------------------------------------------------------------------------
# Nothing recorded about a family is deleted. A record made by mistake (a double-submitted form,
# the wrong family) is marked "entered in error": the row stays, with who marked it, when and
# why, and its history keeps the change; every list, count, figure, export and reminder reads
# the record through ``in_record()`` and so leaves it out.

REASON_LENGTH = 500


class RecordQuerySet(FamilyOwnedQuerySet):
    """A family's records that may be marked entered in error (``EnteredInError``)."""

    def in_record(self):
        """The records that stand: none marked entered in error."""
        return self.filter(entered_in_error_at__isnull=True)

    def entered_in_error(self):
        """The records marked entered in error, most recently marked first."""
        return self.filter(entered_in_error_at__isnull=False).order_by(
            "-entered_in_error_at", "-pk"
        )


class EnteredInError(models.Model):
    """Who marked a record entered in error, when and why; empty while it stands."""

    entered_in_error_at = models.DateTimeField(null=True, blank=True)
    entered_in_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entered_in_error_reason = models.CharField(max_length=REASON_LENGTH, blank=True)

    class Meta:
        abstract = True

    @property
    def is_entered_in_error(self) -> bool:
        return self.entered_in_error_at is not None


#: Added to each marked model's constraints: a mark always says who made it and why.
ENTERED_IN_ERROR_COMPLETE = models.CheckConstraint(
    condition=models.Q(
        entered_in_error_at__isnull=True,
        entered_in_error_by__isnull=True,
        entered_in_error_reason="",
    )
    | (
        models.Q(entered_in_error_at__isnull=False, entered_in_error_by__isnull=False)
        & ~models.Q(entered_in_error_reason="")
    ),
    name="%(app_label)s_%(class)s_entered_in_error_complete",
)


@pghistory.track()
class Caregiver(EnteredInError):
    """A parent or carer of the baby."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        PARTNER = "partner", "Partner of parent"
        GRANDPARENT = "grandparent", "Grandparent"
        FOSTER_CARER = "foster_carer", "Foster carer"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="caregivers")
    name = models.CharField(max_length=NAME_LENGTH)
    relationship = models.CharField(
        "Relationship to baby", max_length=20, choices=Relationship.choices
    )
    phone = models.CharField("Phone number", max_length=30, blank=True)
    email = models.EmailField("Email address", blank=True)
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    relationship__in=[
                        "mother",
                        "father",
                        "partner",
                        "grandparent",
                        "foster_carer",
                        "other",
                    ]
                ),
                name="caregiver_relationship_known",
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Baby(models.Model):
    """A baby, before or after birth."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        INDETERMINATE = "indeterminate", "Indeterminate"
        NOT_KNOWN = "not_known", "Not known"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="babies")
    name = models.CharField(
        max_length=NAME_LENGTH, blank=True, help_text="Leave blank if the baby has no name yet."
    )
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date = models.DateField("Expected date of delivery", null=True, blank=True)
    sex = models.CharField(max_length=20, choices=Sex.choices, default=Sex.NOT_KNOWN)
    nhs_number = models.CharField("NHS number", max_length=10, null=True, blank=True, unique=True)

    objects = FamilyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "babies"
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__isnull=False)
                | models.Q(expected_date__isnull=False),
                name="baby_has_birth_or_expected_date",
            ),
            models.CheckConstraint(
                condition=models.Q(nhs_number__isnull=True)
                | models.Q(nhs_number__regex=r"^\d{10}$"),
                name="baby_nhs_number_ten_digits",
            ),
        ]
        indexes = [
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="baby_name_trgm"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or ("Unborn baby" if self.date_of_birth is None else "Baby")

    @property
    def is_born(self) -> bool:
        return self.date_of_birth is not None


class ContactType(models.TextChoices):
    """The Healthy Child Programme's five mandated contacts, plus any other."""

    ANTENATAL = "antenatal", "Antenatal (from 28 weeks)"
    NEW_BIRTH = "new_birth", "New birth visit (10 to 14 days)"
    SIX_TO_EIGHT_WEEKS = "six_to_eight_weeks", "6 to 8 weeks"
    NINE_TO_TWELVE_MONTHS = "nine_to_twelve_months", "9 to 12 months"
    TWO_YEARS = "two_years", "2 to 2 and a half years"
    ADDITIONAL = "additional", "Additional or targeted contact"


@pghistory.track()
class Contact(EnteredInError):
    """A visit or other contact with the family."""

    class Place(models.TextChoices):
        HOME = "home", "Home"
        CLINIC = "clinic", "Clinic"
        VIRTUAL = "virtual", "Virtual (phone or video)"
        OTHER = "other", "Other"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="contacts")
    baby = models.ForeignKey(
        Baby, on_delete=models.PROTECT, related_name="contacts", null=True, blank=True
    )
    contact_date = models.DateField("Date of contact")
    contact_type = models.CharField("Type of contact", max_length=30, choices=ContactType.choices)
    place = models.CharField(max_length=20, choices=Place.choices)
    present = models.CharField(
        "Who was present", max_length=300, blank=True, help_text="For example, mother and baby."
    )
    interpreter_used = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_recorded"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-contact_date", "-pk"]
        indexes = [models.Index(fields=["family", "-contact_date"], name="contact_family_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(contact_type__in=ContactType.values), name="contact_type_known"
            ),
            models.CheckConstraint(
                condition=models.Q(place__in=["home", "clinic", "virtual", "other"]),
                name="contact_place_known",
            ),
            ENTERED_IN_ERROR_COMPLETE,
        ]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {format_date(self.contact_date)}"


class ConversationQuerySet(FamilyOwnedQuerySet):
    def unfinished(self):
        """Conversations with consent given whose answers are not yet complete (at contacts
        that stand: a contact entered in error takes its conversation out of every list)."""
        return self.filter(
            completed_at__isnull=True,
            consent_status=ConsentDecision.Decision.GIVEN,
            contact__entered_in_error_at__isnull=True,
        )


@pghistory.track()
class Conversation(models.Model):
    """Step 1 at one contact: consent, the parent's answers and the HV's reflection.

    ``consent_status`` mirrors the latest consent decision so that lists can filter on it;
    only the consent services write it, together with the decision row.
    """

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="conversations")
    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="conversation")
    consent_status = models.CharField(max_length=20, blank=True)
    word_1 = models.CharField("First word or phrase", max_length=WORD_LENGTH, blank=True)
    word_2 = models.CharField("Second word or phrase", max_length=WORD_LENGTH, blank=True)
    word_3 = models.CharField("Third word or phrase", max_length=WORD_LENGTH, blank=True)
    joy = models.TextField(max_length=ANSWER_LENGTH, blank=True)
    fear = models.TextField(max_length=ANSWER_LENGTH, blank=True)
    # A parent may choose not to answer a question: that is an answer too, and the record says
    # so rather than leaving a gap that reads as "not asked yet".
    words_declined = models.BooleanField("Chose not to answer the three words", default=False)
    joy_declined = models.BooleanField("Chose not to answer the joy question", default=False)
    fear_declined = models.BooleanField("Chose not to answer the fear question", default=False)
    reflection = models.TextField(max_length=NOTE_LENGTH, blank=True)
    raised_concern = models.BooleanField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations_started"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = ConversationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["family", "consent_status", "completed_at"], name="conversation_state"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    consent_status__in=["", "given", "declined", "deferred", "withdrawn"]
                ),
                name="conversation_consent_status_known",
            ),
            # Nothing is complete without consent having been given.
            models.CheckConstraint(
                condition=models.Q(completed_at__isnull=True)
                | models.Q(consent_status__in=["given", "withdrawn"]),
                name="conversation_completed_with_consent",
            ),
            # A question is answered or declined, never both.
            models.CheckConstraint(
                condition=models.Q(words_declined=False)
                | models.Q(word_1="", word_2="", word_3=""),
                name="conversation_declined_words_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(joy_declined=False) | models.Q(joy=""),
                name="conversation_declined_joy_empty",
            ),
            models.CheckConstraint(
                condition=models.Q(fear_declined=False) | models.Q(fear=""),
                name="conversation_declined_fear_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"Conversation at {self.contact}"

    @property
    def state(self) -> str:
        """Where step 1 stands, derived from consent and completion."""
        if self.completed_at is not None and self.consent_status == "given":
            return "completed"
        return self.consent_status or "awaiting_consent"

    @property
    def words(self) -> list[str]:
        return [word for word in (self.word_1, self.word_2, self.word_3) if word]

    @property
    def unanswered(self) -> list[str]:
        """The questions with neither an answer nor the parent's choice not to answer.

        The first question asks for three words or phrases; a parent who finds one or two has
        answered it (the HV must not make up the rest), so one phrase is enough.
        """
        answered = {
            "words": bool(self.words) or self.words_declined,
            "joy": bool(self.joy) or self.joy_declined,
            "fear": bool(self.fear) or self.fear_declined,
        }
        return [question for question, done in answered.items() if not done]

    @cached_property
    def participants(self) -> list["Caregiver"]:
        """Who is taking part: the parents or carers named in the latest consent decision."""
        latest = ConsentDecision.objects.filter(conversation=self).order_by("-pk").values("pk")
        return list(Caregiver.objects.filter(consent_decisions=Subquery(latest[:1])))


class ConsentDecision(models.Model):
    """A parent's decision about talking about their relationship with their baby.

    Append-only: a later decision (for example a withdrawal) is a new row.
    """

    class Decision(models.TextChoices):
        GIVEN = "given", "Consent given"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred to a later contact"
        WITHDRAWN = "withdrawn", "Consent withdrawn"

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="consent_decisions"
    )
    # One or both parents (or other carers) decide together; a decision names everyone taking
    # part, through an append-only table like the decision itself.
    caregivers = models.ManyToManyField(
        Caregiver, through="ConsentParticipant", related_name="consent_decisions"
    )
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision__in=["given", "declined", "deferred", "withdrawn"]),
                name="consent_decision_known",
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="consent_decision_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} at {format_datetime(self.recorded_at)}"


class ConsentParticipant(models.Model):
    """A parent or carer taking part in a consent decision. Append-only, like the decision."""

    decision = models.ForeignKey(
        ConsentDecision, on_delete=models.CASCADE, related_name="participants"
    )
    caregiver = models.ForeignKey(Caregiver, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "caregiver"], name="consent_participant_once"
            )
        ]
        triggers = [
            pgtrigger.Protect(
                name="consent_participant_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            )
        ]

    def __str__(self) -> str:
        return f"{self.caregiver_id} in decision {self.decision_id}"
