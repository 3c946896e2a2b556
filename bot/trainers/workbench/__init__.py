"""The trainers' workbench at /trainer: from what staff asked to test conversations and training data.

Trainers sign in (accounts.py: a file of argon2 hashes outside the repository, or the trainer
token), review the stored – redacted – conversations with the 👍 / 👎 staff gave (review.py), turn a
turn into a test conversation or an NLU example (editing.py: a YAML diff first, written only into
tests/conversations/ and data/nlu/ of the checkout the server runs from, always downloadable), run
the test conversations with the runner `make conversations` uses (runs.py), and see the figures of
the last days (dashboard.py) and the state of the guides (app.py, with bot/trainers/check.py).

Sessions, the lock-out counters and test runs live in the feedback database (sessions.py), so two
web servers behind nginx share them. The routes are one sanic Blueprint (app.py); bot/ops/web.py
adds it to the staff web server, which cannot import this layer.
"""
