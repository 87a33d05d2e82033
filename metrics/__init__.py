"""Metrics: indicators, targets, index, harmonisation, completeness and flags.

Plain functions over pandas (no Streamlit, no SQL): they compute from the frames that
``dxboard.store.frames`` reads from the store. Functions that
read take the store first and a ``basis`` (``"reported"`` or ``"current"``, the 34 current
provinces in every quarter). The method is described in ``docs/METHOD.md``.

- ``indicators.indicator_values(store, periods, basis, provinces, indicators)``
- ``status.indicator_status(store, periods, basis, provinces, indicators)``
- ``national.national(store, periods, basis, indicators, regions)``
- ``index.readiness_index(store, periods, basis, weights)``,
  ``index.rank_sensitivity(store, period, basis, weights, samples, seed)``
- ``completeness.completeness(store, periods, basis, days, today)``,
  ``completeness.timeliness(...)``, ``completeness.province_record(store, code, periods, ...)``
- ``flags.flags(store, periods, basis, provinces, ...)``, ``flags.mixed_datasets(store, periods)``
- ``brief.province_brief(store, code, period, basis, weights, days, today)``
- ``export.export_indicators(store, period, basis, weights)``
"""
