"""Disclosure control for counts of units, as statistical offices do it: small cells withheld, and enough
other cells withheld that no published total gives a withheld cell back.

Primary suppression withholds every count of 1 to ``threshold - 1`` units (CBS: fewer than 10). Zero is
published: it describes no unit. Secondary suppression then looks at every additive relation the outputs
carry (a COROP is the sum of its gemeenten, a province of its COROP regions, a region's total of its
categories): a relation with exactly one withheld cell would reveal it by subtraction, so the smallest
other non-zero cell in that relation is withheld too (the total itself when there is no other), repeated
until no relation has exactly one. This is the classic hypercube-style heuristic; it protects against
exact recovery, not against bounds from non-negativity when the partner is small.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

PRIMARY = "primary"
SECONDARY = "secondary"
DEFAULT_THRESHOLD = 10


@dataclass(frozen=True)
class Relation:
    """``total`` equals the sum of ``members``; all are cell keys."""

    total: Hashable
    members: tuple[Hashable, ...]


def suppress(counts: dict[Hashable, int], relations: Sequence[Relation],
             threshold: int = DEFAULT_THRESHOLD) -> dict[Hashable, str]:
    """Withheld cells with why (primary or secondary); every other cell may be published."""
    withheld = {cell: PRIMARY for cell, n in counts.items() if 0 < n < threshold}
    changed = True
    while changed:
        changed = False
        for relation in relations:
            cells = (relation.total, *relation.members)
            hidden = [c for c in cells if c in withheld]
            if len(hidden) != 1:
                continue
            partner = _partner(relation, counts, withheld)
            if partner is not None:
                withheld[partner] = SECONDARY
                changed = True
    return withheld


def _partner(relation: Relation, counts: dict[Hashable, int], withheld: dict[Hashable, str]) -> Hashable | None:
    """The smallest non-zero published member (a zero hides nothing: its value is known from the rest)."""
    members = [m for m in relation.members if m not in withheld and counts.get(m, 0) > 0]
    if members:
        return min(members, key=lambda m: (counts[m], str(m)))
    return relation.total if relation.total not in withheld else None
