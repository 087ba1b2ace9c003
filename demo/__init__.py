"""The demo: the 2024 round as the report describes it, built through the services (`manage.py load_demo`).

It imports every app and no app imports it; production code has no demo branch.
"""
