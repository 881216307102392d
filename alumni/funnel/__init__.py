"""The stage funnel: enrolled → still checking in on day 7 → completed → upgraded, retention curves and NPS by
stage (``selectors``), drawn as server-side SVG (``charts``, pure geometry)."""
