"""When the Healthy Child Programme's mandated contacts fall due. Pure functions, no Django.

Windows (Healthy Child Programme, the five mandated reviews):
antenatal from 28 weeks of pregnancy (12 weeks before the expected date) until birth;
new birth visit 10 to 14 days after birth; 6 to 8 weeks; 9 to 12 months; 2 to 2 and a half years.
Before birth, the later windows are estimated from the expected date. Which contact is next
depends only on the records; whether it is due or overdue depends on the day.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

ANTENATAL = "antenatal"
NEW_BIRTH = "new_birth"
SIX_TO_EIGHT_WEEKS = "six_to_eight_weeks"
NINE_TO_TWELVE_MONTHS = "nine_to_twelve_months"
TWO_YEARS = "two_years"

#: 40 weeks' pregnancy less 28 weeks: the antenatal contact opens this long before the due date.
ANTENATAL_LEAD = timedelta(weeks=12)

#: Windows after birth as (contact type, opens, closes), measured from the date of birth.
POSTNATAL_WINDOWS = [
    (NEW_BIRTH, relativedelta(days=10), relativedelta(days=14)),
    (SIX_TO_EIGHT_WEEKS, relativedelta(weeks=6), relativedelta(weeks=8)),
    (NINE_TO_TWELVE_MONTHS, relativedelta(months=9), relativedelta(months=12)),
    (TWO_YEARS, relativedelta(years=2), relativedelta(years=2, months=6)),
]

UPCOMING = "upcoming"
DUE = "due"
OVERDUE = "overdue"


@dataclass(frozen=True)
class ContactWindow:
    contact_type: str
    opens: date
    closes: date

    def status(self, today: date) -> str:
        if today > self.closes:
            return OVERDUE
        if today >= self.opens:
            return DUE
        return UPCOMING


def mandated_windows(date_of_birth: date | None, expected_date: date | None) -> list[ContactWindow]:
    """Every mandated contact's window for a baby, in order."""
    windows = []
    if date_of_birth is None and expected_date is not None:
        windows.append(
            ContactWindow(
                ANTENATAL, expected_date - ANTENATAL_LEAD, expected_date - timedelta(days=1)
            )
        )
    start = date_of_birth or expected_date
    if start is None:
        return windows
    for contact_type, opens, closes in POSTNATAL_WINDOWS:
        windows.append(ContactWindow(contact_type, start + opens, start + closes))
    return windows


def next_mandated_contact(
    *,
    date_of_birth: date | None,
    expected_date: date | None,
    done: set[str] | frozenset[str],
) -> ContactWindow | None:
    """The next mandated contact: the first one after the latest that was done.

    A contact that was missed stays next (and shows as overdue) until it, or a later mandated
    contact, is recorded: a gap in the programme is something a team must see.
    """
    windows = mandated_windows(date_of_birth, expected_date)
    done_positions = [index for index, w in enumerate(windows) if w.contact_type in done]
    after = done_positions[-1] + 1 if done_positions else 0
    return windows[after] if after < len(windows) else None
