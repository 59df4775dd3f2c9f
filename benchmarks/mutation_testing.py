"""Mutation testing of the solvers and the reduction with cosmic-ray: which planted bugs do the tests catch?

For each target module, cosmic-ray enumerates its mutants (an operator swapped,
a comparison flipped, a number changed, a loop skipped...); each mutant is
applied to a scratch copy of the repository and the module's focused tests run
against it.  A mutant is *killed* when the tests fail, *survives* when they
pass.  Survivors are printed with their diff: each is either a missing test or
an equivalent mutant (one that cannot change any result), to be judged by hand.

Mutants are sampled (``--sample`` per module, seeded) because every one costs
a test run (a few seconds with numpy/scipy/cvxpy imports); ``--sample 0`` runs
them all.  Operators that swap in bitwise or integer operators (``|``, ``^``,
``<<``, ``//``, ``%``, ``**`` ...) are left out: on floating-point array code
they fail at once and would only inflate the kill rate.

    pip install -e '.[mutation]'
    python benchmarks/mutation_testing.py [--modules kkt gap ...] [--sample 40] [--seed 0]

Needs cosmic-ray; runs in a temporary copy, never in the checkout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: module key -> (path, focused tests that should catch its bugs)
TARGETS = {
    "kkt": (
        "biomodular/solvers/kkt.py",
        [
            "tests/solvers/test_kkt_jacobian.py",
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_refinement_steps.py::test_refined_weights_are_a_minimum_over_the_dictionary",
        ],
    ),
    "gap": (
        "biomodular/solvers/gap.py",
        ["tests/solvers/test_gap.py", "tests/solvers/test_gap_exact_methods.py", "tests/solvers/test_sector.py"],
    ),
    "standardise": (
        "biomodular/solvers/standardise.py",
        [
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_certificate_units.py",
            "tests/solvers/test_sweep.py",
        ],
    ),
    "energy": (
        "biomodular/solvers/energy.py",
        [
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_energy_edges.py",
            "tests/solvers/test_program.py::test_lower_bound_formula_matches_numerical_minimisation",
            "tests/solvers/test_program.py::test_at_most_d_d_plus_1_over_2_plus_1_neurons_and_caratheodory_is_exact",
            "tests/solvers/test_program.py::test_value_matches_the_loss_of_the_network_computed_from_samples",
        ],
    ),
    "check": (
        "biomodular/solvers/check.py",
        ["tests/solvers/test_check.py", "tests/solvers/test_units_and_counts.py", "tests/solvers/test_check_steps.py"],
    ),
    "sources": (
        "biomodular/sources.py",
        [
            "tests/test_sources.py",
            "tests/test_reduction.py",
            "tests/solvers/test_hull_owned.py::test_mapped_facets_equal_a_hull_built_in_those_coordinates",
            "tests/test_sources_steps.py",
        ],
    ),
    "program": (
        "biomodular/solvers/program.py",
        [
            "tests/solvers/test_program.py",
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_mixing_labels.py::test_solve_and_sweep_label_neurons_by_the_beta_scaled_angle",
            "tests/solvers/test_program_steps.py",
        ],
    ),
    "sweep": (
        "biomodular/solvers/sweep.py",
        [
            "tests/solvers/test_sweep.py",
            "tests/solvers/test_units_and_counts.py::test_sweep_counts_mixed_and_modular_neurons_correctly",
            "tests/solvers/test_mixing_labels.py",
            "tests/execution/test_execution.py::test_a_sweep_block_whose_worker_always_dies_is_a_row_that_says_so",
            "tests/solvers/test_sweep_steps.py",
        ],
    ),
    "master": (
        "biomodular/solvers/master.py",
        [
            "tests/solvers/test_program_steps.py",
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_program.py",
            "tests/solvers/test_sweep.py::test_restricted_programs_are_dpp",
            "tests/solvers/test_master_steps.py",
        ],
    ),
    "refinement": (
        "biomodular/solvers/refinement.py",
        [
            "tests/solvers/test_program_steps.py",
            "tests/solvers/test_certificates.py",
            "tests/solvers/test_kkt_jacobian.py",
            "tests/solvers/test_program.py",
            "tests/solvers/test_refinement_steps.py",
        ],
    ),
    "polar": (
        "biomodular/solvers/polar.py",
        ["tests/solvers/test_polar.py", "tests/solvers/test_pool_pricing.py", "tests/solvers/test_polar_steps.py"],
    ),
    "population": ("biomodular/solvers/population.py", ["tests/solvers/test_population.py"]),
}

#: Replacements by bitwise, shift, floor-division, modulo and power operators.
EXCLUDED = [
    r"core/ReplaceBinaryOperator_.*_(BitOr|BitAnd|BitXor|LShift|RShift|FloorDiv|Mod|Pow)$",
    r"core/VariableInserter",
    r"core/VariableReplacer",
]


def _config(module: str, tests: list[str], timeout: float) -> str:
    command = f"{sys.executable} -m pytest -x -q -p no:cacheprovider -o addopts= " + " ".join(tests)
    excluded = ", ".join(json.dumps(e) for e in EXCLUDED)
    return (
        "[cosmic-ray]\n"
        f'module-path = "{module}"\n'
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(command)}\n\n"
        '[cosmic-ray.distributor]\nname = "local"\n\n'
        f"[cosmic-ray.filters.operators-filter]\nexclude-operators = [{excluded}]\n"
    )


def _run(args: list[str], cwd: Path) -> None:
    subprocess.run(
        args,
        cwd=cwd,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(cwd)},
    )


def run_module(key: str, sample: int, seed: int, timeout: float, scratch: Path) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome, WorkResult

    module, tests = TARGETS[key]
    config = scratch / f"{key}.toml"
    session = scratch / f"{key}.sqlite"
    config.write_text(_config(module, tests, timeout), encoding="utf-8")
    _run(["cosmic-ray", "init", str(config), str(session)], scratch)
    _run(["cr-filter-operators", str(session), str(config)], scratch)
    with use_db(str(session), WorkDB.Mode.open) as db:
        # job ids are random: order the mutants by what they do, so that a seed picks the same ones
        items = sorted(
            db.pending_work_items, key=lambda it: (it.mutations[0].operator_name, it.mutations[0].occurrence)
        )
        pending = [item.job_id for item in items]
        total = len(pending)
        chosen = set(pending if sample <= 0 or sample >= total else random.Random(seed).sample(pending, sample))
        for job in pending:
            if job not in chosen:
                db.set_result(job, WorkResult(output="not sampled", worker_outcome=WorkerOutcome.SKIPPED))
    started = time.perf_counter()
    _run(["cosmic-ray", "exec", str(config), str(session)], scratch)
    seconds = time.perf_counter() - started
    killed = survived = incompetent = 0
    survivors = []
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            if result.worker_outcome == WorkerOutcome.SKIPPED and result.output in ("not sampled", "Filtered operator"):
                continue
            if result.worker_outcome != WorkerOutcome.NORMAL:
                incompetent += 1  # timeout or a crash of the worker: counted as caught
            elif result.test_outcome == TestOutcome.KILLED:
                killed += 1
            elif result.test_outcome == TestOutcome.SURVIVED:
                survived += 1
                m = item.mutations[0]
                survivors.append(f"{m.module_path}:{m.start_pos[0]} {m.operator_name}\n{result.diff}")
            else:
                incompetent += 1
    run = killed + survived + incompetent
    return {
        "module": module,
        "mutants": total,
        "run": run,
        "killed": killed,
        "survived": survived,
        "incompetent": incompetent,
        "seconds": seconds,
        "survivors": survivors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    parser.add_argument("--sample", type=int, default=40, help="mutants per module (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per test run")
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.uname().machine}, {os.cpu_count()} cores, "
        f"sample {args.sample or 'all'} per module, seed {args.seed}"
    )
    print(
        "| module | mutants (after operator filter) | run | killed | timeout/crash | survived | kill rate | minutes |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for name in ("biomodular", "tests", "pyproject.toml"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copy)(src, scratch / name)
        reports = []
        for key in args.modules:
            r = run_module(key, args.sample, args.seed, args.timeout, scratch)
            reports.append(r)
            caught = r["killed"] + r["incompetent"]
            rate = caught / r["run"] if r["run"] else float("nan")
            print(
                f"| {r['module']} | {r['mutants']} | {r['run']} | {r['killed']} | {r['incompetent']} | "
                f"{r['survived']} | {rate:.0%} | {r['seconds'] / 60:.1f} |",
                flush=True,
            )
        for r in reports:
            for s in r["survivors"]:
                print("\n## survived: " + s)


if __name__ == "__main__":
    main()
