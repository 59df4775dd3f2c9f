"""Open the built documentation site in headless Chromium and screenshot its key pages.

Run after the build (``python -m sphinx -W -b html docs docs/_build/html``)::

    python docs/check_site.py docs/_build/html

For the landing page, a gallery page, the mathematics page and the theory
page it checks, in a real browser, that the page renders (the DOM after
scripts ran holds the expected text, the gallery page its executed figure, the
mathematics and theory pages formulas typeset by MathJax, the theory page its
dependency graph as an image whose file was built, not the graph's source),
and saves a screenshot to
``docs/_build/screenshots/`` that must not be blank.  Exits 1 with one line
per failure.  Needs Chromium (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Flags for a headless run on a machine without a display or network.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
#: page -> text its rendered DOM must contain.
PAGES = {
    "index.html": ["biomodular documentation", "The mathematics", "API reference"],
    "gallery/plot_check_verdicts.html": ["Modular or mixed", "sphx-glr-single-img", "mixed margin"],
    "mathematics.html": ["The exact modularity condition", "mjx-container"],  # formulas typeset by MathJax
    # the dependency graph is an SVG drawn from the catalogue (no script, no network)
    "theory.html": ["Machine-checked theory", "mjx-container", "theory-dependencies.svg"],
}
#: page -> text its rendered DOM must not contain (a diagram left as its source).
ABSENT = {"theory.html": ["graph LR", "mermaid"]}
#: page -> images (relative to the page) that must have been built.
IMAGES = {"theory.html": ["_images/theory-dependencies.svg"]}
#: page -> window height of its screenshot, when the default 1400 px would stop above what must be seen
#: (the theory page's graph comes after its introduction).
HEIGHTS = {"theory.html": 2300}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("check_site: Chromium not found; install it (Debian: apt-get install chromium)")


def _run(browser: str, profile: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )


def _blank(png: Path) -> bool:
    """Whether the screenshot is one flat colour (nothing drawn)."""
    import matplotlib.image as mpimg

    pixels = mpimg.imread(png)[..., :3]
    return float(pixels.std()) < 0.02


def main(site: str) -> int:
    root = Path(site).resolve()
    out = root.parent / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    browser = _chromium()
    failures = []
    for page, expected in PAGES.items():
        path = root / page
        if not path.is_file():
            failures.append(f"{page}: not built")
            continue
        url = path.as_uri()
        with tempfile.TemporaryDirectory() as profile:  # a fresh profile for every run
            dom = _run(browser, profile, "--virtual-time-budget=5000", "--dump-dom", url)
        missing = [text for text in expected if text not in dom.stdout]
        if dom.returncode != 0 or missing:
            failures.append(f"{page}: rendered page lacks {missing} (chromium exit {dom.returncode})")
        present = [text for text in ABSENT.get(page, []) if text in dom.stdout]
        if present:
            failures.append(f"{page}: rendered page shows {present}")
        for image in IMAGES.get(page, []):
            if not (path.parent / image).is_file():
                failures.append(f"{page}: image {image} was not built")
        shot = out / (page.replace("/", "_").removesuffix(".html") + ".png")
        size = f"--window-size=1280,{HEIGHTS.get(page, 1400)}"
        with tempfile.TemporaryDirectory() as profile:
            _run(browser, profile, "--virtual-time-budget=5000", size, f"--screenshot={shot}", url)
        if not shot.is_file():
            failures.append(f"{page}: no screenshot was written")
        elif _blank(shot):
            failures.append(f"{page}: the screenshot {shot} is blank")
        else:
            print(f"check_site: {page} rendered; screenshot {shot}")
    for failure in failures:
        print(f"check_site: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html"))
