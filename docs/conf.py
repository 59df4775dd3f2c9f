"""Sphinx configuration of the biomodular documentation site.

The pages are the Markdown files of this folder (read by MyST), so they stay
readable on their own; the site adds the navigation, an API reference built
from the docstrings (numpydoc), and a gallery of the scripts in ``examples/``,
executed at every build (sphinx-gallery).

Build:  python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

from __future__ import annotations

import importlib.resources
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

import biomodular  # noqa: E402

project = "biomodular"
author = "the biomodular authors"
copyright = "the biomodular authors, MIT licence"
version = release = biomodular.__version__

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = [
    "_build",
    "_ext",
    "_templates",
    "generated/README.md",
    "gallery/*.ipynb",
    "gallery/*.py",
    "gallery/*.zip",
    "gallery/*.md5",
    "gallery/*.codeobj.json",
    "gallery/sg_execution_times.rst",
]
# The class template lists methods only: attributes are described in each class's docstring (numpydoc
# renders its Attributes section), and a dataclass field's default would otherwise lend it str's docstring.
templates_path = ["_templates"]

# --- Markdown pages --------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3  # "#the-exact-modularity-condition" links work as on GitHub
myst_dmath_double_inline = True

#: The order of the pages in the navigation; a page of this folder not named here comes after them.
PAGE_ORDER = [
    "input",
    "check",
    "solve",
    "verify",
    "batch",
    "notebooks",
    "mathematics",
    "theory",
    "reproduce",
    "gallery/index",
    "api",
    "benchmarks",
]
#: Markdown files of this folder that are not pages of the site.
NOT_PAGES = {"index"}


def _pages() -> list[str]:
    present = {p.stem for p in HERE.glob("*.md")} - NOT_PAGES
    ordered = [p for p in PAGE_ORDER if p in present or p == "gallery/index"]
    return ordered + sorted(present - set(ordered))


_HTML_ANCHOR = re.compile(r'^<a id="([^"]+)"></a>$', re.MULTILINE)


def _html_anchors_as_targets(app, docname, source) -> None:
    """``<a id="x"></a>`` (an anchor that works on any Markdown viewer) becomes the MyST target ``(x)=``."""
    source[0] = _HTML_ANCHOR.sub(r"(\1)=", source[0])


def _add_navigation(app, docname, source) -> None:
    """Give the landing page its table of contents at build time.

    ``index.md`` stays a plain Markdown page (it reads well without Sphinx);
    the site's navigation is added here, so every page of ``docs/`` is in it.
    """
    if docname == root_doc:
        entries = "\n".join(_pages())
        source[0] += f"\n\n```{{toctree}}\n:hidden:\n:maxdepth: 2\n\n{entries}\n```\n"


# --- Mathematics ------------------------------------------------------------
def _local_mathjax() -> Path | None:
    """MathJax 3 from the docs extra (package django-static-mathjax, static files only), if installed."""
    try:
        es5 = Path(str(importlib.resources.files("mathjax"))) / "static" / "mathjax" / "es5"
    except (ModuleNotFoundError, TypeError):
        return None
    return es5 if (es5 / "tex-chtml.js").is_file() else None


MATHJAX = _local_mathjax()
if MATHJAX is not None:
    # Served with the site, so the formulas render offline too; relative to _static.
    mathjax_path = "mathjax/tex-chtml.js"


def _copy_mathjax(app, exception) -> None:
    if exception is not None or MATHJAX is None or app.builder.format != "html":
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(MATHJAX / "tex-chtml.js", target / "tex-chtml.js")
    shutil.copytree(MATHJAX / "output" / "chtml" / "fonts", target / "output" / "chtml" / "fonts", dirs_exist_ok=True)


# --- Theory ---------------------------------------------------------------
def _draw_theory_graph(app) -> None:
    """Redraw docs/theory.md's dependency graph from the theorem catalogue (an SVG, no script or network);
    the file is rewritten only when the catalogue's dependencies changed."""
    from biomodular.theory.render_docs import GRAPH_PATH, dependency_graph_svg

    target = HERE / GRAPH_PATH
    svg = dependency_graph_svg()
    if not target.is_file() or target.read_text(encoding="utf-8") != svg:
        target.write_text(svg, encoding="utf-8")


def setup(app):
    app.connect("builder-inited", _draw_theory_graph)
    app.connect("build-finished", _copy_mathjax)
    app.connect("source-read", _add_navigation)
    app.connect("source-read", _html_anchors_as_targets)


# --- API reference --------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc renders the documented types
autodoc_default_options = {"members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False


# --- Gallery ---------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "gallery",
    "filename_pattern": r"/plot_",  # every plot_*.py is executed at every build
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
    "reference_url": {"biomodular": None},
    # biomodular's figures are not pyplot's: see docs/_ext/figure_scraper.py
    "image_scrapers": ("matplotlib", "figure_scraper.scrape_figures"),
}

# --- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"biomodular {release}"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "navbar_align": "left",
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
html_last_updated_fmt = None

nitpicky = False
