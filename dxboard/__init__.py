"""Core of the provincial digital-transformation readiness dashboard.

Shared by loaders, metrics and pages: paths and settings, periods, the province registry,
the indicator catalogue, translations, the DuckDB store and the command line.
"""

__version__ = "0.1.0"
