"""Serving: what runs while staff ask — Rasa's REST channel, the action server, the web page and its API.

Builds on answering; never imports the trainers' tools or operations.
"""
