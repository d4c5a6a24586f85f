"""Naming the porting mistake behind a failing device run: hypotheses, recorded runs, the diagnosis table."""
