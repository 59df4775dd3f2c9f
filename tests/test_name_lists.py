"""Lists of source names in one line of text."""

from biomodular.name_lists import NAMES_SHOWN, join_names, largest_terms


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


def test_the_largest_terms_keep_their_order():
    terms = [(0.1 * (-1) ** i * (i % 7), f"s{i}") for i in range(20)]
    shown = largest_terms(terms)
    assert len(shown) == NAMES_SHOWN - 2
    assert [name for _, name in shown] == sorted((name for _, name in shown), key=lambda n: int(n[1:]))
    smallest_shown = min(abs(w) for w, _ in shown)
    assert all(abs(w) <= smallest_shown for w, n in terms if (w, n) not in shown)
    assert largest_terms(terms[:5]) == terms[:5]
