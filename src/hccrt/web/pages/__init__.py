"""The server-rendered web pages (Django templates + htmx): one subpackage per work area.

Areas: ``dashboard`` (home), ``screening`` (screening, trial finder, enrolment and
allocation), ``participants`` (timeline, eCRF forms, field history), ``assessments`` (tumour
assessment, central review, adjudication), ``planning`` (Y-90, SBRT and HAIC planning, QoL
questionnaire), ``workspace`` (queries inbox, audit history, exports and background reports).
Every clinical rule is called from the core (``hccrt.*``) or the capture layer
(``hccrt.web.capture``); pages never re-implement one.
"""
