"""Property tests: arbitrary inputs give a finite result or an InputError, never another
exception (issue 5, "bad input: each a clear error"). No reference numbers here; the
physical invariants are in the module-specific test files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hccrt.dosimetry import decay, haic, radiobiology, resin, sbrt
from hccrt.dosimetry.cohort import plan_cohort
from hccrt.errors import InputError

anything = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**6), 10**6), st.none(),
    st.booleans(), st.text(max_size=4),
    st.lists(st.floats(-10, 1e4), min_size=0, max_size=3),
)


def finite_or_input_error(call):
    try:
        r = call()
    except InputError:
        return
    values = r if isinstance(r, list | tuple) else [r]
    for v in values:
        if isinstance(v, float | np.ndarray):
            assert np.all(np.isfinite(v)) or np.all(np.isnan(v) | np.isfinite(v))


@settings(max_examples=300, deadline=None)
@given(anything, anything, anything, anything)
def test_no_crash(a, b, c, d):
    finite_or_input_error(lambda: resin.resin_bsa_activity_gbq(a, b, c, d))
    finite_or_input_error(lambda: resin.shunt_reduction_factor(a))
    finite_or_input_error(lambda: sbrt.bed_gy(a, b, c))
    finite_or_input_error(lambda: sbrt.eqd2_gy(a, 5, d))
    finite_or_input_error(lambda: radiobiology.radioembolization_bed_gy(a, b, c))
    finite_or_input_error(lambda: decay.decay_factor(a, b))
    finite_or_input_error(lambda: plan_cohort("partition", a, b, c, tumour_volume_ml=d, tnr=3))
    finite_or_input_error(lambda: haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, bsa_m2=a))
    finite_or_input_error(lambda: haic.haic_doses(haic.FOLFOX_HAIC_SIRT_HAIC, height_cm=a,
                                                  weight_kg=b))


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e4, 1e4),
       st.floats(allow_nan=True, allow_infinity=True))
def test_vials_no_crash(required, hours, shelf):
    cal = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    try:
        stock = decay.GlassVialStock(calibration_time=cal, shelf_life_h=shelf)
    except InputError:
        return
    finite_or_input_error(lambda: decay.glass_vial_for_time(
        required, cal + timedelta(hours=hours), stock))
    finite_or_input_error(lambda: decay.glass_time_for_vial(required, 5.0, stock))
