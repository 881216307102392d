"""Alumni records: one row of facts per learner, kept current from events (``receivers``), recomputable from the
source tables (``services.records_rebuild``), scored by RFM (``scoring``), with the first visit's attribution
(``middleware``)."""
