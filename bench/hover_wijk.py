"""Time from choosing the wijk level until hover answers, against choosing the gemeente level in the same run.

Starts the real app on 127.0.0.1 and drives Debian's Chromium (1440x900, a fresh browser context per round,
so nothing comes from its cache): the page opens at province level, the level picker is set, and the mouse
rests on central Utrecht until the tooltip names a region of the new level (`#map[data-hovered]`, set by the
page's hover layer) with its value on the next line. Bounded: a fixed number of rounds.
The target of issue 16 is under 2 s for wijken on this machine.

    .venv/bin/python bench/hover_wijk.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from loadclient import ServerProcess

CHROMIUM = "/usr/bin/chromium"
INDICATOR = "kwb_pct_higher_educated"  # mapped down to wijken
TARGET_S = 2.0
TIMEOUT_S = 60.0


def hover_delay(browser, base: str, level: str) -> float:
    """Seconds from choosing `level` until the tooltip at the map's centre answers for that level."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/?bg=0&lang=en&indicator={INDICATOR}&level=provincie&lat=52.0907&lng=5.1214&z=12")
    page.wait_for_selector("body[data-ready='1']", timeout=120_000)
    box = page.locator("#map").bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    start = time.perf_counter()
    page.select_option("#level", level)
    deadline = start + TIMEOUT_S
    while time.perf_counter() < deadline:
        page.mouse.move(x + 1, y)
        page.mouse.move(x, y)
        ready = page.evaluate(f"""(() => {{
            const tip = document.querySelector('.leaflet-tooltip.hover');
            const hovered = document.querySelector('#map').dataset.hovered || '';
            return Boolean(tip) && hovered.startsWith('{level}/') && tip.innerText.trim().split('\\n').length > 1;
        }})()""")
        if ready:
            elapsed = time.perf_counter() - start
            context.close()
            return elapsed
        page.wait_for_timeout(25)
    context.close()
    raise RuntimeError(f"hover did not answer within {TIMEOUT_S:.0f} s at level {level}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as static, ServerProcess(Path(static)) as server, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        hover_delay(browser, server.base, "gemeente")  # warm the server's caches, as a running atlas has them
        hover_delay(browser, server.base, "wijk")
        results = {level: [hover_delay(browser, server.base, level) for _ in range(args.rounds)]
                   for level in ("gemeente", "wijk")}
        browser.close()
    median = {level: statistics.median(times) for level, times in results.items()}
    for level, times in results.items():
        print(f"{level:9s} median {median[level]:.2f} s  ({', '.join(f'{t:.2f}' for t in times)})")
    print(f"wijk / gemeente: {median['wijk'] / median['gemeente']:.2f}x;  wijk vs target {TARGET_S:.0f} s: "
          f"{median['wijk'] / TARGET_S:.2f}x ({'met' if median['wijk'] < TARGET_S else 'not met'})")


if __name__ == "__main__":
    main()
