"""Attribution: which paid orders a campaign earned (``services``), and the campaign's report against its holdout
(``report``, with the statistics in ``stats``)."""
