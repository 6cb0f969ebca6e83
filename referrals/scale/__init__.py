"""Invented regional data for the benchmark, written with PostgreSQL ``COPY`` (``seed_scale``).

- :mod:`.region`: the teams, their staff and whose caseload each family is on;
- :mod:`.records` and :mod:`.referral_paths`: one family's rows, made in Python;
- :mod:`.answers`: questionnaire answers scored by the screening engine;
- :mod:`.tables`: the tables filled, their columns, the rows waiting to be copied;
- :mod:`.database`: ids, ``COPY``, history rows, foreign-key checks, sequences;
- :mod:`.seed`: the steps in order.
"""
