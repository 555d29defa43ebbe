"""xxgk: 政府信息公开工作年度报告 from structured data.

The library API lives in :mod:`xxgk.api`; the command line in :mod:`xxgk.cli`.
"""

__version__ = "0.1.0"
