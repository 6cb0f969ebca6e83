"""Open Referral UK (ORUK 3.0, the UK profile of HSDS 3.0): the directory in and out.

- ``publish``: directory records as ORUK 3.0 JSON, for the open API in ``api`` (``/api/oruk/``);
- ``reading``: a feed's JSON (ORUK 3.0 or v1) read into plain incoming records, or refused;
- ``fetching``: walking a feed over HTTP the way the ORUK validator does, politely and with limits;
- ``importing``: the report of what an import would change, then the change, in one transaction;
- ``report``: that report as plain data, kept on each ``DirectoryImport``.
"""
