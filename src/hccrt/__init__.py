"""hccrt: an open platform for clinical trials of liver-directed radiation therapy in HCC.

The pure clinical core (units, clinical, response, dosimetry, protocols, endpoints, stats)
holds the medical and statistical knowledge as plain Python; the web app (``hccrt.web``),
the CLI (``hccrt.cli``), reports and exports are adapters around it. See DESIGN.md.
"""

__version__ = "0.1.0"
