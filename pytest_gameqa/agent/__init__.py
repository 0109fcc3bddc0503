"""The player: GameAgent, its actions, the players, reading the screen, and whether it got in (reach)."""
