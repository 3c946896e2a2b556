"""Lotse's package, in layers: answering, serving, trainers, ops (README, "Architecture")."""
