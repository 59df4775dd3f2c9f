"""`prove NAME --format tex` is a standalone document that pdflatex compiles without overfull boxes.

Not skipped when pdflatex is missing: CI installs a TeX engine (.ci/run), and a developer without one is
told how to get it.
"""

import shutil
import subprocess

import pytest

from biomodular.cli import main
from biomodular.theory.catalogue import CATALOGUE

PDFLATEX = shutil.which("pdflatex")


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_standalone_latex_compiles_without_overfull_boxes(name, tmp_path):
    assert PDFLATEX, (
        "pdflatex not found: install texlive-latex-base and texlive-latex-recommended (apt-get), as .ci/run does"
    )
    tex = tmp_path / f"{name}.tex"
    assert main(["prove", name, "--format", "tex", "--out", str(tex)]) == 0
    run = subprocess.run(
        [PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", tex.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    log = (tmp_path / f"{name}.log").read_text(errors="replace")
    assert run.returncode == 0, [line for line in log.splitlines() if line.startswith("!")][:5]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000
    assert "Overfull" not in log, [line for line in log.splitlines() if "Overfull" in line][:5]
