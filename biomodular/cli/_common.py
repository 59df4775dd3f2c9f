"""What the subcommands share: input arguments and loading, and JSON output."""

from __future__ import annotations

import argparse
import json
import sys


def add_input_arguments(
    parser: argparse.ArgumentParser, statistics: bool = False, scheduler_for: str = "the reduction of --dask data"
) -> None:
    """Add ``path``, ``--example``, ``--columns``, ``--key``, ``--seed``, ``--dask`` and ``--scheduler``.

    With ``statistics``, ``path`` may also be a ``.json`` file of statistics.
    ``scheduler_for`` says what ``--scheduler`` runs on a Dask cluster.
    """
    help_path = "data file: .csv/.tsv/.txt (header optional), .npy, .npz or .mat; - reads standard input"
    if statistics:
        help_path += ", or a .json file of statistics with keys mean, cov, vertices (and optional names)"
    parser.add_argument("path", nargs="?", help=help_path)
    parser.add_argument("--example", metavar="NAME", help="use a bundled example instead of a file")
    parser.add_argument("--columns", metavar="COLS", help="comma-separated columns to use, by name or zero-based index")
    parser.add_argument("--key", help="array to use in an .npz file, or variable in a .mat file")
    parser.add_argument(
        "--index-col",
        metavar="COL",
        help="text tables: the column of row labels, not a source (name or zero-based index; "
        "default: the unnamed first column pandas writes; 'none': no index column)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the example and of any random choice (default 0)")
    parser.add_argument(
        "--dask",
        action="store_true",
        help="path is a directory of .npy chunks or a zarr store, reduced chunk by chunk "
        "with Dask (on the cluster of --scheduler if given; needs biomodular[dask])",
    )
    _add_scheduler(parser, scheduler_for)


def _add_scheduler(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"run {what} on the Dask cluster whose scheduler is at ADDRESS "
        "(e.g. tcp://10.0.0.5:8786; needs biomodular[dask])",
    )


def add_executor_arguments(parser: argparse.ArgumentParser, what: str, scheduler: bool = True) -> None:
    """Add ``--workers`` (and ``--scheduler`` unless the input arguments did): where independent work runs."""
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help=f"local processes for the {what} (default: one per core; 1 = one after another)",
    )
    if scheduler:
        _add_scheduler(parser, f"the {what}")


def executor_from_args(args: argparse.Namespace):
    """A context manager yielding the executor ``--scheduler`` asks for, or None (local processes)."""
    from contextlib import nullcontext

    from ..errors import BiomodularError

    if args.workers is not None and args.workers < 1:
        raise BiomodularError("--workers must be at least 1")
    if args.workers is not None and args.scheduler is not None:
        raise BiomodularError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    if args.scheduler is None:
        return nullcontext(None)
    from ..execution import dask_executor

    return dask_executor(args.scheduler)


def parse_columns(text: str | None) -> list[str | int] | None:
    """``"a,2,b"`` -> ``["a", 2, "b"]`` (digits are zero-based indices)."""
    if text is None:
        return None
    from ..io._columns import is_index_text

    return [int(x) if is_index_text(x.strip().lstrip("-")) else x.strip() for x in text.split(",")]


def parse_index_col(text: str | None):
    """``--index-col``: None (detect), False (``none``), an index or a name."""
    if text is None:
        return None
    from ..io._columns import is_index_text

    text = text.strip()
    if text.lower() == "none":
        return False
    return int(text) if is_index_text(text) else text


def _require_one_input(args: argparse.Namespace) -> None:
    from ..errors import BiomodularError

    if (args.path is None) == (args.example is None):
        raise BiomodularError("give a data file or --example NAME (see 'biomodular check --list-examples'), not both")
    if args.example is not None:
        given = [
            flag
            for flag, value in (
                ("--columns", args.columns),
                ("--key", args.key),
                ("--index-col", getattr(args, "index_col", None)),
            )
            if value is not None
        ]
        if given:
            raise BiomodularError(
                f"{' and '.join(given)} select{'s' if len(given) == 1 else ''} data in a "
                "file; an example has fixed sources: drop it or give a file"
            )


def load_samples(args: argparse.Namespace):
    """The raw samples and source names (the whole file is read into memory)."""
    import numpy as np

    from ..errors import BiomodularError

    _require_one_input(args)
    if getattr(args, "dask", False):
        raise BiomodularError("this command trains on the samples in memory; --dask applies to check and solve")
    if args.example is not None:
        from .. import examples

        samples, example_names = examples.load(args.example, seed=args.seed)
        return np.asarray(samples, dtype=float), example_names
    from .. import io

    names, chunks = io.iter_chunks(
        args.path, columns=parse_columns(args.columns), key=args.key, index_col=parse_index_col(args.index_col)
    )
    blocks = [np.asarray(c, dtype=float) for c in chunks]
    if not blocks:
        raise BiomodularError(f"{args.path}: no samples")
    return np.vstack(blocks), names


def load_sources(args: argparse.Namespace, statistics: bool = False, reservoir=None):
    """``(Sources, samples or None)``: examples keep their samples for figures;
    files are reduced in one chunked pass and their samples are not kept.

    ``reservoir`` (a :class:`biomodular.solvers.population.Reservoir`), if
    given, keeps a random subset of the rows on the way (not for statistics
    or ``--dask`` data)."""
    from ..sources import Sources

    _require_one_input(args)
    if args.example is not None:
        samples, names = load_samples(args)
        if reservoir is not None:
            reservoir.add(samples)
        return Sources.from_chunks([samples], names=names, origin=f"example:{args.example}"), samples
    if statistics and args.path.endswith(".json"):
        return _read_statistics(args.path), None
    if args.dask:
        return _reduce_chunked(args), None
    if args.scheduler is not None:
        from ..errors import BiomodularError

        raise BiomodularError("--scheduler reduces --dask data here; add --dask, or drop --scheduler")
    if reservoir is not None:
        from .. import io

        names, chunks = io.iter_chunks(
            args.path, columns=parse_columns(args.columns), key=args.key, index_col=parse_index_col(args.index_col)
        )
        origin = "standard input" if io.is_stdin(args.path) else str(args.path)
        return Sources.from_chunks(reservoir.tee(chunks), names=names, origin=origin), None
    return Sources.from_file(
        args.path, columns=parse_columns(args.columns), key=args.key, index_col=parse_index_col(args.index_col)
    ), None


def _reduce_chunked(args: argparse.Namespace):
    """Sources of a directory of .npy chunks or a zarr store, reduced with Dask."""
    from contextlib import nullcontext

    from ..chunked import open_chunked, reduce_dask
    from ..errors import BiomodularError
    from ..execution import dask_client

    if args.key is not None:
        raise BiomodularError("--key applies to .npz files, not to --dask data")
    array, names = open_chunked(args.path)
    columns = parse_columns(args.columns)
    if columns is not None:
        by_name = {n: j for j, n in enumerate(names or ())}
        unknown = [c for c in columns if isinstance(c, str) and c not in by_name]
        if unknown:
            raise BiomodularError(f"no column named {unknown[0]!r} (give zero-based indices)")
        indices = [by_name[c] if isinstance(c, str) else c for c in columns]
        array, names = open_chunked(args.path, indices)
    with dask_client(args.scheduler) if args.scheduler else nullcontext():
        return reduce_dask(array, names, origin=f"{args.path} (chunked, reduced with dask)")


def _read_statistics(path: str):
    from ..errors import BiomodularError
    from ..sources import Sources

    try:
        with open(path, encoding="utf-8") as handle:
            stats = json.load(handle)
    except (OSError, ValueError) as exc:
        raise BiomodularError(f"could not read statistics from {path!r}: {exc}") from None
    missing = [k for k in ("mean", "cov", "vertices") if k not in stats] if isinstance(stats, dict) else []
    if not isinstance(stats, dict) or missing:
        raise BiomodularError(f"a statistics file needs keys mean, cov and vertices; missing {missing}")
    return Sources.from_statistics(stats["mean"], stats["cov"], stats["vertices"], names=stats.get("names"))


def print_json(result, sources, total_seconds: float) -> None:
    """Print ``result.to_dict()`` with the total time and the data's origin, on one line."""
    payload = result.to_dict()
    payload["total_seconds"] = total_seconds
    payload["source"] = sources.origin
    from ..strict_json import dumps

    sys.stdout.write(dumps(payload) + "\n")
