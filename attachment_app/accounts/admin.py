"""People, roles and teams have no place in Django's admin: see ``accounts.views``."""
