"""dosimetry"""
