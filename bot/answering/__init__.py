"""Answering: the guides as data and the small engine over them — no servers, no files but the guides.

Imports nothing of the other layers; the actions and every server build on it.
"""
