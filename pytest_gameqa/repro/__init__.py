"""Reproductions: every failing game test leaves a replayable action list and a pytest file."""
