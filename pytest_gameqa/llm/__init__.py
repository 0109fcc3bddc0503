"""The AI brain: a vision model (any litellm model) that plays, observes, extracts and judges.

Nothing here imports litellm at import time; `client.litellm_module()` does, when a model is set.
Entry point for the agent: `brain.LLMBrain`.
"""
