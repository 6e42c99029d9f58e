"""The Streamlit app's modules, one pair per tab: a view (Streamlit calls only) and its pure
helpers (tested directly, no Streamlit).

========================  =========================================================
view (Streamlit)          pure helpers
========================  =========================================================
``sidebar``               ``settings`` (AppSettings -> targets and options)
``plan_view``             ``plan_table``, ``chart``
``foods_view``            ``foods_browser``, ``custom_foods``, ``fdc_import``
``dietitian_view``        ``bounds_editor``
``saved_view``            ``saved``
``evidence_view``         ``evidence_text``
``session`` (shared)      ``state`` (session keys, messages), ``text`` (plain words)
========================  =========================================================

Importing this package does not import Streamlit; only the view modules and ``session`` do.
"""
