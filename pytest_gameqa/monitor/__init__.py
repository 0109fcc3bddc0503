"""Watching the game: the injected probe (frames, heap, errors), the monitor that turns what the
browser reports into issues, flood-bounded issue bookkeeping, and thumbnail pixels."""
