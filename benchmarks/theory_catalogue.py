"""Time to check the whole theorem catalogue, per theorem, with and without the second checker (z3).

Run:  python benchmarks/theory_catalogue.py [REPEATS]
Baseline: the same proofs checked by sympy alone (``check(smt=False)``), in the same process, on freshly
built proofs each time.  Prints per theorem the median times, the ratio (the cost of z3), the counts of
steps by checker and the axioms used, then the totals.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time

from biomodular.theory.catalogue import CATALOGUE, get
from biomodular.theory.render_docs import step_counts


def _fresh(name: str):
    get.cache_clear()  # every lemma is rebuilt and rechecked too
    return get(name)


def _time(name: str, smt: bool) -> float:
    start = time.perf_counter()
    _fresh(name).check(smt=smt)
    return time.perf_counter() - start


def main(repeats: int = 3) -> None:
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M %Z')}, {platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()}"
    )
    print("| theorem | steps | sympy + z3 | sympy only | rule | axioms | check, both (s) | sympy only (s) | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    tot_both, tot_sympy = 0.0, 0.0
    for name in CATALOGUE:
        both = statistics.median(_time(name, True) for _ in range(repeats))
        alone = statistics.median(_time(name, False) for _ in range(repeats))
        tot_both += both
        tot_sympy += alone
        proof = get(name)
        c = step_counts(proof)
        print(
            f"| {name} | {c['steps']} | {c['z3 proved']} | {c['z3 n/a'] + c['z3 unknown']} | {c['rule']} | "
            f"{len(proof.axioms())} | {both:.2f} | {alone:.2f} | {both / alone:.2f} |"
        )
    print(
        f"| **total** (sum of medians; lemmas rechecked inside each) | | | | | | {tot_both:.1f} | "
        f"{tot_sympy:.1f} | {tot_both / tot_sympy:.2f} |"
    )
    get.cache_clear()
    start = time.perf_counter()
    for name in CATALOGUE:
        get(name).check()
    print(f"\nwhole catalogue, one process, each proof built and checked once: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
