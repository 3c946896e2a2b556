"""Trainers' tools: test conversations, evaluation, the feedback report, the example generator.

Build on answering and serving (they ask the bot over REST); never on operations.
"""
