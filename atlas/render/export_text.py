"""The words of a standalone map export in each language it is offered in.

Kept apart from the renderer so the command line can list the languages without importing folium and the
classifiers (seconds of start-up for every `atlas` command)."""

TEXT = {
    "nl": {"no_data": "geen gegevens", "of": "van", "method": "Methode", "source": "Bron", "undated": "zonder jaar",
           "region": "Regio", "value": "Waarde", "rank": "Positie", "shown_on": "getoond op {level}grenzen van {by}",
           "remapped": "cijfers van {year} (grenzen {vintage}) omgerekend: {harmonised}",
           "area": "Gebied: {area} ({count} regio's; klassen van heel Nederland)"},
    "en": {"no_data": "no data", "of": "of", "method": "Method", "source": "Source", "undated": "undated",
           "region": "Region", "value": "Value", "rank": "Rank", "shown_on": "shown on {level} boundaries of {by}",
           "remapped": "{year} figures (boundaries {vintage}) re-mapped: {harmonised}",
           "area": "Area: {area} ({count} regions; classes of the whole country)"},
}
HARMONISED_TEXT = {"nl": {"none": "ongewijzigd", "exact": "exact", "estimated": "geschat"},
                   "en": {"none": "unchanged", "exact": "exact", "estimated": "estimated"}}
LANGUAGES = tuple(TEXT)
