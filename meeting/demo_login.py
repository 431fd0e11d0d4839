"""The demo committee's one password, importable before Django is set up.

``manage.py demo`` (meeting/demo.py) gives it to every demo login; the benches log in
with it from scripts that import this module before they configure Django.
"""

DEMO_PASSWORD = "yiting-demo"
