"""REST API (Django REST framework, OpenAPI 3 through drf-spectacular)."""
