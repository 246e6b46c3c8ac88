"""ColorBrewer colour schemes: which exist, what kind they are, how many classes they carry.

The colours themselves come from branca's copy of the ColorBrewer tables, so every ramp is the
published one. Each scheme records whether ColorBrewer marks it colour-blind safe, so the atlas can
default to safe ramps and say so in the legend.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from branca.utilities import color_brewer

from atlas.errors import InvalidChoice

# Classification methods for numbers (mapclassify); the catalogue's defaults are checked against them.
CLASSIFICATION_METHODS = ("quantiles", "equal_interval", "natural_breaks", "std_mean", "user_defined")

MIN_CLASSES = 2


@dataclass(frozen=True)
class Scheme:
    name: str
    kind: str  # sequential | diverging | qualitative
    max_classes: int
    colourblind_safe: bool
    no_data: str  # a colour not used by the ramp, so a missing value never looks like a class

    def as_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "max_classes": self.max_classes,
                "colourblind_safe": self.colourblind_safe, "no_data_colour": self.no_data}


_GREY = "#c8c8c8"
_PINK = "#f2c4de"
SCHEMES: dict[str, Scheme] = {s.name: s for s in [
    *(Scheme(n, "sequential", 9, True, _GREY) for n in (
        "Blues", "BuGn", "BuPu", "GnBu", "Greens", "Oranges", "OrRd", "PuBu", "PuBuGn", "PuRd", "Purples",
        "RdPu", "Reds", "YlGn", "YlGnBu", "YlOrBr", "YlOrRd")),
    Scheme("Greys", "sequential", 9, True, _PINK),
    *(Scheme(n, "diverging", 11, True, _GREY) for n in ("BrBG", "PiYG", "PRGn", "PuOr", "RdBu", "RdYlBu")),
    Scheme("RdGy", "diverging", 11, False, _PINK),
    *(Scheme(n, "diverging", 11, False, _GREY) for n in ("RdYlGn", "Spectral")),
    Scheme("Dark2", "qualitative", 8, True, _GREY),
    Scheme("Set2", "qualitative", 8, True, _GREY),
    Scheme("Paired", "qualitative", 12, True, _GREY),
    *(Scheme(n, "qualitative", 8, False, _GREY) for n in ("Accent", "Set1", "Pastel2")),
]}


def get_scheme(name: str) -> Scheme:
    try:
        return SCHEMES[name]
    except KeyError:
        raise InvalidChoice("scheme", name, sorted(SCHEMES)) from None


@lru_cache(maxsize=512)
def scheme_colours(name: str, classes: int) -> tuple[str, ...]:
    """The published ramp of this length; fewer than three classes take the ends of the three-class ramp."""
    scheme = get_scheme(name)
    if not MIN_CLASSES <= classes <= scheme.max_classes:
        raise InvalidChoice("classes", classes, range(MIN_CLASSES, scheme.max_classes + 1),
                            hint=f"class counts the {name} scheme supports")
    if classes < 3:
        three = color_brewer(name, 3)
        return (three[0], three[2])
    return tuple(color_brewer(name, classes))


def hex_to_rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
