"""The pure parts of `make benchmark` (scripts/bench): percentiles, the goals' verdicts and the form reader.
The benchmark itself is a report, not part of the suite."""

import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from bench import stats  # scripts/ is put on the path just above: it is not a package
from bench.client import form_fields


def test_percentile_is_nearest_rank_so_every_figure_was_measured():
    samples = [float(n) for n in range(20, 0, -1)]  # 20 down to 1, unordered on purpose
    assert stats.percentile(samples, 50) == 10.0
    assert stats.percentile(samples, 95) == 19.0
    assert stats.percentile(samples, 100) == 20.0
    assert stats.percentile([7.0], 95) == 7.0
    assert math.isnan(stats.percentile([], 50))


def test_a_page_under_both_limits_meets_its_goals():
    verdicts = stats.page_goals(p95_ms=250, app_p50_ms=100, floor_p50_ms=60)
    assert [v.met for v in verdicts] == [True, True]
    assert all(v.missed_by == "" for v in verdicts)


def test_a_slow_page_says_by_how_much_it_misses():
    slow, far = stats.page_goals(p95_ms=8_400, app_p50_ms=7_987, floor_p50_ms=1_380)
    assert slow.met is False
    assert slow.missed_by == "8,100 ms (28.0× the limit)"
    assert far.met is False
    assert far.value == pytest.approx(5.79, abs=0.01)
    assert far.missed_by == "3.8× (2.9× the limit)"
    assert far.text.startswith("within 2× the SQL floor: missed by")


def test_a_page_that_failed_is_not_measured_rather_than_met():
    verdicts = stats.page_goals(None, None, 5.0)
    assert [v.met for v in verdicts] == [None, None]
    assert verdicts[0].text.endswith("not measured")


def test_growth_is_the_big_databases_p50_over_the_small_ones():
    assert stats.growth_goal(small_p50_ms=100, big_p50_ms=190).met is True
    missed = stats.growth_goal(small_p50_ms=447, big_p50_ms=7_987)
    assert missed.met is False
    assert missed.value == pytest.approx(17.87, abs=0.01)


def test_export_goals_first_byte_copy_ratio_and_memory():
    first_byte, copy, memory = stats.export_goals(first_byte_s=61.6, total_s=61.6, copy_s=2.5, memory_mb=222)
    assert (first_byte.met, copy.met, memory.met) == (False, False, False)
    assert copy.value == pytest.approx(24.64)
    assert memory.missed_by == "122 MB (2.2× the limit)"
    assert all(v.met for v in stats.export_goals(0.2, 6.0, 2.5, 12))


def test_submissions_must_reach_half_the_bare_floor():
    assert stats.submissions_goal(app_per_s=100, floor_per_s=190).met is True
    short = stats.submissions_goal(app_per_s=9.5, floor_per_s=190)
    assert short.met is False
    assert short.value == pytest.approx(0.05)
    assert short.missed_by == "0.45 (0.10 of the limit)"


def test_the_form_reader_fills_in_a_form_as_a_person_would():
    html = """
    <form method="get" action="/search"><input name="q" value="ignored"></form>
    <form method="post" action="/consultations/x/respond">
      <input type="hidden" name="csrf_token" value="abc">
      <input type="radio" name="respondent_kind" value="individual">
      <input type="radio" name="respondent_kind" value="group">
      <input type="checkbox" name="q3" value="1"><input type="checkbox" name="q3" value="2">
      <input type="checkbox" name="consent" value="y">
      <input type="text" name="website">
      <textarea name="q4"></textarea>
      <button type="submit" name="submit" value="send">Send</button>
    </form>"""
    fields, action = form_fields(html)
    assert action == "/consultations/x/respond"
    found = dict(fields)
    assert found["csrf_token"] == "abc"
    assert found["respondent_kind"] == "individual"
    assert [value for name, value in fields if name == "q3"] == ["1"]
    assert found["consent"] == "y"
    assert "website" not in found  # the honeypot stays empty
    assert found["q4"]
    assert found["submit"] == "send"


def test_the_group_picker_row_asks_what_the_app_asks():
    from bench import postgres

    from crm.core.matching import match_key

    facts = {
        "big_policy": 1,
        "big_consultation": 2,
        "most_used_theme": 3,
        "big_policy_reached": 10,
        "counts": {"response": 5, "community_group": 50_000},
    }
    row = next(row for row in postgres._pages(facts) if row.key == "group_picker")
    assert row.path == "/staff/pick/groups?q=Walsal+Deaf+Netwrk" and not row.growth
    assert "50,000 groups" in row.what and "under 50 ms" in row.what
    (containing, like), (threshold, setting), (near, params) = row.floor.statements
    assert "lower(name) LIKE %(like)s" in containing and like["like"] == "%walsal deaf netwrk%"
    assert "pg_trgm.similarity_threshold" in threshold and setting == {"threshold": "0.6"}
    assert "match_key %% %(key)s" in near and params["key"] == match_key("Walsal Deaf Netwrk")
