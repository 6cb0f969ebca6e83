"""The team dashboard: what needs attention now, and the figures for a period.

- ``period``: the period and the scope every read is bounded by (``visible_to(user)``, and a
  health visitor's own caseload unless they lead the team);
- ``table``: what a figure is (a table and its chart), with the SQL and words figures share;
- ``figures`` and ``referral_figures``: the ten figures, each one or two aggregate queries;
- ``attention``: what needs attention now, whatever the period;
- ``replies``: how the services the period's referrals went to reply (each service's
  record with every team, from ``referrals.response_figures``);
- ``export``: the period's referral list for the CSV export.

The charts' geometry is ``attachment_app.charts``. The names below are what the views use.
"""

from .attention import ATTENTION_LIMIT, needs_attention, overdue_responses, response_due
from .export import REFERRAL_LIST_COLUMNS, referral_list
from .figures import FIGURES, all_figures, figure
from .period import Period, may_see_dashboard, scope_label
from .referral_figures import referral_cohort
from .replies import SERVICES_LISTED, ServiceReplies, service_replies
from .table import Figure

__all__ = [
    "ATTENTION_LIMIT",
    "FIGURES",
    "REFERRAL_LIST_COLUMNS",
    "SERVICES_LISTED",
    "Figure",
    "Period",
    "ServiceReplies",
    "all_figures",
    "figure",
    "may_see_dashboard",
    "needs_attention",
    "overdue_responses",
    "referral_cohort",
    "referral_list",
    "response_due",
    "scope_label",
    "service_replies",
]
