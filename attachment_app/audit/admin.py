"""The access log is not in Django's admin: it records who opened families' records, which
the admin role must never read."""
