"""The follow-up sequences' machinery: triggers and step validation (``triggers``,
``steps``), the cache of what active sequences wait for (``cache``), the engine that moves
enrollments on (``runner``) and their e-mail (``mail``). Writes go through
``marketing.services.sequences``."""
