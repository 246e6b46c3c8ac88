"""Placing organisations in the gemeenten of one boundary year, from their city and postcode, never guessing.

Each organisation has one registered address (CORDIS). Its city goes through the place matcher of the
boundary year (names, spelling variants, towns inside municipalities, aliases resolved per year). Where the
city does not decide, the postcode does, through a small derived table of four-digit postcodes:

- the table is built from every (city, postcode) pair the inputs hold (the participation table's own
  postcodes and, for CORDIS, the FP7 organisation list), keeping a four-digit postcode only when every city
  seen with it is placed by the matcher, on the same boundaries, in one and the same gemeente;
- it breaks ties (a city name two gemeenten share) and catches towns the matcher does not know
  ('AMSTREDAM 1071' is placed through 1071, seen with Amsterdam).

An organisation that is still not placed is listed with the reason, and with the gemeenten that may hold it
(those the matcher names as similar, and those whose name occurs in the city as written): figures for those
gemeenten are unknown, not zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from atlas.geography.names import fold
from atlas.geography.placematch import SUFFIX, PlaceMatcher

POSTCODE4 = re.compile(r"^(\d{4})")


@dataclass(frozen=True)
class Placement:
    """Where each organisation lies on one year's gemeente boundaries."""

    boundary_year: int
    # index pic; columns name, city, postcode, code, gemeente, how (name, alias:<kind>, postcode, postcode-tie,
    # unplaced), reason, candidates (tuple of gemeente codes that may hold an unplaced organisation)
    organisations: pd.DataFrame
    postcodes: dict[str, str]  # four-digit postcode -> gemeente code, as derived above

    @property
    def placed(self) -> pd.Series:
        return self.organisations["code"].dropna()


def _postcode4(postcode: object) -> str | None:
    match = POSTCODE4.match(postcode) if isinstance(postcode, str) else None
    return match.group(1) if match else None


def postcode_table(matcher: PlaceMatcher, witnesses: pd.DataFrame) -> dict[str, str]:
    """Four-digit postcode -> gemeente code, from (city, postcode) pairs whose city the matcher places."""
    seen: dict[str, set[str | None]] = {}
    cache: dict[str, str | None] = {}
    for city, postcode in zip(witnesses["city"], witnesses["postcode"]):
        digits = _postcode4(postcode)
        if digits is None or not isinstance(city, str):
            continue
        if city not in cache:
            cache[city] = matcher.match(city).code
        seen.setdefault(digits, set()).add(cache[city])
    return {digits: next(iter(codes)) for digits, codes in sorted(seen.items())  # type: ignore[misc]
            if len(codes) == 1 and None not in codes}


def _named_in(city: str, layer: pd.DataFrame) -> tuple[str, ...]:
    """Gemeenten whose (bare) name occurs as whole words in the city as written."""
    text = f" {fold(city)} "
    return tuple(code for code, name in zip(layer["code"], layer["name"])
                 if f" {fold(SUFFIX.sub('', name))} " in text)


def place_organisations(matcher: PlaceMatcher, layer: pd.DataFrame, organisations: pd.DataFrame,
                        witnesses: pd.DataFrame) -> Placement:
    """Place organisations (index pic; columns name, city, postcode) on the matcher's boundary year."""
    table = postcode_table(matcher, witnesses)
    code_of_name = dict(zip(layer["name"], layer["code"]))
    name_of_code = dict(zip(layer["code"], layer["name"]))
    rows = []
    for pic, org in organisations.iterrows():
        city, digits = org["city"], _postcode4(org["postcode"])
        by_postcode = table.get(digits) if digits else None
        if not isinstance(city, str) or not city:
            row = (by_postcode, "postcode", "") if by_postcode else (None, "unplaced", "no city in the source")
            rows.append((pic, *row, ()))
            continue
        match = matcher.match(city)
        similar = tuple(code_of_name[n] for n in match.candidates if n in code_of_name)
        if match.code:
            rows.append((pic, match.code, match.how, "", ()))
        elif by_postcode and match.reason == "ambiguous name" and by_postcode in similar:
            rows.append((pic, by_postcode, "postcode-tie", "", ()))
        elif by_postcode:
            rows.append((pic, by_postcode, "postcode", "", ()))
        else:
            reason = match.reason + (f"; postcode {digits} not in the derived postcode table" if digits else "")
            candidates = tuple(sorted(set(similar) | set(_named_in(city, layer))))
            rows.append((pic, None, "unplaced", reason, candidates))
    placed = pd.DataFrame(rows, columns=["pic", "code", "how", "reason", "candidates"]).set_index("pic")
    placed["gemeente"] = placed["code"].map(name_of_code)
    out = organisations[["name", "city", "postcode"]].join(placed)
    return Placement(matcher.year, out, table)
