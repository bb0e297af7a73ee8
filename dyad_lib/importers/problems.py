"""What can go wrong in an import, as one clear line and the exit code the README promises.

Every importer raises these instead of letting a driver's exception through: a traceback or a
driver message can carry a connection string, and a consultant needs to know what to do next.
Exit codes: 1 a problem in the source data (not the expected system, a column missing, nothing in
the range), 2 a usage problem (the command, the URL, the credentials, an existing practice).
"""

from __future__ import annotations


class ImportProblem(Exception):
    """An import stopped before writing anything; `str()` is the one line to show."""

    code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SourceProblem(ImportProblem):
    """The source cannot be imported as it is (exit 1)."""

    code = 1


class UsageProblem(ImportProblem):
    """What was typed cannot work: the URL, the credentials, the options, the practice id (exit 2)."""

    code = 2
