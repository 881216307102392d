"""Segments: a filter tree over alumni records and events (tree.py: its shape and validation; compile.py: the tree as
ORM expressions; explain.py: why a member matches; services.py: saving and computing versioned membership;
export.py: the consented members as CSV)."""
