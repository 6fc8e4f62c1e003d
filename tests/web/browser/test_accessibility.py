"""Automated accessibility check of every page of the ``pages`` namespace, and a keyboard check.

Every URL name of ``pages`` is either opened here, with the data it needs, or listed in
:data:`NOT_PAGES` with the reason (htmx fragments, POST-only actions, downloads); a new page
added without either fails :func:`test_every_page_name_is_checked_or_excused`.

On each page the vendored axe-core (``vendor/axe-core/axe.min.js``, MPL-2.0, from the npm
registry; never downloaded at test time) runs with the WCAG 2.0/2.1 level A and AA rule tags,
the conformance target of the EU standard EN 301 549 and of Section 508. A violation of impact
'serious' or 'critical' fails the test, named by rule id, target selector and page; the whole
report is written to ``$HCCRT_ARTIFACTS_DIR/screenshots/accessibility-report.txt``.

The keyboard check (WCAG 2.1.1 Keyboard, 2.4.3 Focus Order, 2.4.7 Focus Visible): on the
screening form and the lab form, pressing Tab from the first field reaches every visible
input in document order, and each focused input shows a focus indicator (an outline or a box
shadow that differs from its unfocused style).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver, reverse

from hccrt.web.audit.base import audit_context
from hccrt.web.capture import models as m
from hccrt.web.capture import query_flow
from hccrt.web.capture.models import Membership, Role, Y90Plan
from hccrt.web.core.models import Participant, Protocol
from hccrt.web.core.services import load_builtin_protocols
from hccrt.web.pages.models import ReportRun
from hccrt.web.pages.participants import ecrf
from tests.web.browser.conftest import PASSWORD, artifacts_dir
from tests.web.browser.test_journey import eligible_sbrt, set_fields
from tests.web.conftest import World
from tests.web.pages.test_assessments import BASE, BASELINE_LESIONS, FU1, make_read

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")

NOT_PAGES = {
    "logout": "POST only (signs out, then redirects to the sign-in page)",
    "lab-units": "htmx fragment: the <option>s of the unit picker",
    "ae-grades": "htmx fragment: the CTCAE grade definitions of a term",
    "y90-preview": "htmx fragment: the live results of the Y-90 plan form",
    "sbrt-preview": "htmx fragment: the live results of the SBRT plan form",
    "haic-preview": "htmx fragment: the live results of the HAIC form",
    "y90-sign": "POST only; the form is on y90-summary",
    "y90-administer": "POST only; a GET redirects to y90-summary",
    "export-file": "a file download, not an HTML page",
    "form-delete": "POST only; the delete button is on form-edit",
    "export-run": "htmx fragment: one export run's row, polled by the exports page",
}


def page_names() -> set[str]:
    _, resolver = get_resolver().namespace_dict["pages"]
    return {k for k in resolver.reverse_dict if isinstance(k, str)}


@dataclass
class Check:
    name: str  # URL name in the pages namespace
    url: str
    user: str | None  # who is signed in (None: anonymous)
    live: Callable[[Any], None] | None = None  # brings the page to its live (htmx) state


def live_screening(page: Any) -> None:
    data = eligible_sbrt(int(page.locator("#id_p-site option").nth(1).get_attribute("value")),
                         "SB-A-900")  # fmt: skip
    set_fields(page, data)
    page.get_by_label("Intrahepatic response on systemic therapy").select_option("SD")
    page.locator('#results [data-status="eligible"]').wait_for()


def live_follow_up(page: Any) -> None:
    page.get_by_label("Date of imaging").fill("2026-07-20")
    page.get_by_label("Longest diameter of T01 (mm)").fill("40")
    page.get_by_label("Longest diameter of T02 (mm)").fill("29")
    page.get_by_test_id("overall-recist11").filter(has_text="PR").wait_for()


def live_y90(page: Any) -> None:
    page.get_by_label("Dosimetry method").select_option("mird")
    page.get_by_label("Prescribe by").select_option("perfused_dose")
    page.get_by_label("Target dose (Gy) or activity (GBq)").fill("400")
    page.get_by_label("Perfused volume (mL)").fill("1000")
    page.get_by_label("Lung shunt fraction").fill("0.2")  # fails the cumulative lung dose
    page.locator('#results [data-result="lung"]').wait_for()


def live_sbrt(page: Any) -> None:
    page.get_by_label("Prescribed total dose (Gy)").fill("45")
    page.get_by_label("Fractions").fill("5")
    page.locator('[data-result="bed"]').wait_for()


def live_haic(page: Any) -> None:
    page.get_by_label("Height (cm)").fill("170")
    page.get_by_label("Weight (kg)").fill("70")
    page.locator('[data-result="bsa"]').wait_for()


def live_ae(page: Any) -> None:
    page.get_by_label("Term").fill("Pneumonitis")
    page.get_by_label("Term").blur()
    page.locator("#grade-definitions").get_by_text("oxygen indicated").wait_for()


def live_lab(page: Any) -> None:
    with page.expect_response(lambda r: "/forms/lab-units/" in r.url):
        page.get_by_label("Test").select_option("ALT")
    page.get_by_label("Collection date").fill("2026-02-10")
    page.get_by_label("Unit").select_option(label="U/L")
    page.locator("#id_value").fill("150")
    page.get_by_label("Upper limit of normal (ULN)").fill("40")
    page.get_by_label("Upper limit of normal (ULN)").blur()
    page.locator("#validation .preview", has_text="CTCAE grade").wait_for()


def live_finder(page: Any) -> None:
    page.get_by_label("ECOG performance status").fill("1")
    page.get_by_label("ECOG performance status").press("Tab")
    page.locator("#finder-results article[data-protocol]").first.wait_for()


def set_password(user: Any) -> str:
    user.set_password(PASSWORD)
    user.save()
    return str(user.get_username())


@pytest.fixture
def site_data(world: World) -> Iterator[list[Check]]:
    """One of each record the pages show, on the mini trial and the built-in protocols."""
    load_builtin_protocols()
    admin = set_password(world.users[Role.ADMINISTRATOR])
    coord = set_password(world.users[Role.SITE_COORDINATOR])
    reader_user = world.users[Role.CENTRAL_READER]
    reader = set_password(reader_user)
    system = world.system

    def builtin(code: str) -> Protocol:
        return Protocol.objects.get(code=code, is_current=True)

    with audit_context(system):
        screening = world.eligible(world.pa)
        lab = m.LabResult(participant=world.pa, collection_date=date(2026, 2, 1), test="ALT",
                          value=150, unit="U/L", uln=40)  # fmt: skip
        lab.save(user=system)
        m.AdverseEvent(participant=world.pa, term="Fatigue", grade=2,
                       start_date=date(2026, 2, 3)).save(user=system)  # fmt: skip
        make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS)
        follow = make_read(world, world.pa, FU1, "follow_up",
                           [("T01", "TARGET", 40.0, 40.0, ""), ("T02", "TARGET", 29.0, 29.0, ""),
                            ("NT01", "NON-TARGET", None, None, "PRESENT")], overall="PR")
        # central reads of two readers (the read page, and the adjudication of a discordance)
        second = get_user_model().objects.create_user("reader-2")
        Membership.objects.create(user=second, role=Role.CENTRAL_READER, site=None)
        reads = []
        for r, t02, overall in ((reader_user, 29.0, "PR"), (second, 35.0, "SD")):
            make_read(world, world.pa, BASE, "baseline", BASELINE_LESIONS,
                      evaluator="INDEPENDENT ASSESSOR", reader=r)  # fmt: skip
            reads.append(make_read(world, world.pa, FU1, "follow_up",
                                   [("T01", "TARGET", 40.0, 40.0, ""),
                                    ("T02", "TARGET", t02, t02, ""),
                                    ("NT01", "NON-TARGET", None, None, "PRESENT")],
                                   evaluator="INDEPENDENT ASSESSOR", reader=r, overall=overall))
        planned = {}
        for code, arm in (("tare-ut7", "tare"), ("sbrt-bclcc", "sbrt-systemic"),
                          ("sirt-haic", "haic")):  # fmt: skip
            p = world.participant(f"{code.upper()}-A-001", world.site_a, builtin(code))
            p.arm, p.status = arm, Participant.Status.ENROLLED
            p.save(user=system, reason="enrolled (test set-up)")
            planned[code] = p
    query = query_flow.raise_query(world.users[Role.MONITOR], world.pa,
                                   text="Please confirm the consent date")  # fmt: skip
    ReportRun.objects.create(kind=ReportRun.Kind.RECORDS_CSV, protocol_code="mini-trial",
                             status=ReportRun.Status.DONE, progress=1.0,
                             requested_by=world.users[Role.ADMINISTRATOR])  # fmt: skip
    # a Y-90 plan saved through its own page (the view computes and stores it)
    client = Client()
    client.force_login(world.users[Role.ADMINISTRATOR])
    saved = client.post(reverse("pages:y90-plan", args=[planned["tare-ut7"].pk]),
                        {"plan_date": "2026-02-01", "territory": "right lobe",
                         "device": "glass", "model": "mird", "driver": "perfused_dose",
                         "prescribed_value": "120", "perfused_volume_ml": "1000",
                         "lsf": "0.05", "target_tumour": "0", "action": "save"})  # fmt: skip
    assert saved.status_code == 302, saved.content.decode()[:2000]
    plan = Y90Plan.objects.get()
    # a second plan, administered with dose-calibrator assays and a post-treatment dose: the
    # summary's assay table, the dosimetry form with its administration, the timeline's row
    tare = planned["tare-ut7"]
    with audit_context(system):
        assayed_plan = Y90Plan(participant=tare, plan_date=date(2026, 2, 1), inputs=plan.inputs)
        assayed_plan.save(user=system)
        at = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
        adm = m.Y90Administration(
            participant=tare, plan=assayed_plan, administration_date=date(2026, 2, 10),
            administered_at=at, vial_assay_gbq=2.0, vial_assay_at=at - timedelta(hours=2),
            residual_assay_gbq=0.05, residual_assay_at=at + timedelta(hours=1))
        adm.save(user=system)
        dose = m.Y90PostTreatmentDosimetry(participant=tare, administration=adm,
                                           imaging_date=date(2026, 2, 11), quantity="TUMDOSE",
                                           value=150.0, modality="Y-90 PET/CT")  # fmt: skip
        dose.save(user=system)

    pa = world.pa.pk

    def r(name: str, *args: Any) -> str:
        return reverse(f"pages:{name}", args=args)

    checks = [
        Check("login", r("login"), None),
        Check("finder", r("finder"), None),
        Check("finder", r("finder"), None, live_finder),
        Check("home", r("home"), coord),
        Check("home", r("home"), reader),
        Check("home", r("home") + "?protocol=mini-trial", admin),
        Check("screening-list", r("screening-list") + "?protocol=mini-trial", coord),
        Check("screening-new", r("screening-new") + "?protocol=sbrt-bclcc", coord),
        Check("screening-new", r("screening-new") + "?protocol=sbrt-bclcc", coord,
              live_screening),
        Check("screening-detail", r("screening-detail", screening.pk), coord),
        Check("screening-edit", r("screening-edit", screening.pk), coord),
        Check("enrol", r("enrol", pa), coord),
        Check("participant-list", r("participant-list"), coord),
        Check("participant-detail", r("participant-detail", pa), coord),
        Check("participant-detail", r("participant-detail", pa), reader),
        *[Check("form-new", r("form-new", pa, slug), admin) for slug in sorted(ecrf.form_models())],
        Check("form-new", r("form-new", pa, "labs"), coord, live_lab),
        Check("form-new", r("form-new", pa, "adverse-events"), coord, live_ae),
        Check("form-edit", r("form-edit", "labs", lab.pk), coord),
        Check("form-history", r("form-history", "labs", lab.pk), coord),
        Check("assessment-new", r("assessment-new", pa), coord),
        Check("assessment-new", r("assessment-new", pa), coord, live_follow_up),
        Check("assessment-edit", r("assessment-edit", follow.pk), coord),
        Check("review-inbox", r("review-inbox"), reader),
        Check("review-read", r("review-read", reads[0].pk), reader),
        Check("review-assign", r("review-assign"), admin),
        Check("adjudication", r("adjudication", pa), admin),
        Check("planning-home", r("planning-home") + "?protocol=tare-ut7", admin),
        Check("y90-plan", r("y90-plan", planned["tare-ut7"].pk), admin),
        Check("y90-plan", r("y90-plan", planned["tare-ut7"].pk), admin, live_y90),
        Check("y90-summary", r("y90-summary", plan.pk), admin),
        Check("y90-summary", r("y90-summary", assayed_plan.pk), admin),
        Check("participant-detail", r("participant-detail", tare.pk), admin),
        Check("form-edit", r("form-edit", "y90-post-treatment-dosimetry", dose.pk), admin),
        Check("sbrt-plan", r("sbrt-plan", planned["sbrt-bclcc"].pk), admin),
        Check("sbrt-plan", r("sbrt-plan", planned["sbrt-bclcc"].pk), admin, live_sbrt),
        Check("haic-plan", r("haic-plan", planned["sirt-haic"].pk), admin),
        Check("haic-plan", r("haic-plan", planned["sirt-haic"].pk), admin, live_haic),
        Check("qol-fill", r("qol-fill", pa), coord),
        Check("queries", r("queries"), coord),
        Check("query-detail", r("query-detail", query.pk), coord),
        Check("audit", r("audit"), admin),
        Check("exports", r("exports") + "?protocol=mini-trial", admin),
    ]
    yield checks


def test_every_page_name_is_checked_or_excused(site_data: list[Check]) -> None:
    names = page_names()
    checked = {c.name for c in site_data}
    assert not (checked | set(NOT_PAGES)) ^ names, (
        f"pages without an accessibility check: {sorted(names - checked - set(NOT_PAGES))}; "
        f"names no longer in the URLconf: {sorted((checked | set(NOT_PAGES)) - names)}")


def run_axe(page: Any) -> dict[str, Any]:
    """axe-core on the page as it stands: ``{"violations": [...], "incomplete": [...],
    "passes": n}``, each rule with its nodes' target selectors."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async tags => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
             const rules = list => list.map(v => ({id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact}))}));
             return {violations: rules(r.violations), incomplete: rules(r.incomplete),
                     passes: r.passes.length};
           }""",
        WCAG_TAGS,
    )
    return dict(result)


def test_no_serious_or_critical_axe_violation_on_any_page(site_data: list[Check],
                                                          new_page: Callable[..., Any]) -> None:
    assert AXE.exists(), f"vendored axe-core missing at {AXE}"
    pages: dict[str | None, Any] = {}
    failures: list[str] = []
    report: list[str] = []
    for check in site_data:
        if check.user not in pages:
            pages[check.user] = new_page(check.user)
        page = pages[check.user]
        where = f"{check.name} {check.url} as {check.user or 'anonymous'}"
        where += " (live results)" if check.live else ""
        response = page.goto(check.url)
        page.wait_for_load_state("networkidle")
        if response is None or response.status >= 400:
            failures.append(f"{where}: the page did not open ({response and response.status})")
            continue
        if check.live:
            check.live(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 1024:
            failures.append(f"{where}: {width} px wide at the 1024 px tablet viewport")
        result = run_axe(page)
        assert result["passes"] > 5, f"{where}: axe evaluated almost nothing: {result}"
        report.append(f"{where}: {result['passes']} rules passed")
        for kind in ("violations", "incomplete"):
            for v in result[kind]:
                for node in v["nodes"]:
                    impact = node["impact"] or v["impact"]
                    line = f"{where}: {kind} [{impact}] {v['id']} at {node['target']}: {v['help']}"
                    report.append("    " + line)
                    if kind == "violations" and impact in FAILING_IMPACTS:
                        failures.append(line)
    out = artifacts_dir() / "accessibility-report.txt"
    out.write_text("\n".join(report) + "\n", encoding="utf-8")
    assert not failures, "axe-core WCAG 2.1 A/AA violations:\n" + "\n".join(failures)


def test_the_check_finds_known_violations(browser: Any) -> None:
    """The harness itself can fail: a page with an unlabelled input, an image without a text
    alternative and no lang attribute gives axe's 'label' and 'image-alt' (critical) and
    'html-has-lang' (serious) rules."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content('<html><head><title>t</title></head><body><main>'
                         '<img src="x.png"><input type="text"></main></body></html>')
        found = {v["id"]: v["impact"] for v in run_axe(page)["violations"]}
    finally:
        context.close()
    assert found.get("image-alt") == "critical" and found.get("label") == "critical"
    assert found.get("html-has-lang") == "serious"


FOCUSABLE = ("input:not([type=hidden]):not([disabled]), select:not([disabled]), "
             "textarea:not([disabled])")


def tab_through(page: Any, form: str) -> list[str]:
    """Press Tab from just before the form's first field until focus leaves the form; return
    the ids of the fields focused, and assert each shows a focus indicator."""
    fields = page.eval_on_selector_all(
        f"{form} :is({FOCUSABLE})",
        "els => els.filter(e => e.offsetParent !== null).map(e => e.id || e.name)")
    page.eval_on_selector(f"{form} :is({FOCUSABLE})", "e => { e.focus(); e.blur(); }")
    first = page.locator(f"{form} :is({FOCUSABLE})").first
    first.focus()
    seen: list[str] = []
    for _ in range(len(fields) * 3 + 10):
        info = page.evaluate(
            """form => {
                 const e = document.activeElement;
                 if (!e || !e.closest(form)) return null;
                 const s = getComputedStyle(e);
                 return {id: e.id || e.name, tag: e.tagName,
                         outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                         shadow: s.boxShadow !== 'none'};
               }""",
            form,
        )
        if info is None:
            break
        if info["tag"] in ("INPUT", "SELECT", "TEXTAREA"):
            assert info["outline"] or info["shadow"], f"no visible focus on {info['id']}: {info}"
            if not seen or seen[-1] != info["id"]:
                seen.append(info["id"])
        page.keyboard.press("Tab")
        # a date input keeps focus over its parts (day, month, year, calendar button)
        page.wait_for_function("() => [null, document.body].includes(document.activeElement)"
                               " || document.activeElement.matches(':focus-within')")
    missing = [f for f in fields if f not in seen]
    assert not missing, f"Tab never reaches {missing}"
    order = [f for f in seen if f in fields]
    assert order == [f for f in fields if f in order], f"focus order {order} != {fields}"
    return seen


def test_keyboard_reaches_every_field_in_order_with_visible_focus(
        site_data: list[Check], new_page: Callable[..., Any]) -> None:  # fmt: skip
    coord = next(c.user for c in site_data if c.name == "screening-new")
    page = new_page(coord)
    page.goto(reverse("pages:screening-new") + "?protocol=sbrt-bclcc")
    seen = tab_through(page, "form#screening-form" if page.locator("form#screening-form").count()
                       else "main form:has([name='f-ecog'])")
    assert "id_f-ecog" in seen and "id_f-systemic_therapy_ongoing" in seen
    participant = next(c for c in site_data if c.name == "participant-detail")
    pk = int(participant.url.rstrip("/").split("/")[-1])
    page.goto(reverse("pages:form-new", args=[pk, "labs"]))
    seen = tab_through(page, "main form:has(#id_unit)")
    assert "id_unit" in seen and "id_value" in seen
    print(json.dumps(seen))
