"""`make bench`: the pages, writes and background work timed at two sizes of data.

The harness seeds (or reuses) two databases, S and L, serves each under gunicorn with the
production settings, signs in through the real sign-in pages and times the same requests
against both servers in turn, so that every figure can be read as a ratio: a page against the
baseline pages B0 and B1, and L against S. ``python -m scripts.bench --help`` lists the options;
``docs/performance.md`` holds the last run's tables and says how to read them.
"""
