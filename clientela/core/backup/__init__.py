"""The full account export (a zip of JSON lines + CSV lists) and ``clientela import all``.

``format`` says what goes in the zip and how values are written; ``export`` writes it,
``restore`` loads it into an empty installation, ``lists`` adds the CSVs people read, ``jobs``
runs the export in the background for the settings page.
"""
