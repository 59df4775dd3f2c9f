"""Lists of source names in one line of text."""

from biomodular.name_lists import NAMES_SHOWN, join_names


def test_a_short_list_is_written_out():
    assert join_names(["speed", "head direction", "x"]) == "speed, head direction, x"
    names = [f"s{i}" for i in range(1, NAMES_SHOWN + 1)]
    assert join_names(names) == ", ".join(names)


def test_a_long_list_shows_its_ends_and_optionally_its_length():
    names = [f"s{i}" for i in range(1, 1001)]
    short = join_names(names)
    assert short.startswith("s1, s2, s3, s4, s5, ...") and short.endswith("s999, s1000")
    assert "s6," not in short and len(short) < 60
    assert join_names(names, counted=True) == f"1000 sources ({short})"
