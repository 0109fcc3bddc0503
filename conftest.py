"""Repository-level pytest setup: the plugin's own tests drive pytest in subprocesses via pytester."""
