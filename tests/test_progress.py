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
