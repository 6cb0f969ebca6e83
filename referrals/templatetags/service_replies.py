"""``{% service_replies replies service %}``: a line on how a listed service replies to referrals.

``replies`` is what ``response_figures.response_records`` returned for the services on the page
(one query for them all); the line says nothing for a service that takes no referrals and has
had none.
"""

from django import template

from ..models import Service
from ..response_figures import ServiceRecords

register = template.Library()


@register.inclusion_tag("referrals/service_replies_line.html")
def service_replies(replies: ServiceRecords, service: Service) -> dict:
    record = replies[service.pk]
    return {"record": record, "shown": service.accepts_referrals or record.referrals > 0}
