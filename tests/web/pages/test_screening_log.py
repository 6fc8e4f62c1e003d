"""The screening log shows one page of rows at a time; the counts cover every matching
screening, the page links keep the filters, and the CSV holds every row.

The log is built here from a known list of screenings (one a day, so "newest first" is known
in advance); every expected row, page and count is computed from that list in this file.
"""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client

from hccrt.web.audit.bulk import audited_bulk_create
from hccrt.web.capture.models import Screening
from hccrt.web.core.models import Participant
from hccrt.web.pages.screening.log import LOG_PAGE_SIZE

pytestmark = [pytest.mark.database, pytest.mark.django_db]

N_SITE_A = 2 * LOG_PAGE_SIZE + 7  # three pages, the last one short
N_SITE_B = 5  # another site's screenings: never shown to site A's coordinator
DAY0 = date(2025, 1, 1)
WORDS = {"eligible": "Eligible", "not_eligible": "Not eligible", "undetermined": "Incomplete"}


def spec(i: int) -> dict[str, Any]:
    """Screening ``i``: screened on day ``i``; outcome and reasons cycle with ``i``."""
    if i % 3 == 0:
        failing = ["ecog", "child-pugh-a"] if i % 6 == 0 else ["ecog"]
        criteria = [{"id": c, "kind": "inclusion", "outcome": "not met"} for c in failing]
        outcome = Screening.Outcome.NOT_ELIGIBLE
    elif i % 3 == 1:
        criteria = [{"id": "ecog", "kind": "inclusion", "outcome": "met"}]
        outcome = Screening.Outcome.ELIGIBLE
    else:
        criteria = [{"id": "ecog", "kind": "inclusion", "outcome": "unknown"}]
        outcome = Screening.Outcome.UNDETERMINED
    return {"date": DAY0 + timedelta(days=i), "outcome": outcome, "criteria": criteria}


def study_id(site: str, i: int) -> str:
    return f"LOG-{site.upper()}-{i:03d}"


@pytest.fixture
def log(world: Any) -> dict[str, Any]:
    """``N_SITE_A`` screenings at site A and ``N_SITE_B`` at site B, loaded audited."""
    people = [Participant(study_id=study_id(site.code, i), site=site, protocol=world.protocol,
                          consent_date=DAY0, consent_version="1.0", sex="F", age=60)
              for site, n in ((world.site_a, N_SITE_A), (world.site_b, N_SITE_B))
              for i in range(n)]  # fmt: skip
    audited_bulk_create(people, user=world.system)
    screenings = []
    for p in people:
        s = spec(int(p.study_id[-3:]))
        screenings.append(Screening(participant=p, screening_date=s["date"],
                                    outcome=s["outcome"], criteria=s["criteria"]))  # fmt: skip
    audited_bulk_create(screenings, user=world.system)
    c = Client()
    c.force_login(world.users["site_coordinator"])  # a member of site A only
    return {"client": c, "newest_first": [study_id("a", i) for i in reversed(range(N_SITE_A))]}


def get(log: dict[str, Any], query: str = "") -> str:
    r = log["client"].get(f"/screening/?protocol=mini-trial{query}")
    assert r.status_code == 200
    return r.content.decode()


def shown_ids(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([A-Z0-9-]+)</a></th>', html)


def count(html: str, word: str) -> int:
    match = re.search(rf'data-count="{word}">(\d+)<', html)
    assert match, word
    return int(match.group(1))


def pager(html: str) -> str:
    match = re.search(r'<nav class="pager[^"]*" aria-label="Pages of the screening log">(.*?)'
                      r"</nav>", html, re.S)  # fmt: skip
    assert match, "no pager"
    return match.group(1)


def expected_counts() -> dict[str, int]:
    out = {w: 0 for w in WORDS.values()}
    for i in range(N_SITE_A):
        out[WORDS[spec(i)["outcome"]]] += 1
    return out


def test_page_1_shows_the_newest_rows_and_counts_every_row(log):
    html = get(log)
    assert shown_ids(html) == log["newest_first"][:LOG_PAGE_SIZE]
    for word, n in expected_counts().items():
        assert count(html, word) == n
    assert f"<strong>{N_SITE_A}</strong> screened" in html
    # criteria not met over all 107 screenings: ecog fails every third (i = 0, 3, ..., 105),
    # child-pugh-a every sixth (i = 0, 6, ..., 102)
    ecog = len(range(0, N_SITE_A, 3))
    child_pugh = len(range(0, N_SITE_A, 6))
    assert (ecog, child_pugh) == (36, 18)
    assert f"<code>ecog</code> {ecog}, <code>child-pugh-a</code> {child_pugh}" in html
    pages = math.ceil(N_SITE_A / LOG_PAGE_SIZE)
    assert f"Screenings 1–{LOG_PAGE_SIZE} of {N_SITE_A}, newest first (page 1 of {pages})" in html
    nav = pager(html)
    assert 'rel="prev"' not in nav
    assert re.search(r'href="\?protocol=mini-trial&amp;page=2" rel="next">Next', nav)
    assert re.search(r'href="\?protocol=mini-trial&amp;page=1" aria-current="page">'
                     r'<span class="sr-only">Page </span>1</a>', nav)  # fmt: skip
    assert "LOG-B-" not in html


def test_the_last_page_holds_the_oldest_rows(log):
    pages = math.ceil(N_SITE_A / LOG_PAGE_SIZE)
    html = get(log, f"&page={pages}")
    last = N_SITE_A - (pages - 1) * LOG_PAGE_SIZE
    assert last == 7
    assert shown_ids(html) == log["newest_first"][-last:]
    assert shown_ids(html)[-1] == study_id("a", 0)  # the first screened, on day 0
    nav = pager(html)
    assert 'rel="next"' not in nav
    assert f'href="?protocol=mini-trial&amp;page={pages - 1}" rel="prev"' in nav
    assert f'page={pages}" aria-current="page"' in nav
    for word, n in expected_counts().items():  # the same counts on every page
        assert count(html, word) == n


@pytest.mark.parametrize("asked", ["99", "0", "-1"])
def test_a_page_out_of_range_shows_the_last_page(log, asked):
    html = get(log, f"&page={asked}")
    assert shown_ids(html) == log["newest_first"][2 * LOG_PAGE_SIZE :]


def test_a_page_that_is_not_a_number_shows_the_first_page(log):
    assert shown_ids(get(log, "&page=two")) == log["newest_first"][:LOG_PAGE_SIZE]


def test_page_links_keep_the_filters(log):
    start = 30  # screened from day 30: 77 screenings, two pages
    html = get(log, f"&date_from={(DAY0 + timedelta(days=start)).isoformat()}")
    kept = log["newest_first"][: N_SITE_A - start]
    assert len(kept) == 77
    assert shown_ids(html) == kept[:LOG_PAGE_SIZE]
    link = re.search(r'href="\?([^"]+)" rel="next"', pager(html))
    assert link and "date_from=2025-01-31" in link.group(1)
    second = log["client"].get("/screening/?" + link.group(1).replace("&amp;", "&"))
    assert shown_ids(second.content.decode()) == kept[LOG_PAGE_SIZE:]
    # the counts follow the filter (all 77), not the page
    expected = {w: 0 for w in WORDS.values()}
    for i in range(start, N_SITE_A):
        expected[WORDS[spec(i)["outcome"]]] += 1
    for word, n in expected.items():
        assert count(html, word) == n


def test_the_outcome_filter_pages_its_own_rows(log):
    html = get(log, "&outcome=not_eligible")
    wanted = [study_id("a", i) for i in reversed(range(N_SITE_A)) if i % 3 == 0]
    assert shown_ids(html) == wanted  # 36 rows: one page, no pager
    assert 'aria-label="Pages of the screening log"' not in html
    assert count(html, "Eligible") == expected_counts()["Eligible"]  # counts of all outcomes


def test_the_csv_holds_every_row_whatever_the_page(log):
    r = log["client"].get("/screening/?protocol=mini-trial&page=2&format=csv")
    assert r["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    assert [row["study_id"] for row in rows] == log["newest_first"]
    for row in rows:
        i = int(row["study_id"][-3:])
        s = spec(i)
        assert row["screening_date"] == s["date"].isoformat()
        assert row["outcome"] == s["outcome"]
        failing = [c["id"] for c in s["criteria"] if c["outcome"] == "not met"]
        missing = [c["id"] for c in s["criteria"] if c["outcome"] == "unknown"]
        assert row["criteria_not_met"] == ";".join(failing)
        assert row["data_missing_for"] == ";".join(missing)


def test_the_download_link_keeps_the_filters_but_not_the_page(log):
    html = get(log, "&page=2&confirmed=no")
    link = re.search(r'<a class="button" href="\?([^"]+)" download>', html)
    assert link
    query = link.group(1).replace("&amp;", "&")
    assert "format=csv" in query and "confirmed=no" in query and "page=" not in query


def test_a_page_costs_the_same_queries_as_the_first(log):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    get(log)  # caches warmed
    used = []
    for query in ("", "&page=3"):
        with CaptureQueriesContext(connection) as ctx:
            get(log, query)
        used.append(len(ctx.captured_queries))
    assert used[0] == used[1] <= 12, used
