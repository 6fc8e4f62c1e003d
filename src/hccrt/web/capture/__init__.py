"""Data capture: the eCRFs, roles and site isolation, allocation, visits, edit checks."""
