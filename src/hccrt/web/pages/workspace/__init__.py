"""Pages of the workspace area (see :mod:`hccrt.web.pages`).

* ``pages:queries`` / ``pages:query-detail`` (:mod:`.queries`): the queries inbox; lifecycle
  rules from :mod:`hccrt.web.capture.query_flow` (shared with the API).
* ``pages:audit`` (:mod:`.audit`): audit history, per record and per field; chain
  verification for administrators.
* ``pages:exports`` (:mod:`.exports`, :mod:`.runner`): record tables, derived datasets and
  reports built in a background thread of the web process (no task queue; see
  :mod:`.runner` for the limits), progress polled by htmx.
"""
