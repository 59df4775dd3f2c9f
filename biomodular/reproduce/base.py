"""What a reproduced finding is: the paper's claim, the numbers measured, and whether they agree.

A finding module provides ``measure(full, seed) -> Measurement`` and
``draw(outcome, fig)``; :class:`Finding` wraps it with the paper, the claim
and the thresholds the claim states, and :func:`Finding.run` returns an
:class:`Outcome`.  ``agrees`` is never set by hand: it is the conjunction of
the :class:`Check` results, each a comparison of measured numbers with a
threshold written in the claim.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import BiomodularError

__all__ = ["Check", "Measurement", "Outcome", "Finding", "prepare_output_dir", "write_outcome"]


@dataclass(frozen=True)
class Check:
    """One comparison of measured numbers with a threshold stated in the claim.

    Attributes
    ----------
    statement : str
        What must hold, with the threshold, e.g. ``"28 points: the exact condition holds (exact verdict not mixed)"``.
    passed : bool
    """

    statement: str
    passed: bool

    def to_dict(self) -> dict:
        return {"statement": self.statement, "passed": bool(self.passed)}


@dataclass(frozen=True)
class Measurement:
    """What a finding's ``measure`` returns.

    Attributes
    ----------
    measured : dict of str to float
        The numbers, by name (JSON-ready floats; ``nan`` becomes ``null``).
    checks : tuple of Check
    data : dict
        Arrays and anything else the figure needs (not written to JSON).
    settings : dict
        Sizes, coefficients and seeds used (JSON-ready).
    """

    measured: dict[str, float]
    checks: tuple[Check, ...]
    data: dict = field(default_factory=dict, repr=False)
    settings: dict = field(default_factory=dict)


def _number(x: Any) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Outcome:
    """A finding run once: claim, measured numbers, checks and the verdict ``agrees``."""

    name: str
    paper: str
    claim: str
    size: str
    seed: int
    measured: dict[str, float]
    checks: tuple[Check, ...]
    settings: dict
    notes: str
    seconds: float
    data: dict = field(default_factory=dict, repr=False)
    draw: Callable | None = field(default=None, repr=False, compare=False)

    @property
    def agrees(self) -> bool:
        """Whether every check of the claim passed on the measured numbers."""
        return bool(self.checks) and all(c.passed for c in self.checks)

    def to_dict(self, timing: bool = True) -> dict:
        """JSON-ready: ``name, paper, claim, size, seed, measured, agrees, checks, settings, notes``."""
        out = {
            "name": self.name,
            "paper": self.paper,
            "claim": self.claim,
            "size": self.size,
            "seed": int(self.seed),
            "measured": {k: _number(v) for k, v in self.measured.items()},
            "agrees": self.agrees,
            "checks": [c.to_dict() for c in self.checks],
            "settings": self.settings,
            "notes": self.notes,
        }
        if timing:
            out["seconds"] = float(self.seconds)
        return out

    def text(self) -> str:
        """The plain-text report printed by ``biomodular reproduce NAME``."""
        width = max(len(k) for k in self.measured) if self.measured else 0
        lines = [
            f"{self.name} ({self.paper}), {self.size} size, seed {self.seed}",
            "",
            "claim: " + self.claim,
            "",
            "measured:",
        ]
        lines += [f"  {k.ljust(width)}  {format_number(v)}" for k, v in self.measured.items()]
        lines += ["", "checks:"]
        lines += [f"  [{'pass' if c.passed else 'FAIL'}] {c.statement}" for c in self.checks]
        lines += ["", f"agrees with the paper: {'yes' if self.agrees else 'NO'} ({self.seconds:.1f} s)"]
        return "\n".join(lines)

    def markdown(self, image: str | None = None, heading: str = "#", timing: bool = True) -> str:
        """A Markdown summary; ``image`` is the relative path of the figure, if any."""
        lines = [f"{heading} `{self.name}`: {self.paper}", "", f"**Claim.** {self.claim}", ""]
        lines.append(
            f"**Agrees:** {'yes' if self.agrees else '**no**'} "
            f"({self.size} size, seed {self.seed}" + (f", {self.seconds:.1f} s" if timing else "") + ")"
        )
        lines += ["", "| measured | value |", "|---|---|"]
        lines += [f"| `{k}` | {format_number(v)} |" for k, v in self.measured.items()]
        lines += ["", "| check | result |", "|---|---|"]
        lines += [f"| {c.statement} | {'pass' if c.passed else '**fail**'} |" for c in self.checks]
        if self.notes:
            lines += ["", self.notes]
        if image:
            lines += ["", f"![{self.name}]({image})"]
        return "\n".join(lines) + "\n"

    def figure(self, path: str | Path | None = None):
        """Draw the finding's figure; save it to ``path`` (PNG) when given.  Returns the figure."""
        import matplotlib

        if path is not None:
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(10, 4))
        if self.draw is not None:
            self.draw(self, fig)
        fig.suptitle(f"{self.name}: {'agrees' if self.agrees else 'does NOT agree'} with {self.paper}", fontsize=10)
        if path is not None:
            fig.savefig(path, dpi=90, bbox_inches="tight", metadata={"Software": None})
            plt.close(fig)
        return fig


def format_number(x: float) -> str:
    """Four significant digits; integers as integers; ``nan`` as ``-``."""
    x = float(x)
    if not math.isfinite(x):
        return "-" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == int(x) and abs(x) < 1e9:
        return str(int(x))
    return f"{x:.4g}"


@dataclass(frozen=True)
class Finding:
    """A claim of a paper and the code that measures it.

    Attributes
    ----------
    name : str
        Command-line name, e.g. ``"single-datapoint"``.
    paper : str
        Paper and figure, e.g. ``"ICLR 2025, Fig. 1"``.
    claim : str
        The claim with the thresholds ``agrees`` is computed from.
    summary : str
        One line for ``--list``.
    measure : callable
        ``measure(full: bool, seed: int) -> Measurement``.
    draw : callable
        ``draw(outcome, fig)``: fills a matplotlib figure.
    notes : str
        Why it does or does not reproduce, and what was reduced from the paper.
    """

    name: str
    paper: str
    claim: str
    summary: str
    measure: Callable[[bool, int], Measurement] = field(repr=False)
    draw: Callable = field(repr=False)
    notes: str = ""

    def run(self, full: bool = False, seed: int = 0) -> Outcome:
        """Measure the finding (small size unless ``full``) and compare with the claim."""
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise BiomodularError(f"seed must be a non-negative integer; got {seed!r}")
        started = time.perf_counter()
        m = self.measure(bool(full), int(seed))
        return Outcome(
            name=self.name,
            paper=self.paper,
            claim=self.claim,
            size="full" if full else "small",
            seed=int(seed),
            measured=dict(m.measured),
            checks=tuple(m.checks),
            settings=dict(m.settings),
            notes=self.notes,
            seconds=time.perf_counter() - started,
            data=m.data,
            draw=self.draw,
        )


def prepare_output_dir(path: str | Path) -> Path:
    """Create ``path`` (and parents) if needed and check that files can be written there.

    Raises
    ------
    BiomodularError
        If ``path`` is a file, cannot be created, or is not writable.
    """
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise BiomodularError(f"{out}: exists and is not a directory; give a directory for --out")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".biomodular-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise BiomodularError(f"cannot write to {out}: {exc.strerror or exc}") from None
    return out


def write_outcome(outcome: Outcome, out: str | Path) -> list[Path]:
    """Write ``NAME.png``, ``NAME.md`` and ``NAME.json`` into the directory ``out``; returns the paths."""
    out = Path(out)
    png, md, js = (out / f"{outcome.name}{ext}" for ext in (".png", ".md", ".json"))
    try:
        js.write_text(json.dumps(outcome.to_dict(), indent=1) + "\n", encoding="utf-8")
        outcome.figure(png)
        md.write_text(outcome.markdown(image=png.name), encoding="utf-8")
    except OSError as exc:
        raise BiomodularError(f"could not write the results to {out}: {exc.strerror or exc}") from None
    return [png, md, js]
