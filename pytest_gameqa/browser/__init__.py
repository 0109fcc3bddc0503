"""The browser side: finding and launching Chromium (launch, pool), one game's context and page
(session), serving local builds (server), and the event-loop stall watch (stall)."""
