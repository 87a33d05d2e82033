"""Core of the provincial digital-transformation readiness dashboard.

Shared by loaders, metrics, pages and the command line, and importing none of them: paths,
periods, the province registry, the indicator catalogue, accounts and rights, the one user-error
class, translations and number formats, and the store (``dxboard.store``, the only SQL).
"""

__version__ = "0.1.0"
