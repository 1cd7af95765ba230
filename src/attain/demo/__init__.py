"""Deterministic demo organisation generator."""
