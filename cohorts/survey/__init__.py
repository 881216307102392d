"""The end-of-cohort survey: a 0–10 recommendation score and a few questions the instructor sets; NPS per cohort
and per stage."""
