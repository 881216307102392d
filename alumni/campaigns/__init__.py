"""Campaigns: a message to a segment, once (one-off) or to whoever an event qualifies (lifecycle).

- ``rendering``: the marketer's Jinja2 subject and body, sandboxed, with the personal fields;
- ``planning``: one ``Delivery`` row per recipient (held out, suppressed or pending, with its due instant);
- ``sending``: workers claim due rows (``SKIP LOCKED`` and a lease), cap, create the offer code, mail, mark sent;
- ``lifecycle``: the daily search for whoever a lifecycle campaign's trigger qualifies;
- ``offers``: the personal offer code (a billing coupon restricted to one learner);
- ``services``: the marketer's writes (create, edit, schedule, pause, cancel) and the status machine;
- ``tasks``: Celery entry points.
"""
