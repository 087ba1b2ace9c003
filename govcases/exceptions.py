"""Domain exceptions, raised by the services and shown to the user as they are."""


class Refused(Exception):
    """A rule of the round forbids what was asked; the message says which, in the user's language."""
