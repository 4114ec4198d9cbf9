"""Errors a user can cause. Each carries one line that the CLI prints as it is."""


class OfstedKgError(Exception):
    """An expected failure, reported as one line and a non-zero exit."""

    exit_code = 1


def first_line(exc: BaseException) -> str:
    """The first line of an unexpected exception's message (its type if it has none), to report in one line."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class ReportRefused(OfstedKgError):
    """The input is not a report of a supported framework, or cannot be read."""

    exit_code = 2
