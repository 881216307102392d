"""The end of a cohort: completion outcomes, the instructor's review window, closing (see services.py)."""
