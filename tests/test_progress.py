import io
import sys

from biomodular.progress import progress, should_show


def test_hidden_when_stderr_is_not_a_terminal(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    with progress(total=5, desc="work") as bar:
        for _ in range(5):
            bar.update(1)
    assert buffer.getvalue() == ""
    assert should_show(None) is False


def test_forced_bar_writes_to_stderr(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    items = list(progress(range(3), desc="work", show=True, leave=True))
    assert items == [0, 1, 2]
    assert "work" in buffer.getvalue() and "3/3" in buffer.getvalue()


def test_quick_work_prints_nothing_before_the_delay(monkeypatch):
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    assert list(progress(range(3), desc="work", show=True, delay=30.0, leave=True)) == [0, 1, 2]
    assert buffer.getvalue() == ""


def test_solve_reports_its_rounds_on_a_terminal(monkeypatch):
    """Column generation counts its rounds, with the relative gap of the last one, on a
    progress bar (here a bar drawn into a buffer at every update; the shared display's own
    rule, a terminal or a notebook after two seconds, is tested above)."""
    import numpy as np

    from tqdm import tqdm

    import biomodular.solvers.program as program_module
    from biomodular import Sources
    from biomodular.solvers.program import solve_code

    buffer = io.StringIO()
    # Every update drawn (a bar redraws at most ten times a second) and nothing erased.
    monkeypatch.setattr(
        program_module, "progress", lambda **kw: tqdm(file=buffer, mininterval=0, leave=True, delay=0, **kw)
    )
    S = np.random.default_rng(0).uniform(-1, 1, (400, 3))
    result = solve_code(Sources.from_samples(S[S.sum(axis=1) > -1.0]))
    text = buffer.getvalue().replace("\r", "\n")
    assert "solve (3 sources)" in text
    assert f"{result.rounds}round" in text and "relative gap" in text


def test_inner_work_hides_default_bars_but_not_forced_ones(monkeypatch):
    from biomodular.progress import inner_work

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert should_show(None) is True
    with inner_work():
        assert should_show(None) is False
        list(progress(range(3), desc="inner", show=True, leave=True))
    assert should_show(None) is True
    assert "inner" in screen.getvalue() and "3/3" in screen.getvalue()
