"""CSV for spreadsheets: text cells that a spreadsheet would run as a formula are written as text.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is a formula to Excel,
LibreOffice and Google Sheets, so a region name or note such as ``=HYPERLINK(...)`` in the data would run
when a user opens the download. Such text cells get a leading apostrophe, the spreadsheets' own mark for
"this is text" (OWASP's advice). Numbers stay numbers: numeric columns are not touched, and a text cell
that is itself a plain number (``-3.5``) is left as it is.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?([eE][+-]?\d+)?")


def neutralised(text: object) -> object:
    if isinstance(text, str) and text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def spreadsheet_csv(frame: pd.DataFrame, sep: str = ",", decimal: str = ".") -> str:
    """`frame` as CSV (no index) with its text cells neutralised; `sep` and `decimal` for a locale's spreadsheet."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or isinstance(safe[column].dtype, pd.StringDtype):
            safe[column] = safe[column].map(neutralised)
    return safe.to_csv(index=False, sep=sep, decimal=decimal)
