"""Exceptions the atlas raises for problems a user can fix; the API turns them into 4xx answers."""

from __future__ import annotations

from collections.abc import Iterable


class AtlasError(Exception):
    """Base class: a problem with input or data that deserves a clear message, not a stack trace.

    Each type carries the HTTP status it means (as pygeoapi's provider errors do), so the API maps types
    to answers in one table and the core never imports the web framework. ``server_side`` problems are
    the operator's to fix: their answer names no machine path.
    """

    status = 400
    title = "Bad request"
    server_side = False


class DataFolderError(AtlasError):
    """The data folder (or an installed front-end package) is missing or incomplete: the operator's problem."""

    status = 503
    title = "Service unavailable"
    server_side = True


class DataValidationError(AtlasError):
    """Source data does not match the manifest or catalogue; carries every problem found, not just the first."""

    status = 500
    title = "Invalid source data"
    server_side = True

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the source data:\n{shown}{more}")


class ImportRejected(AtlasError):
    """A user's table, point list or metadata has problems; all are listed, each with where it is, and nothing
    was imported."""

    status = 422
    title = "Import rejected"

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  - {p}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n{shown}{more}")


class InvalidChoice(AtlasError):
    """A parameter took a value outside its valid set; names the parameter and the valid choices."""

    title = "Invalid parameter"

    def __init__(self, parameter: str, value: object, choices: Iterable[object], hint: str = ""):
        self.parameter = parameter
        self.value = value
        self.choices = [c for c in choices]
        self.hint = hint
        listed = ", ".join(str(c) for c in self.choices[:60])
        super().__init__(f"invalid {parameter} {value!r}; valid: {listed}{'. ' + hint if hint else ''}")


class UnknownResource(InvalidChoice):
    """The thing a path names (an indicator, region, collection, feature, topsector) does not exist."""

    status = 404
    title = "Not found"


class ResponseTooLarge(AtlasError):
    """A generated answer exceeds the configured size; says how big it was and how to ask for less."""

    status = 413
    title = "Response too large"

    def __init__(self, size: int, limit: int, hint: str):
        self.size, self.limit = size, limit
        super().__init__(f"the answer would be {size / 2**20:.1f} MB, over the limit of {limit / 2**20:.0f} MB; {hint}")


class TimedOut(AtlasError):
    """The request's time ran out before this piece of work began: it is not started (nor its result kept)."""

    status = 503
    title = "Timeout"

    def __init__(self, seconds: float):
        super().__init__(f"the request took longer than {seconds:g} s; narrow it (smaller area, fewer indicators, "
                         "simplify) or try again")
