"""The five reference trials as protocol files (YAML), shipped as package data."""
