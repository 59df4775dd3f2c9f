"""The mathematics page holds the sections that code and docs cite by title."""

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"

#: Section titles cited throughout the code and the other pages.
CITED_SECTIONS = (
    "The biologically constrained linear autoencoder",
    "The exact modularity condition",
    "ICLR 2023 linear theory",
    "Solving for the optimal code exactly",
    "Measuring modularity in a trained network",
    "Training networks with biological constraints",
    "Weights encode latent variables",
)


def test_every_cited_section_is_a_heading_of_the_mathematics_page():
    text = (DOCS / "mathematics.md").read_text(encoding="utf-8")
    headings = [line.lstrip("#").strip() for line in text.splitlines() if line.startswith("## ")]
    assert list(CITED_SECTIONS) == headings


def test_the_api_reference_lists_every_public_name():
    """docs/api.md is the site's API reference: a public name missing from it has no page."""
    import biomodular

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    listed = {line.strip() for line in text.splitlines() if line.startswith("   ") and not line.strip().startswith(":")}
    modules = {"examples", "io", "theory", "verify", "plots"}  # documented through their functions
    missing = [
        name for name in biomodular.__all__ if name not in listed and name not in modules and not name.startswith("__")
    ]
    assert not missing, f"add these to docs/api.md: {missing}"


def test_package_metadata_agrees_with_the_single_version():
    """The version lives in biomodular.__version__; pyproject and CITATION.cff follow it."""
    import tomllib

    import yaml

    import biomodular

    root = DOCS.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "biomodular.__version__"}
    citation = yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["version"] == biomodular.__version__ and citation["license"] == "MIT"
    assert "MIT License" in (root / "LICENSE").read_text(encoding="utf-8")
    assert (root / "biomodular" / "py.typed").exists()
    assert "py.typed" in project["tool"]["setuptools"]["package-data"]["biomodular"]


def test_the_mathematics_is_cited_by_section_title_not_by_an_outside_file():
    """Every citation of the theory resolves inside the repository: docs/mathematics.md and its titles."""
    import re

    root = DOCS.parent
    outside = re.compile(r"\bTHEORY(?:\.md\b|\s+(?:s\.|§|sections?\s+)\d)")  # the spec the page replaced
    files = [*root.glob("*.md"), *DOCS.glob("*.md"), *root.glob("*.cff")]
    for folder in ("biomodular", "tests", "benchmarks", "examples"):
        files += sorted((root / folder).rglob("*.py"))
    offences = [
        f"{path.relative_to(root)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if outside.search(line)
    ]
    assert not offences, "cite docs/mathematics.md by section title instead:\n" + "\n".join(offences)
