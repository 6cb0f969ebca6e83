"""The links of the NHS.UK pagination component, for every paginated list."""


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
