"""Lotse: guide loading and checking, the answer engine, command line and servers."""
