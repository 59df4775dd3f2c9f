"""``biomodular batch``: check, solve or verify many data files; one result row per file."""

from __future__ import annotations

import argparse
import sys

from ._common import add_executor_arguments, executor_from_args, parse_columns
from ._output import writable_file

#: option -> the commands it applies to
_APPLIES = {
    "method": ("check",),
    "time_limit": ("check",),
    "tol": ("check", "solve"),
    "lam_in": ("solve", "verify"),
    "lam_out": ("solve", "verify"),
    "seeds": ("verify",),
    "max_steps": ("verify",),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``biomodular batch``."""
    parser.add_argument("what", choices=["check", "solve", "verify"], help="what to run on every file")
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="data files or quoted glob patterns ('data/**/*.npy' searches subdirectories)",
    )
    parser.add_argument(
        "--columns", metavar="COLS", help="comma-separated columns to use in every file, by name or zero-based index"
    )
    parser.add_argument("--key", help="array to use in .npz files")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    parser.add_argument(
        "--method",
        default=None,
        choices=["auto", "sector", "cones", "facets", "global", "search", "grid"],
        help="check: decision method (default auto)",
    )
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="check: time budget per file of the global route for five or more sources (default 60); "
        "when it runs out that file's verdict is 'undetermined'",
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=None,
        help="check: an opt-in modelling tolerance on the margin (default none: exact); solve: relative gap (default 1e-6)",
    )
    parser.add_argument(
        "--lam-in",
        type=float,
        default=None,
        metavar="X",
        help="solve, verify: encoder weight-energy coefficient (default 1)",
    )
    parser.add_argument(
        "--lam-out",
        type=float,
        default=None,
        metavar="X",
        help="solve, verify: readout weight-energy coefficient (default 1)",
    )
    parser.add_argument(
        "--seeds", type=int, default=None, metavar="N", help="verify: training seeds 0..N-1 per file (default 5)"
    )
    parser.add_argument("--max-steps", type=int, default=None, help="verify: cap on training steps (default 30000)")
    add_executor_arguments(parser, what="files")
    parser.add_argument(
        "--cache", metavar="DIR", help="reuse results stored in DIR for unchanged files and parameters; store new ones"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--output", metavar="PATH", help="also write the table to PATH (.csv or .json)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _parameters(args: argparse.Namespace) -> dict:
    from ..errors import BiomodularError

    params = {"seed": args.seed, "columns": parse_columns(args.columns), "key": args.key}
    for name, commands in _APPLIES.items():
        value = getattr(args, name)
        if value is None:
            continue
        if args.what not in commands:
            flag = "--" + name.replace("_", "-")
            raise BiomodularError(f"{flag} does not apply to batch {args.what} (only to {', '.join(commands)})")
        params[name] = value
    if params.get("seeds", 1) < 1:
        raise BiomodularError("--seeds must be at least 1")
    if params.get("max_steps", 1) < 1:
        raise BiomodularError("--max-steps must be at least 1")
    if "time_limit" in params and not (0 < params["time_limit"] < float("inf")):
        raise BiomodularError(f"--time-limit must be a positive number of seconds; got {params['time_limit']}")
    return params


def _check_output(path: str | None) -> None:
    from ..errors import BiomodularError

    if path is None:
        return
    if not path.endswith((".csv", ".json")):
        raise BiomodularError(f"--output must end in .csv or .json; got {path!r}")
    writable_file(path, "--output")  # checked without creating it: nothing is written before the work


def _print(table, args) -> None:
    from ..strict_json import dumps

    if args.json:
        print(dumps(table.to_dict()))
    else:
        print(table.table())
    if args.output:
        text = dumps(table.to_dict()) + "\n" if args.output.endswith(".json") else table.to_csv()
        try:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:  # the table is already printed: say so, do not lose it
            print(f"biomodular batch: error: could not write {args.output!r}: {exc.strerror or exc}", file=sys.stderr)
            raise SystemExit(2) from None


def run(args: argparse.Namespace) -> int:
    """Run ``biomodular batch``; returns 0 when every file has a result, 1 when some failed, 130 on Ctrl-C."""
    from ..batch import expand_paths, run_batch
    from ..execution import BatchInterrupted

    params = _parameters(args)
    paths = expand_paths(args.files)
    _check_output(args.output)
    cache = None
    if args.cache:
        from ..cache import ResultCache

        cache = ResultCache(args.cache)
    try:
        with executor_from_args(args) as executor:
            table = run_batch(
                paths,
                args.what,
                params,
                executor=executor,
                processes=args.workers,
                cache=cache,
                progress=False if args.quiet else None,
            )
    except BatchInterrupted as stop:
        _print(stop.partial, args)
        print(
            f"biomodular batch: interrupted; {sum(r['status'] == 'not run' for r in stop.partial)} files not run",
            file=sys.stderr,
        )
        return 130
    _print(table, args)
    return 0 if table.ok else 1
