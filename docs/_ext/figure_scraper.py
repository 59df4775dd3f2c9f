"""Gallery scraper for the figures biomodular returns.

biomodular draws on ``matplotlib.figure.Figure`` objects that pyplot does not
manage (so that no display is needed), which sphinx-gallery's matplotlib
scraper cannot see.  This one saves every Figure that an example's code
block leaves in a variable, once.
"""

from __future__ import annotations

_SEEN: dict[str, set[int]] = {}


def scrape_figures(block, block_vars, gallery_conf, **kwargs):
    from matplotlib.figure import Figure
    from sphinx_gallery.scrapers import figure_rst

    seen = _SEEN.setdefault(block_vars["src_file"], set())
    paths = []
    for value in list(block_vars["example_globals"].values()):
        if isinstance(value, Figure) and id(value) not in seen:
            seen.add(id(value))
            path = next(block_vars["image_path_iterator"])
            value.savefig(path, dpi=110)
            paths.append(path)
    return figure_rst(paths, gallery_conf["src_dir"])
