"""Operations: starting, supervising and measuring the servers — single bot, cluster, bench, retention.

May import every layer below it; nothing below imports it.
"""
