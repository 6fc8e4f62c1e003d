import hccrt
from hccrt.errors import InputError


def test_version_is_pep440_string():
    assert hccrt.__version__.count(".") == 2


def test_input_error_names_field_value_and_allowed():
    err = InputError("bilirubin", -1.0, ">= 0 mg/dL")
    assert "bilirubin" in str(err) and "-1.0" in str(err) and ">= 0 mg/dL" in str(err)
    assert isinstance(err, ValueError)
