"""Reading the page without a model: the DOM and canvas-text detector (`detector.py` + its injected scripts)."""
