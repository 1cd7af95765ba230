"""Execution backends: each runs the compiled program and returns the line table."""
