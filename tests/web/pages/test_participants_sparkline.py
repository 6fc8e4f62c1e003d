"""The lab trend chart: values put on one unit by the core, ULN line, grade marks, text summary."""

from __future__ import annotations

import re
from datetime import date

from hccrt.web.pages.participants.sparkline import LabPoint, trend


def test_values_in_mixed_units_are_drawn_in_the_canonical_unit():
    # bilirubin: 1 mg/dL = 17.1 umol/L (molar mass 584.66 g/mol: 10 mg/L / 584.66 g/mol)
    points = [LabPoint(date(2026, 1, 1), 1.0, "mg/dL", 1.2, 0),
              LabPoint(date(2026, 2, 1), 51.3, "umol/L", 20.5, 2)]  # fmt: skip
    t = trend("BILI", "Bilirubin", points)
    assert t.unit == "umol/L"
    assert round(t.points[0][1], 1) == 17.1 and t.points[1][1] == 51.3
    assert t.uln == 20.5 and t.left_out == 0
    assert "2026-02-01 51.3 (grade 2)" in t.summary and "Upper limit of normal 20.5" in t.summary


def test_svg_has_a_title_a_uln_line_and_grade_marks_and_puts_higher_values_higher():
    points = [LabPoint(date(2026, 1, 1), 30, "U/L", 40, 0),
              LabPoint(date(2026, 1, 15), 250, "U/L", 40, 3)]  # fmt: skip
    svg = trend("ALT", "ALT", points).svg
    assert svg.startswith("<svg") and 'role="img"' in svg and "<title>ALT in U/L" in svg
    assert 'class="uln"' in svg and ">G3<" in svg
    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    rect_y = float(re.search(r'<rect class="graded" x="[\d.]+" y="([\d.]+)"', svg).group(1)) + 3
    assert rect_y < ys[0]  # 250 U/L is drawn above 30 U/L (SVG y grows downwards)
    uln_y = float(re.search(r'class="uln" x1="0" x2="\d+" y1="([\d.]+)"', svg).group(1))
    assert rect_y < uln_y < ys[0]


def test_a_value_without_a_convertible_unit_is_left_out_and_said():
    points = [LabPoint(date(2026, 1, 1), 30, "U/L", 40, 0),
              LabPoint(date(2026, 1, 2), 31, "", None, None)]  # fmt: skip
    t = trend("ALT", "ALT", points)
    assert len(t.points) == 1 and t.left_out == 1
    assert "1 value(s) in a unit that cannot be converted are not drawn" in t.summary


def test_tests_without_a_core_analyte_use_their_commonest_unit():
    points = [LabPoint(date(2026, 1, 1), 400, "ng/mL", None, None),
              LabPoint(date(2026, 2, 1), 200, "ng/mL", None, None),
              LabPoint(date(2026, 3, 1), 50, "IU/mL", None, None)]  # fmt: skip
    t = trend("AFP", "AFP", points)
    assert t.unit == "ng/mL" and len(t.points) == 2 and t.left_out == 1


def test_summary_text_is_escaped_in_the_svg():
    t = trend("ALT", "ALT <b>", [LabPoint(date(2026, 1, 1), 30, "U/L", 40, 0)])
    assert "<b>" not in t.svg and "&lt;b&gt;" in t.svg
