"""`--game-shard I/N`: this CI job runs one stable share of the tests (filled in by the shard work)."""

from __future__ import annotations
