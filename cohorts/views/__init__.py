"""Pages for cohorts, one module per page family: the catalog and course pages (``catalog``), a cohort's page and
the learner's cohorts (``cohort``), scheduling (``schedule``), the learner's day (``today``), the feed (``feed``),
the instructor's cohort (``manage``) and its chat-group webhooks (``webhooks``).

Views build the whole context from selectors (templates never query) and write only through services. Anything a
user may not see answers 404, exactly like something that does not exist: selectors raise ``NotFound`` and
``stagewise.middleware.PageErrorMiddleware`` turns it into the 404 page.
"""
