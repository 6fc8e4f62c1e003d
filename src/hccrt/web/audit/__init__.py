"""Audit trail: append-only, hash-chained events for every change of trial data."""
