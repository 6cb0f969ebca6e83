"""Lists that never grow with the data: the first few of a list with its count, for a page that
links to the whole list, and the links of the NHS.UK pagination component for that list."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

#: How many of a list a page that is not the list itself shows (the home page's callouts).
SHORTLIST_LENGTH = 10


@dataclass
class Shortlist:
    """The first rows of a list, in the list's order, and how many rows the list has in all."""

    items: list
    total: int

    @property
    def more(self) -> int:
        """How many rows the whole list has beyond the ones shown."""
        return self.total - len(self.items)


def shortlist(queryset: QuerySet, limit: int = SHORTLIST_LENGTH) -> Shortlist:
    """The first ``limit`` rows of an ordered queryset and the count of all its rows.

    One query, however long the list: each row carries the count of the whole list (a window
    over it, counted before the limit), so a page's number of queries does not depend on how
    much there is.
    """
    rows = list(queryset.annotate(shortlist_total=Window(Count("*")))[:limit])
    return Shortlist(items=rows, total=rows[0].shortlist_total if rows else 0)


def query_without(request, *names: str) -> str:
    """The request's query string without these parameters (the page number, usually)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def page_links(page, query: str = "", *, param: str = "page") -> dict:
    """Numbered links for ``components/pagination.html``, keeping the rest of the query string."""
    prefix = f"?{query}&{param}=" if query else f"?{param}="
    items = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append(
                {"number": number, "href": f"{prefix}{number}", "current": number == page.number}
            )
    return {
        "show": page.paginator.num_pages > 1,
        "items": items,
        "previous": f"{prefix}{page.previous_page_number()}" if page.has_previous() else None,
        "next": f"{prefix}{page.next_page_number()}" if page.has_next() else None,
    }
