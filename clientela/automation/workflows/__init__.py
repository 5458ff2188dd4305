"""The workflow engine: triggers matched in memory, conditions (``marketing.rules`` trees)
evaluated on the record, actions run by jobs through the services, loop protection, the timed
triggers' periodic job and the dry run. ``automation.services.workflows`` creates and changes
rules; ``engine`` subscribes to the domain events."""
