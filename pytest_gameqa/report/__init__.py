"""Everything a game test leaves behind: screenshots (artifacts), evidence.json and console.log
(evidence), gameqa-results.json and issue text (results), terminal lines and JUnit properties
(summary), the pytest-html block (html, chart), Playwright traces and videos (capture)."""
